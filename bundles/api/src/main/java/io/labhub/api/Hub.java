package io.labhub.api;

import java.util.List;
import java.util.Optional;

/**
 * The one service an instrument driver needs: it creates the producing end of a channel (registered
 * with the broker under its name) and opens the consuming end of a channel by name (discovered through
 * the broker). Drivers never touch a transport directly.
 *
 * <p>Names are 1-255 characters of {@code [A-Za-z0-9_.-]} starting with a letter; an invalid name, key
 * or size is refused with an {@link InvalidInputException} before anything is created.
 *
 * <p>Threading: every method is thread-safe. Creating a producer never blocks on the broker: if the
 * broker is unreachable the channel works locally and is registered when the broker comes back.
 * Opening a consumer waits for discovery at most {@link ConsumerOptions#waitForChannel()}.
 *
 * <p>Lifetime: channels belong to the bundle that created them; when that bundle stops, its channels
 * are closed and unregistered. Closing a channel is idempotent.
 *
 * <p>Errors: {@link ChannelNotFoundException} (unknown channel), {@link ChannelExistsException} (the name
 * is registered by another live producer), {@link TransportUnavailableException} (no transport for that
 * kind is installed), {@link InvalidInputException} (bad name or options).
 */
@org.osgi.annotation.versioning.ProviderType
public interface Hub {

    ShmProducer createShmProducer(String name, ShmOptions options);

    ShmConsumer openShmConsumer(String name, ConsumerOptions options);

    Publisher createPublisher(String name, ZmqOptions options);

    Subscriber openSubscriber(String name, ConsumerOptions options);

    RequestServer createServer(String name, RequestHandler handler, ZmqOptions options);

    RequestClient openClient(String name, ConsumerOptions options);

    /** Every channel the broker knows (or, with no broker, the local ones). */
    List<ChannelInfo> channels();

    /** One channel by name, or empty when the broker does not know it. */
    Optional<ChannelInfo> find(String name);

    HubStatus status();

    /**
     * The counters of a channel's producing end (publisher, request server, shm producer) when that
     * producer lives in this runtime, whichever bundle created it: what tools such as the shell show
     * without consuming the channel. Never blocks.
     *
     * @return the counters, or empty when the producer lives in another process or no such channel is produced here
     * @throws InvalidInputException when {@code name} is not a valid channel name
     * @since 1.1
     */
    Optional<ChannelCounters> producerCounters(String name);

    /**
     * What a channel's producer has counted, read without joining the channel: the local producer's own
     * counters when it lives in this runtime (any kind), else, for a {@code shm} channel, the counters its
     * producer keeps in the segment header on this host. Nothing is opened: no consumer-table entry, no
     * attach at the broker, so a {@link ShmPolicy#RELIABLE} producer never waits for the observer and
     * observing does not change what is observed. Never blocks; a rate is the difference of two calls.
     *
     * <p>A zmq producer in another process is not reachable this way (the broker, which is not on the
     * data path, holds no counters): the answer is empty.
     *
     * @return the counters, or empty when the producer is neither in this runtime nor a shm segment on this host
     * @throws InvalidInputException when {@code name} is not a valid channel name
     * @since 1.4
     */
    default Optional<ChannelCounters> observe(String name) {
        return producerCounters(name);
    }

    /**
     * A copy of the newest committed frame of the {@code shm} channel {@code name} on this host, read as an
     * observer: like {@link #observe}, nothing is joined (no consumer-table entry, no attach), so a
     * {@link ShmPolicy#RELIABLE} producer never waits for the reader and may overwrite the slot while it is
     * copied; such a torn copy is detected (the slot's sequence is read before and after) and retried a few
     * times, never returned. Meant for previews and monitors at a bounded rate, not for acquisition: frames
     * are skipped by design. Never blocks.
     *
     * @param maxBytes the largest payload the caller accepts
     * @return the frame, or empty when the channel has no shm segment on this host, nothing is committed yet,
     *         or every attempt was overwritten mid-copy (a producer much faster than the copy)
     * @throws InvalidInputException      when {@code name} is not a valid channel name or {@code maxBytes < 0}
     * @throws MessageTooLargeException   when the newest frame is longer than {@code maxBytes}
     * @since 1.7
     */
    default Optional<FrameSnapshot> latestFrame(String name, int maxBytes) {
        return Optional.empty();
    }

    /**
     * Has {@code observer} see every exchange of the request server {@code name} of this runtime (whichever bundle
     * created it, and its successors under that name while the registration lasts): the request/reply log of a
     * recorder. A server in another process cannot be observed this way (the broker is not on the data path).
     *
     * @return closing it ends the observation
     * @throws ChannelNotFoundException when no request server of this runtime serves {@code name}
     * @throws InvalidInputException    when {@code name} is not a valid channel name
     * @since 1.6
     */
    default AutoCloseable observeRequests(String name, RequestObserver observer) {
        throw new ChannelNotFoundException("this Hub cannot observe request servers (" + name + ")");
    }

    default ShmProducer createShmProducer(String name) {
        return createShmProducer(name, ShmOptions.DEFAULTS);
    }

    default ShmConsumer openShmConsumer(String name) {
        return openShmConsumer(name, ConsumerOptions.DEFAULTS);
    }

    default Publisher createPublisher(String name) {
        return createPublisher(name, ZmqOptions.DEFAULTS);
    }

    default Subscriber openSubscriber(String name) {
        return openSubscriber(name, ConsumerOptions.DEFAULTS);
    }

    default RequestServer createServer(String name, RequestHandler handler) {
        return createServer(name, handler, ZmqOptions.DEFAULTS);
    }

    default RequestClient openClient(String name) {
        return openClient(name, ConsumerOptions.DEFAULTS);
    }
}
