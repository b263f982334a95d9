package io.labhub.api.spi;

import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelName;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The Hub's side of one channel, given to a transport when it creates or opens that channel. It is how
 * a transport reaches the broker without knowing it.
 *
 * <p>Threading: all methods are thread-safe and none blocks on the broker except {@link #discover}.
 */
@org.osgi.annotation.versioning.ProviderType
public interface ChannelContext {

    /** The validated channel name. */
    ChannelName name();

    /**
     * Producer side: announces the channel. The Hub registers it with the broker now or, if the broker
     * is unreachable, as soon as it is back (and again after a broker restart).
     *
     * @param endpoint  where consumers find it: a ZeroMQ endpoint or a shm segment name
     * @param serverKey the producer socket's CURVE public key (Z85), or {@code null} for shm
     * @param metadata  published as is (already validated)
     * @throws io.labhub.api.ChannelExistsException when another live producer owns the name
     */
    void offer(String endpoint, String serverKey, Map<String, String> metadata);

    /**
     * Consumer side: looks the channel up, waiting at most {@code wait} for it to be registered.
     *
     * @throws io.labhub.api.ChannelNotFoundException when it is not registered in time
     */
    ChannelInfo discover(Duration wait);

    /** Consumer side of shm: counts this consumer with the broker so the segment outlives its producer. */
    void attach();

    /** Consumer side of shm: the opposite of {@link #attach()}. Idempotent. */
    void detach();

    /**
     * Calls {@code listener} (on a Hub thread, never concurrently) for every broker event about this
     * channel until the returned handle is closed or the channel is {@link #closed()}.
     */
    AutoCloseable onEvent(Consumer<ChannelEvent> listener);

    /** The transport closed the channel: the Hub unregisters (producer) or detaches (consumer) and forgets it. */
    void closed();
}
