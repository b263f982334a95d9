package io.labhub.core.internal;

import io.labhub.api.InvalidInputException;
import io.labhub.api.spi.PubSubTransport;
import io.labhub.api.spi.ReqRepTransport;
import io.labhub.api.spi.ShmTransport;
import io.labhub.broker.client.BrokerClient;
import io.labhub.broker.client.BrokerClientConfig;
import io.labhub.broker.protocol.Wire;
import io.labhub.security.CurveSecurity;
import io.labhub.validation.Validator;
import java.time.Duration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the {@link HubEngine}: its configuration (pid {@code io.labhub.core}), its directory (the broker
 * client, or local) and the transports, which come and go as their bundles do (whiteboard: no list of
 * transports anywhere).
 *
 * <p>The Hub does not look for an embedded broker service: it talks to the configured endpoint, which
 * by default is where the runtime's embedded broker listens, with this runtime's own key. Start order
 * then does not matter (the client retries with back-off) and a remote broker is only a configuration
 * change. One path instead of two.
 */
@Component(service = HubComponent.class, configurationPid = "io.labhub.core", immediate = true)
@Designate(ocd = HubComponent.Config.class)
public class HubComponent {

    private static final Logger LOG = LoggerFactory.getLogger(HubComponent.class);

    @ObjectClassDefinition(name = "LabHub Hub", description = "How the Hub reaches the broker.")
    public @interface Config {
        @AttributeDefinition(description = "'broker' (register and discover through the broker) or 'local' "
                + "(no broker: channels are visible inside this runtime only)")
        String directory() default "broker";

        @AttributeDefinition(description = "The broker's request endpoint")
        String broker_endpoint() default "tcp://127.0.0.1:5570";

        @AttributeDefinition(description = "The broker's CURVE public key (Z85); empty means this runtime's own key, "
                + "which is the embedded broker's")
        String broker_publicKey() default "";

        @AttributeDefinition(description = "Heartbeat interval towards the broker, in milliseconds", min = "10")
        long heartbeatIntervalMs() default Wire.DEFAULT_HEARTBEAT_INTERVAL_MS;

        @AttributeDefinition(description = "How long one broker request may take, in milliseconds", min = "10")
        long requestTimeoutMs() default 2000;

        @AttributeDefinition(description = "Whether a consumer follows a new producer of its channel whose CURVE key "
                + "differs from the one it first discovered. false (default): it logs a WARN and does not reconnect, "
                + "so another client cannot take over a channel's consumers; true: it follows any producer")
        boolean followProducerKeyChange() default false;

        @AttributeDefinition(description = "This runtime's name in its status channel hub.status.NODE (read by "
                + "StatusChannel); empty means this host's name made one channel-name level")
        String node() default "";
    }

    private final HubEngine engine;

    @Activate
    public HubComponent(@Reference Validator validator, @Reference CurveSecurity security, Config config) {
        Directory directory = switch (config.directory()) {
            case "local" -> new LocalDirectory("local");
            case "broker" -> {
                String key = config.broker_publicKey().isBlank() ? security.publicKey() : validator.publicKey(config.broker_publicKey());
                Duration timeout = Duration.ofMillis(config.requestTimeoutMs());
                BrokerClient client = BrokerClient.start(new BrokerClientConfig(config.broker_endpoint(), key,
                        Duration.ofMillis(config.heartbeatIntervalMs()), timeout), security);
                yield new BrokerDirectory(client, security.publicKey(), timeout);
            }
            default -> throw new InvalidInputException("core.directory", config.directory(),
                    "io.labhub.core: directory must be 'broker' or 'local', not '" + config.directory() + "'");
        };
        this.engine = new HubEngine(validator, directory, config.followProducerKeyChange());
        LOG.info("Hub started: {}", config.directory().equals("local") ? directory.statusMessage()
                : "broker at " + config.broker_endpoint() + " (connecting in the background)");
    }

    HubEngine engine() {
        return engine;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addShm(ShmTransport t) {
        engine.addTransport(t);
    }

    void removeShm(ShmTransport t) {
        engine.removeTransport(t);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addPubSub(PubSubTransport t) {
        engine.addTransport(t);
    }

    void removePubSub(PubSubTransport t) {
        engine.removeTransport(t);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addReqRep(ReqRepTransport t) {
        engine.addTransport(t);
    }

    void removeReqRep(ReqRepTransport t) {
        engine.removeTransport(t);
    }

    @Deactivate
    void deactivate() {
        engine.shutdown();
    }
}
