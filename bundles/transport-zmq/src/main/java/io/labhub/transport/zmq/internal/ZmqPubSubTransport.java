package io.labhub.transport.zmq.internal;

import io.labhub.api.ConsumerOptions;
import io.labhub.api.Publisher;
import io.labhub.api.Subscriber;
import io.labhub.api.ZmqOptions;
import io.labhub.api.spi.ChannelContext;
import io.labhub.api.spi.PubSubTransport;
import io.labhub.security.CurveSecurity;
import java.util.Objects;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The {@code pubsub} channel kind over JeroMQ PUB/SUB. Channels it made are closed when it is
 * deactivated (the bundle stops, or CurveSecurity goes away); a configuration change applies to
 * channels made afterwards.
 */
@Component(service = PubSubTransport.class, configurationPid = ZmqSettings.PID)
@Designate(ocd = ZmqTransportConfig.class)
public final class ZmqPubSubTransport implements PubSubTransport {

    private final CurveSecurity security;
    private final OpenChannels channels = new OpenChannels();
    private volatile ZmqSettings settings;

    @Activate
    public ZmqPubSubTransport(@Reference CurveSecurity security, ZmqTransportConfig config) {
        this(security, ZmqSettings.from(config));
    }

    /** Outside OSGi (tests, embedding). */
    public ZmqPubSubTransport(CurveSecurity security, ZmqSettings settings) {
        this.security = Objects.requireNonNull(security, "security");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Modified
    void modified(ZmqTransportConfig config) {
        settings = ZmqSettings.from(config);
    }

    @Deactivate
    public void close() {
        channels.closeAll();
    }

    @Override
    public Publisher createPublisher(ChannelContext context, ZmqOptions options) {
        return channels.track(new ZmqPublisher(context, security, settings, options == null ? ZmqOptions.DEFAULTS : options));
    }

    @Override
    public Subscriber openSubscriber(ChannelContext context, ConsumerOptions options) {
        return channels.track(new ZmqSubscriber(context, security, settings,
                options == null ? ConsumerOptions.DEFAULTS : options));
    }
}
