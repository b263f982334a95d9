package io.labhub.api;

/**
 * A channel end a driver holds: a producer or a consumer of one of the three kinds.
 *
 * <p>Closing releases the channel's sockets or mappings and tells the broker (a producer's channel is
 * unregistered, a shared-memory consumer is detached). Closing twice is harmless. A channel whose
 * bundle is stopped is closed by the Hub. Every method may be called from any thread unless the
 * sub-interface says otherwise.
 */
@org.osgi.annotation.versioning.ProviderType
public interface Channel extends AutoCloseable {

    /** @return the channel's name */
    ChannelName name();

    /** @return the channel's kind */
    ChannelKind kind();

    /** @return a snapshot of the counters; cheap, never blocks */
    ChannelCounters counters();

    /** @return {@code true} until {@link #close()} was called */
    boolean isOpen();

    /**
     * This end's own view of the producer, which holds when the broker cannot be reached (another host
     * behind a cut link): {@link ChannelState#ACTIVE} while the producer is reachable,
     * {@link ChannelState#PRODUCER_LOST} when this consumer's connection to it stopped answering (its
     * heartbeats timed out) or the broker declared it lost, until data flows again;
     * {@link ChannelState#CLOSED} once this end is closed. A producer's own end answers
     * {@link ChannelState#ACTIVE} until it is closed. Cheap, never blocks.
     *
     * @since 1.3
     */
    default ChannelState producerState() {
        return isOpen() ? ChannelState.ACTIVE : ChannelState.CLOSED;
    }

    /** Releases the channel. Never throws; never blocks for long (bounded by the transport's linger). */
    @Override
    void close();
}
