package io.labhub.transport.zmq.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;

/**
 * A request client's requests in flight, by id and by deadline: what makes a reply find its caller, and
 * a caller get its timeout. A reply whose id is not here (its request already timed out, or it was never
 * ours) is refused by {@link #complete}; the caller counts it and drops it.
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

    private final Map<Long, Pending> byId = new HashMap<>();
    private final PriorityQueue<Pending> byDeadline =
            new PriorityQueue<>((a, b) -> Long.compare(a.deadlineNanos, b.deadlineNanos));
    private final Deque<Pending> unsent = new ArrayDeque<>();

    void add(Pending p) {
        byId.put(p.id, p);
        byDeadline.add(p);
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
            if (byId.containsKey(p.id)) {
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
        // byDeadline keeps the entry until its deadline (lazy removal: O(log n) per request, not O(n))
        return byId.remove(id);
    }

    /** Removes and returns every request whose deadline is at or before {@code now}. */
    List<Pending> expire(long nowNanos) {
        List<Pending> out = new ArrayList<>();
        while (!byDeadline.isEmpty() && byDeadline.peek().deadlineNanos - nowNanos <= 0) {
            Pending p = byDeadline.poll();
            if (byId.remove(p.id, p)) {
                out.add(p);
            }
        }
        return out;
    }

    /** Milliseconds until the next deadline (at least 1), or -1 when nothing is pending. */
    long millisToNextDeadline(long nowNanos) {
        while (!byDeadline.isEmpty() && byId.get(byDeadline.peek().id) != byDeadline.peek()) {
            byDeadline.poll();
        }
        Pending first = byDeadline.peek();
        if (first == null) {
            return -1;
        }
        long nanos = first.deadlineNanos - nowNanos;
        return nanos <= 0 ? 0 : Math.max(1, (nanos + 999_999) / 1_000_000);
    }

    /** Removes everything (close). */
    List<Pending> clear() {
        List<Pending> out = new ArrayList<>(byId.values());
        byId.clear();
        byDeadline.clear();
        unsent.clear();
        return out;
    }

    int size() {
        return byId.size();
    }
}
