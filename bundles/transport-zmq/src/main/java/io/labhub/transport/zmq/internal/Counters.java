package io.labhub.transport.zmq.internal;

import io.labhub.api.ChannelCounters;
import java.util.concurrent.atomic.LongAdder;

/** A channel's live counters: written from the channel's threads, read as a {@link ChannelCounters} snapshot. */
final class Counters {

    final LongAdder messagesSent = new LongAdder();
    final LongAdder bytesSent = new LongAdder();
    final LongAdder messagesReceived = new LongAdder();
    final LongAdder bytesReceived = new LongAdder();
    final LongAdder dropped = new LongAdder();
    final LongAdder gaps = new LongAdder();
    final LongAdder reconnects = new LongAdder();
    final LongAdder timeouts = new LongAdder();
    final LongAdder errors = new LongAdder();
    /** Transport-only (not in {@link ChannelCounters}): messages refused for their wire version (also in errors). */
    final LongAdder versionRefused = new LongAdder();
    /** Transport-only: requests refused with {@code BUSY} (server: beyond its queue bounds; client: beyond its in-flight bounds). */
    final LongAdder busy = new LongAdder();
    /** Transport-only: CURVE handshakes the producer refused (a consumer's key not, or not yet, allowed). */
    final LongAdder handshakeRefusals = new LongAdder();

    void sent(int bytes) {
        messagesSent.increment();
        bytesSent.add(bytes);
    }

    void received(int bytes) {
        messagesReceived.increment();
        bytesReceived.add(bytes);
    }

    ChannelCounters snapshot() {
        return new ChannelCounters(messagesSent.sum(), bytesSent.sum(), messagesReceived.sum(), bytesReceived.sum(),
                dropped.sum(), gaps.sum(), reconnects.sum(), timeouts.sum(), errors.sum());
    }
}
