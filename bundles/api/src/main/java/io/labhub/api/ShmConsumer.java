package io.labhub.api;

import java.time.Duration;
import java.util.Optional;

/**
 * The consuming end of a shared-memory channel. Attaching is counted by the broker, so the segment
 * outlives its producer while consumers use it.
 *
 * <p>Threading: one consumer is for one reading thread. {@link #close()} may be called from any thread
 * and wakes a blocked read, which then throws {@link ChannelClosedException}.
 */
@org.osgi.annotation.versioning.ProviderType
public interface ShmConsumer extends Channel {

    /** The next frame if one is committed, without waiting. */
    Optional<ShmFrame> poll();

    /**
     * The next frame, waiting (spin, yield, block) at most {@code timeout}.
     *
     * @throws ChannelTimeoutException when nothing arrives in time
     * @throws ChannelClosedException  when this consumer is closed
     */
    ShmFrame next(Duration timeout);

    /** The newest committed frame, skipping (and counting) any older unread ones; empty if none yet. */
    Optional<ShmFrame> latest();

    /** A validated copy of the next frame, waiting at most {@code timeout}; retried internally on a torn read. */
    Message read(Duration timeout);

    /** Whether the producer is alive (header heartbeat fresh and no {@code producer_lost} event). */
    boolean producerAlive();
}
