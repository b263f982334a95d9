package io.labhub.api.spi;

import io.labhub.api.ChannelKind;
import io.labhub.api.ConsumerOptions;
import io.labhub.api.ShmConsumer;
import io.labhub.api.ShmOptions;
import io.labhub.api.ShmProducer;

/**
 * The {@code shm} channel kind. The Hub has validated the name and sizes before calling. The transport
 * creates the segment, then calls {@link ChannelContext#offer} with the segment's name as endpoint;
 * consumers call {@link ChannelContext#attach()} once mapped and {@link ChannelContext#detach()} on close.
 */
@org.osgi.annotation.versioning.ConsumerType
public interface ShmTransport extends Transport {

    @Override
    default ChannelKind kind() {
        return ChannelKind.SHM;
    }

    ShmProducer createProducer(ChannelContext context, ShmOptions options);

    ShmConsumer openConsumer(ChannelContext context, ConsumerOptions options);
}
