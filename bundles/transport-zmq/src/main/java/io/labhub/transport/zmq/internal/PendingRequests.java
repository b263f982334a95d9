package io.labhub.transport.zmq.internal;

import io.labhub.agent.PendingTable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A request client's requests in flight, by id and by deadline: what makes a reply find its caller, and
 * a caller get its timeout. A reply whose id is not here (its request already timed out, or it was never
 * ours) is refused by {@link #complete}; the caller counts it and drops it. Lookup and deadlines are the
 * shared {@link PendingTable}'s; this class adds the requests not handed to the socket yet.
 *
 * <p>Not thread-safe: owned by the client's I/O thread.
 */
final class PendingRequests {

    /**
     * One request: its id, deadline ({@link System#nanoTime()} scale), its one frame (header + payload,
     * wire format 2; released once handed to the socket), and the caller's future.
     */
    static final class Pending {
        final long id;
        final long deadlineNanos;
        final long timeoutMillis;
        final int payloadLength;
        byte[] frame;
        final CompletableFuture<byte[]> future;

        Pending(long id, long deadlineNanos, long timeoutMillis, byte[] frame, CompletableFuture<byte[]> future) {
            this.id = id;
            this.deadlineNanos = deadlineNanos;
            this.timeoutMillis = timeoutMillis;
            this.frame = frame;
            this.payloadLength = frame.length - WireFormat.HEADER_LENGTH;
            this.future = future;
        }
    }

    private final PendingTable<Long, Pending> table = new PendingTable<>();
    private final Deque<Pending> unsent = new ArrayDeque<>();

    void add(Pending p) {
        table.add(p.id, p.deadlineNanos, p);
    }

    /** Remembers a request that could not be handed to the socket yet (no server connected). */
    void deferSend(Pending p) {
        unsent.add(p);
    }

    /** Requests still waiting for a connected server, in order; the caller retries and re-defers. */
    List<Pending> takeUnsent() {
        List<Pending> out = new ArrayList<>();
        Pending p;
        while ((p = unsent.poll()) != null) {
            if (table.contains(p.id)) {
                out.add(p);
            }
        }
        return out;
    }

    boolean hasUnsent() {
        return !unsent.isEmpty();
    }

    /** @return the request with that id, removed; {@code null} when unknown or expired */
    Pending complete(long id) {
        return table.remove(id);
    }

    /** Removes and returns every request whose deadline is at or before {@code now}. */
    List<Pending> expire(long nowNanos) {
        return table.expire(nowNanos);
    }

    /** Milliseconds until the next deadline (at least 1), or -1 when nothing is pending. */
    long millisToNextDeadline(long nowNanos) {
        return table.millisToNextDeadline(nowNanos);
    }

    /** Removes everything (close). */
    List<Pending> clear() {
        unsent.clear();
        return table.clear();
    }

    int size() {
        return table.size();
    }
}
