package io.labhub.api.spi;

import java.util.Optional;

import io.labhub.api.ChannelCounters;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelName;
import io.labhub.api.ConsumerOptions;
import io.labhub.api.FrameSnapshot;
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

    /**
     * The producer's counters of channel {@code name} as its segment holds them (frames and bytes committed,
     * consumers dropped, reliable timeouts, frames consumers skipped), read WITHOUT taking part: no entry in
     * the consumer table, no attach, nothing sent to the broker, so a {@code reliable} producer never waits
     * for an observer and observing does not change what is observed. Quick: no waiting.
     *
     * @return empty when no segment of that channel is on this host (or this transport cannot tell)
     * @since 1.1
     */
    default Optional<ChannelCounters> observe(ChannelName name) {
        return Optional.empty();
    }

    /**
     * A copy of the newest committed frame of channel {@code name}'s segment on this host, read like
     * {@link #observe} without taking part; a copy the producer overwrote meanwhile is never returned
     * ({@code io.labhub.api.Hub#latestFrame}).
     *
     * @throws io.labhub.api.MessageTooLargeException when the frame is longer than {@code maxBytes}
     * @since 1.2
     */
    default Optional<FrameSnapshot> latest(ChannelName name, int maxBytes) {
        return Optional.empty();
    }
}
