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

    /** Releases the channel. Never throws; never blocks for long (bounded by the transport's linger). */
    @Override
    void close();
}
