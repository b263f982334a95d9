package io.labhub.transport.zmq.internal;

/** Metadata keys the ZeroMQ transport adds to what a producer publishes through the broker. */
final class Metadata {

    /** The producer's payload limit in bytes; a request client refuses larger requests before sending. */
    static final String MAX_MESSAGE_SIZE = "zmq.maxMessageSize";
    /** {@link WireFormat#VERSION} of the producer. */
    static final String WIRE_VERSION = "zmq.wireVersion";

    private Metadata() {
    }

    /** The producer's limit from {@code metadata}, or {@code fallback} when absent or unreadable. */
    static int maxMessageSize(java.util.Map<String, String> metadata, int fallback) {
        String v = metadata.get(MAX_MESSAGE_SIZE);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v.trim());
            return n > 0 ? n : fallback;
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
