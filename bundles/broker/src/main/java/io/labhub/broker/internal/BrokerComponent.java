package io.labhub.broker.internal;

import io.labhub.api.ChannelInfo;
import io.labhub.broker.Broker;
import io.labhub.broker.BrokerClientInfo;
import io.labhub.broker.BrokerConfig;
import io.labhub.broker.BrokerServer;
import io.labhub.broker.BrokerStatus;
import io.labhub.broker.protocol.Wire;
import io.labhub.security.CurveSecurity;
import io.labhub.validation.Validator;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import java.time.Duration;
import java.util.List;

/**
 * The embedded broker, as the {@link Broker} service.
 *
 * <p>It runs only while the configuration {@code io.labhub.broker} exists
 * ({@link ConfigurationPolicy#REQUIRE}): the runtime ships {@code conf/io.labhub.broker.cfg}, so the
 * embedded broker runs by default; deleting that file (or not installing this bundle) turns it off,
 * for a runtime that talks to a remote broker. A changed configuration restarts the broker.
 */
@Component(service = Broker.class, configurationPid = BrokerComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true)
@Designate(ocd = BrokerComponent.Config.class)
public final class BrokerComponent implements Broker {

    /** The configuration PID. */
    public static final String PID = "io.labhub.broker";

    @ObjectClassDefinition(name = "LabHub broker",
            description = "The embedded channel broker (docs/protocol.md). Present = running; delete the "
                    + "configuration to run without an embedded broker.")
    public @interface Config {
        @AttributeDefinition(description = "Request (ROUTER) endpoint to bind; port * picks a free one")
        String endpoint() default BrokerConfig.DEFAULT_ENDPOINT;

        @AttributeDefinition(description = "Events (PUB) endpoint to bind; port * picks a free one")
        String eventsEndpoint() default BrokerConfig.DEFAULT_EVENTS_ENDPOINT;

        @AttributeDefinition(description = "Heartbeat interval clients are told to use, in milliseconds", min = "1")
        long heartbeatIntervalMs() default Wire.DEFAULT_HEARTBEAT_INTERVAL_MS;

        @AttributeDefinition(description = "Heartbeats a client may miss before it is declared lost", min = "1")
        int missedBeats() default BrokerConfig.DEFAULT_MISSED_BEATS;

        @AttributeDefinition(description = "Largest request accepted, in bytes", min = "256")
        int maxMessageSize() default BrokerConfig.DEFAULT_MAX_MESSAGE_SIZE;

        @AttributeDefinition(description = "Most channels one client key may hold (active, or lost and reserved "
                + "for it); beyond it register gets QUOTA_EXCEEDED", min = "1")
        int maxChannelsPerKey() default BrokerConfig.DEFAULT_MAX_CHANNELS_PER_KEY;

        @AttributeDefinition(description = "Most metadata bytes (UTF-8 of keys and values) summed over one key's "
                + "channels; beyond it register gets QUOTA_EXCEEDED", min = "1")
        long maxMetadataBytesPerKey() default BrokerConfig.DEFAULT_MAX_METADATA_BYTES_PER_KEY;

        @AttributeDefinition(description = "Most requests of one key read and not yet answered in one loop "
                + "iteration; the rest get QUOTA_EXCEEDED unhandled", min = "1")
        int maxInFlightPerKey() default BrokerConfig.DEFAULT_MAX_IN_FLIGHT_PER_KEY;

        @AttributeDefinition(description = "How long the names of a lost producer stay reserved for its key, in "
                + "milliseconds (another key gets CHANNEL_RESERVED meanwhile)", min = "0")
        long reservationGraceMillis() default 30_000;
    }

    private final BrokerServer server;

    @Activate
    public BrokerComponent(@Reference CurveSecurity security, @Reference Validator validator, Config config) {
        this.server = BrokerServer.start(toBrokerConfig(config), security, validator);
    }

    static BrokerConfig toBrokerConfig(Config config) {
        return new BrokerConfig(config.endpoint(), config.eventsEndpoint(),
                Duration.ofMillis(config.heartbeatIntervalMs()), config.missedBeats(), config.maxMessageSize(),
                config.maxChannelsPerKey(), config.maxMetadataBytesPerKey(), config.maxInFlightPerKey(),
                Duration.ofMillis(config.reservationGraceMillis()));
    }

    @Deactivate
    void deactivate() {
        server.close();
    }

    @Override
    public String endpoint() {
        return server.endpoint();
    }

    @Override
    public String eventsEndpoint() {
        return server.eventsEndpoint();
    }

    @Override
    public String publicKey() {
        return server.publicKey();
    }

    @Override
    public List<ChannelInfo> channels() {
        return server.channels();
    }

    @Override
    public List<BrokerClientInfo> clients() {
        return server.clients();
    }

    @Override
    public BrokerStatus status() {
        return server.status();
    }
}
