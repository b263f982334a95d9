package io.labhub.api;

import java.util.Map;
import java.util.Objects;

/**
 * Settings of a ZeroMQ channel (pubsub or reqrep), chosen by its producer (publisher or server).
 * Immutable; derive variants with the {@code with*} methods.
 *
 * @param endpoint       where to bind, e.g. {@code tcp://*:5601}; {@code null} means an ephemeral port
 *                       on all interfaces, and the real endpoint is what the broker publishes
 * @param highWaterMark  messages queued per peer before the publisher drops (pubsub) or the server
 *                       stops reading (reqrep); drops are counted, never silent
 * @param maxMessageSize largest payload accepted, in bytes; enforced by both ends
 * @param workerThreads  reqrep only: threads that run the {@link RequestHandler}
 * @param metadata       free-form description published through the broker
 */
public record ZmqOptions(String endpoint, int highWaterMark, int maxMessageSize, int workerThreads,
                         Map<String, String> metadata) {

    /** Ephemeral tcp port, HWM 1000, 16 MiB messages, 1 worker. */
    public static final ZmqOptions DEFAULTS = new ZmqOptions(null, 1000, 16 << 20, 1, Map.of());

    public ZmqOptions {
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    public static ZmqOptions defaults() {
        return DEFAULTS;
    }

    public ZmqOptions withEndpoint(String e) {
        return new ZmqOptions(e, highWaterMark, maxMessageSize, workerThreads, metadata);
    }

    public ZmqOptions withHighWaterMark(int hwm) {
        return new ZmqOptions(endpoint, hwm, maxMessageSize, workerThreads, metadata);
    }

    public ZmqOptions withMaxMessageSize(int max) {
        return new ZmqOptions(endpoint, highWaterMark, max, workerThreads, metadata);
    }

    public ZmqOptions withWorkerThreads(int n) {
        return new ZmqOptions(endpoint, highWaterMark, maxMessageSize, n, metadata);
    }

    public ZmqOptions withMetadata(Map<String, String> m) {
        return new ZmqOptions(endpoint, highWaterMark, maxMessageSize, workerThreads, Objects.requireNonNullElse(m, Map.of()));
    }
}
