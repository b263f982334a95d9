package io.labhub.transport.zmq.internal;

import io.labhub.api.ConsumerOptions;
import io.labhub.api.RequestClient;
import io.labhub.api.RequestHandler;
import io.labhub.api.RequestServer;
import io.labhub.api.ZmqOptions;
import io.labhub.api.spi.ChannelContext;
import io.labhub.api.spi.ReqRepTransport;
import io.labhub.security.CurveSecurity;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@code reqrep} channel kind over JeroMQ DEALER/ROUTER with request ids. Channels it made are
 * closed when it is deactivated; a configuration change applies to channels made afterwards.
 */
@Component(service = ReqRepTransport.class, configurationPid = ZmqSettings.PID)
// The metatype of this PID is designated once, by ZmqPubSubTransport; both components read it.
public final class ZmqReqRepTransport extends ZmqTransportBase implements ReqRepTransport {

    @Activate
    public ZmqReqRepTransport(@Reference CurveSecurity security, ZmqTransportConfig config) {
        this(security, ZmqSettings.from(config));
    }

    /** Outside OSGi (tests, embedding). */
    public ZmqReqRepTransport(CurveSecurity security, ZmqSettings settings) {
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
    public RequestServer createServer(ChannelContext context, RequestHandler handler, ZmqOptions options) {
        return channels.track(new ZmqRequestServer(context, security, settings, handler,
                options == null ? ZmqOptions.DEFAULTS : options));
    }

    @Override
    public RequestClient openClient(ChannelContext context, ConsumerOptions options) {
        return channels.track(new ZmqRequestClient(context, security, settings,
                options == null ? ConsumerOptions.DEFAULTS : options));
    }
}
