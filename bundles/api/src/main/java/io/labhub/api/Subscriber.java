package io.labhub.api;

import java.time.Duration;
import java.util.Optional;

/**
 * The receiving end of a pubsub channel. A subscriber that joins late gets the messages published after
 * it connected. If the publisher restarts elsewhere, the subscriber reconnects by itself (counted in
 * {@link ChannelCounters#reconnects()}); lost messages show up as {@link Message#skipped()}.
 *
 * <p>Threading: one subscriber is for one reading thread. {@link #close()} may be called from any thread.
 */
@org.osgi.annotation.versioning.ProviderType
public interface Subscriber extends Channel {

    /**
     * The next message, waiting at most {@code timeout}.
     *
     * @throws ChannelTimeoutException when nothing arrives in time
     * @throws ChannelClosedException  when this subscriber is closed
     */
    Message receive(Duration timeout);

    /** The next message if one is queued, without waiting. */
    Optional<Message> poll();
}
