package io.labhub.api;

import io.labhub.api.schema.Schema;
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
 * @param schema         the type of each message (a reqrep server: of each request, its reply schema
 *                       inside), published through the broker; {@code null} for untyped bytes
 */
public record ZmqOptions(String endpoint, int highWaterMark, int maxMessageSize, int workerThreads,
                         Map<String, String> metadata, Schema schema) {

    /** Ephemeral tcp port, HWM 1000, 16 MiB messages, 1 worker. */
    public static final ZmqOptions DEFAULTS = new ZmqOptions(null, 1000, 16 << 20, 1, Map.of(), null);

    public ZmqOptions {
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    /** Options without a schema (the form before API 1.5). */
    public ZmqOptions(String endpoint, int highWaterMark, int maxMessageSize, int workerThreads,
                      Map<String, String> metadata) {
        this(endpoint, highWaterMark, maxMessageSize, workerThreads, metadata, null);
    }

    public static ZmqOptions defaults() {
        return DEFAULTS;
    }

    public ZmqOptions withEndpoint(String e) {
        return new ZmqOptions(e, highWaterMark, maxMessageSize, workerThreads, metadata, schema);
    }

    public ZmqOptions withHighWaterMark(int hwm) {
        return new ZmqOptions(endpoint, hwm, maxMessageSize, workerThreads, metadata, schema);
    }

    public ZmqOptions withMaxMessageSize(int max) {
        return new ZmqOptions(endpoint, highWaterMark, max, workerThreads, metadata, schema);
    }

    public ZmqOptions withWorkerThreads(int n) {
        return new ZmqOptions(endpoint, highWaterMark, maxMessageSize, n, metadata, schema);
    }

    public ZmqOptions withMetadata(Map<String, String> m) {
        return new ZmqOptions(endpoint, highWaterMark, maxMessageSize, workerThreads, Objects.requireNonNullElse(m, Map.of()), schema);
    }

    /** @return these options with a schema for the messages (requests) @since 1.5 */
    public ZmqOptions withSchema(Schema s) {
        return new ZmqOptions(endpoint, highWaterMark, maxMessageSize, workerThreads, metadata, s);
    }
}
