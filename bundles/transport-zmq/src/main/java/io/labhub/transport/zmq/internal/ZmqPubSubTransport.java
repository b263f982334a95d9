package io.labhub.transport.zmq.internal;

import io.labhub.api.ConsumerOptions;
import io.labhub.api.Publisher;
import io.labhub.api.Subscriber;
import io.labhub.api.ZmqOptions;
import io.labhub.api.spi.ChannelContext;
import io.labhub.api.spi.PubSubTransport;
import io.labhub.security.CurveSecurity;
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
public final class ZmqPubSubTransport extends ZmqTransportBase implements PubSubTransport {

    @Activate
    public ZmqPubSubTransport(@Reference CurveSecurity security, ZmqTransportConfig config) {
        this(security, ZmqSettings.from(config));
    }

    /** Outside OSGi (tests, embedding). */
    public ZmqPubSubTransport(CurveSecurity security, ZmqSettings settings) {
        super(security, settings);
    }

    @Modified
    @Override
    void modified(ZmqTransportConfig config) {
        super.modified(config);
    }

    @Deactivate
    @Override
    public void close() {
        super.close();
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
