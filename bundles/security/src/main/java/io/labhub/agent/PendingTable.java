package io.labhub.agent;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Requests in flight, by correlation id and by deadline: what makes a reply find its caller (an id that
 * is not here, because its request timed out or was never ours, finds nothing) and a caller get its
 * timeout. The one such table of LabHub (zmq request clients, the broker client).
 *
 * <p>Deadlines are on the {@link System#nanoTime()} scale; a request expires at its deadline. Removal by
 * id is O(1), the deadline heap drops removed entries lazily: O(log n) per request, never a scan.
 *
 * <p>Not thread-safe: owned by one agent thread.
 *
 * @param <K> the correlation id
 * @param <V> what the owner keeps per request (future, request, type ...)
 */
public final class PendingTable<K, V> {

    private record Entry<K, V>(K id, long deadlineNanos, V value) {
    }

    private final Map<K, Entry<K, V>> byId = new HashMap<>();
    private final PriorityQueue<Entry<K, V>> byDeadline =
            new PriorityQueue<>((a, b) -> Long.compare(a.deadlineNanos, b.deadlineNanos));

    /** Adds (or replaces) the request {@code id}. */
    public void add(K id, long deadlineNanos, V value) {
        Entry<K, V> e = new Entry<>(id, deadlineNanos, value);
        byId.put(id, e);
        byDeadline.add(e);
    }

    /** @return the request with that id, removed; {@code null} when unknown, answered or expired */
    public V remove(K id) {
        Entry<K, V> e = byId.remove(id);
        return e == null ? null : e.value;
    }

    /** @return whether {@code id} is in flight */
    public boolean contains(K id) {
        return byId.containsKey(id);
    }

    /** Removes and returns, earliest first, every request whose deadline is at or before {@code nowNanos}. */
    public List<V> expire(long nowNanos) {
        List<V> out = new ArrayList<>();
        while (!byDeadline.isEmpty() && byDeadline.peek().deadlineNanos - nowNanos <= 0) {
            Entry<K, V> e = byDeadline.poll();
            if (byId.remove(e.id, e)) {
                out.add(e.value);
            }
        }
        return out;
    }

    /** Milliseconds until the next deadline (0 when one has passed, else at least 1), or -1 when empty. */
    public long millisToNextDeadline(long nowNanos) {
        while (!byDeadline.isEmpty() && byId.get(byDeadline.peek().id) != byDeadline.peek()) {
            byDeadline.poll();
        }
        Entry<K, V> first = byDeadline.peek();
        if (first == null) {
            return -1;
        }
        long nanos = first.deadlineNanos - nowNanos;
        return nanos <= 0 ? 0 : Math.max(1, (nanos + 999_999) / 1_000_000);
    }

    /** The requests in flight, in no particular order (a copy). */
    public List<V> values() {
        List<V> out = new ArrayList<>(byId.size());
        byId.values().forEach(e -> out.add(e.value));
        return out;
    }

    /** Removes everything. @return what was in flight */
    public List<V> clear() {
        List<V> out = values();
        byId.clear();
        byDeadline.clear();
        return out;
    }

    public int size() {
        return byId.size();
    }

    public boolean isEmpty() {
        return byId.isEmpty();
    }
}
