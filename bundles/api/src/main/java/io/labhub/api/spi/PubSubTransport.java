package io.labhub.api.spi;

import io.labhub.api.ChannelKind;
import io.labhub.api.ConsumerOptions;
import io.labhub.api.Publisher;
import io.labhub.api.Subscriber;
import io.labhub.api.ZmqOptions;

/** The {@code pubsub} channel kind. */
@org.osgi.annotation.versioning.ConsumerType
public interface PubSubTransport extends Transport {

    @Override
    default ChannelKind kind() {
        return ChannelKind.PUBSUB;
    }

    Publisher createPublisher(ChannelContext context, ZmqOptions options);

    Subscriber openSubscriber(ChannelContext context, ConsumerOptions options);
}
