package io.labhub.api.spi;

import io.labhub.api.ChannelKind;
import io.labhub.api.ConsumerOptions;
import io.labhub.api.RequestClient;
import io.labhub.api.RequestHandler;
import io.labhub.api.RequestServer;
import io.labhub.api.ZmqOptions;

/** The {@code reqrep} channel kind. */
@org.osgi.annotation.versioning.ConsumerType
public interface ReqRepTransport extends Transport {

    @Override
    default ChannelKind kind() {
        return ChannelKind.REQREP;
    }

    RequestServer createServer(ChannelContext context, RequestHandler handler, ZmqOptions options);

    RequestClient openClient(ChannelContext context, ConsumerOptions options);
}
