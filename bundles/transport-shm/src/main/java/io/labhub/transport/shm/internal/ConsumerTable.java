package io.labhub.transport.shm.internal;

import static io.labhub.transport.shm.internal.ShmLayout.INT;
import static io.labhub.transport.shm.internal.ShmLayout.LONG;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A flyweight over a segment's consumer table (layout in {@link ShmLayout}): the one place that knows where
 * an entry is and with which memory ordering each of its fields is read and written. The producer, the
 * consumers and the janitor all use it; offsets are relative to the table's start (TABLE_OFFSET in the
 * segment), so it wraps the consumer's table-only mapping, a slice of the producer's whole mapping, or the
 * janitor's read-only map alike.
 *
 * <p>Every consumer can write every word of the table (page granularity): nothing here trusts a value for
 * more than the caller's own decision, and scans that decide removal cover the whole capacity, never
 * HIGH_WATER (see docs/shm-layout.md, "Mapping protections").
 */
final class ConsumerTable {

    private final MemorySegment table;
    private final int capacity;
    /** Each entry's WAKE_WORD slice, made on first use ({@link #wakeWord}); the array too (capacity may be 65536). */
    private MemorySegment[] wakeWords;

    /**
     * @param table    the table's bytes, offset 0 = TABLE_OFFSET of the segment
     * @param capacity entries, from the validated header
     */
    ConsumerTable(MemorySegment table, int capacity) {
        this.table = table;
        this.capacity = capacity;
    }

    /** Offset of entry {@code index} from the table's start. */
    static long entryOffset(int index) {
        return ShmLayout.ENTRIES_OFFSET + (long) index * ShmLayout.ENTRY_LENGTH;
    }

    int capacity() {
        return capacity;
    }

    // ---- table header ----

    int highWaterVolatile() {
        return (int) INT.getVolatile(table, ShmLayout.TABLE_HIGH_WATER);
    }

    /** CAS loop: HIGH_WATER only grows (it is a hint for the producer's scan limit). */
    void raiseHighWater(int index) {
        int hw;
        while ((hw = highWaterVolatile()) < index + 1) {
            if (INT.compareAndSet(table, ShmLayout.TABLE_HIGH_WATER, hw, index + 1)) {
                break;
            }
        }
    }

    long skipsOpaque() {
        return (long) LONG.getOpaque(table, ShmLayout.TABLE_SKIPS);
    }

    long overrunsOpaque() {
        return (long) LONG.getOpaque(table, ShmLayout.TABLE_OVERRUNS);
    }

    // ---- one entry: STATE ----

    int stateVolatile(int i) {
        return (int) INT.getVolatile(table, entryOffset(i) + ShmLayout.ENTRY_STATE);
    }

    int stateAcquire(int i) {
        return (int) INT.getAcquire(table, entryOffset(i) + ShmLayout.ENTRY_STATE);
    }

    /** The read path's check for "dropped by the producer": no ordering needed, the next read re-checks. */
    int stateOpaque(int i) {
        return (int) INT.getOpaque(table, entryOffset(i) + ShmLayout.ENTRY_STATE);
    }

    /** Volatile store: pairs with the producer's volatile loads in its reliable scan (see the join protocol). */
    void stateVolatile(int i, int state) {
        INT.setVolatile(table, entryOffset(i) + ShmLayout.ENTRY_STATE, state);
    }

    boolean casState(int i, int expected, int state) {
        return INT.compareAndSet(table, entryOffset(i) + ShmLayout.ENTRY_STATE, expected, state);
    }

    // ---- POSITION, HEARTBEAT, identity ----

    long positionVolatile(int i) {
        return (long) LONG.getVolatile(table, entryOffset(i) + ShmLayout.ENTRY_POSITION);
    }

    long positionAcquire(int i) {
        return (long) LONG.getAcquire(table, entryOffset(i) + ShmLayout.ENTRY_POSITION);
    }

    /** Release store: the frame's reads happen before the producer may see the slot as free. */
    void positionRelease(int i, long sequence) {
        LONG.setRelease(table, entryOffset(i) + ShmLayout.ENTRY_POSITION, sequence);
    }

    /** The owner moves its position forward only (opaque load of its own word, release store). */
    void advancePosition(int i, long sequence) {
        long e = entryOffset(i) + ShmLayout.ENTRY_POSITION;
        if ((long) LONG.getOpaque(table, e) < sequence) {
            LONG.setRelease(table, e, sequence);
        }
    }

    long pidAcquire(int i) {
        return (long) LONG.getAcquire(table, entryOffset(i) + ShmLayout.ENTRY_PID);
    }

    long startMillisAcquire(int i) {
        return (long) LONG.getAcquire(table, entryOffset(i) + ShmLayout.ENTRY_START_MS);
    }

    long heartbeatAcquire(int i) {
        return (long) LONG.getAcquire(table, entryOffset(i) + ShmLayout.ENTRY_HEARTBEAT);
    }

    /** The owner bumps its heartbeat counter (single writer: opaque load, release store). */
    void bumpHeartbeat(int i) {
        long e = entryOffset(i) + ShmLayout.ENTRY_HEARTBEAT;
        LONG.setRelease(table, e, (long) LONG.getOpaque(table, e) + 1);
    }

    /** Whether entry {@code i} is taken (not free) by a process that is alive (pid and start time). */
    boolean entryAlive(int i) {
        return stateVolatile(i) != ShmLayout.ENTRY_FREE && Liveness.processAlive(pidAcquire(i), startMillisAcquire(i));
    }

    /**
     * Whether any attached (active, joining or dropped) entry has a live process. Every entry, not up to
     * HIGH_WATER: any consumer can write that word. The one rule for "may the segment go" on every side.
     */
    boolean anyLiveConsumer() {
        for (int i = 0; i < capacity; i++) {
            if (entryAlive(i)) {
                return true;
            }
        }
        return false;
    }

    // ---- WAITING (the entry's second line) ----

    int waitingVolatile(int i) {
        return (int) INT.getVolatile(table, entryOffset(i) + ShmLayout.ENTRY_WAITING);
    }

    /** Volatile store before the re-check of a sleeper (Dekker with the producer's commit). */
    void waitingVolatile(int i, int waiting) {
        INT.setVolatile(table, entryOffset(i) + ShmLayout.ENTRY_WAITING, waiting);
    }

    /** The sleeper ends its sleep: takes its flag back atomically (so it learns whether it was made a forwarder). */
    int getAndSetWaiting(int i, int waiting) {
        return (int) INT.getAndSet(table, entryOffset(i) + ShmLayout.ENTRY_WAITING, waiting);
    }

    boolean casWaiting(int i, int expected, int waiting) {
        return INT.compareAndSet(table, entryOffset(i) + ShmLayout.ENTRY_WAITING, expected, waiting);
    }

    // ---- WAKE_WORD and WAIT_TARGET (layout 3: each entry sleeps on its own word) ----

    /** WAKE_WORD with acquire: the value a sleeper passes to the platform's wait (read before WAITING is set). */
    int wakeWordAcquire(int i) {
        return (int) INT.getAcquire(table, entryOffset(i) + ShmLayout.ENTRY_WAKE_WORD);
    }

    /** Bumps WAKE_WORD atomically before a wake (a sleeper that read the old value then does not sleep). */
    void bumpWakeWord(int i) {
        INT.getAndAdd(table, entryOffset(i) + ShmLayout.ENTRY_WAKE_WORD, 1);
    }

    /**
     * Entry {@code i}'s WAKE_WORD as a 4-byte segment for the platform's wait and wake (made once per entry and
     * kept, so a wake allocates nothing; a racy first fill makes two equal slices, either is right).
     */
    MemorySegment wakeWord(int i) {
        MemorySegment[] words = wakeWords;
        if (words == null) {
            words = new MemorySegment[capacity];
            wakeWords = words;
        }
        MemorySegment w = words[i];
        if (w == null) {
            w = table.asSlice(entryOffset(i) + ShmLayout.ENTRY_WAKE_WORD, 4);
            words[i] = w;
        }
        return w;
    }

    /** Release store, before the sleeper's volatile store of WAITING (which publishes it). */
    void waitTargetRelease(int i, long sequence) {
        LONG.setRelease(table, entryOffset(i) + ShmLayout.ENTRY_WAIT_TARGET, sequence);
    }

    /** Read by the producer after it saw WAITING set (acquire: the target of that sleep or a later one). */
    long waitTargetAcquire(int i) {
        return (long) LONG.getAcquire(table, entryOffset(i) + ShmLayout.ENTRY_WAIT_TARGET);
    }

    // ---- joining, counting ----

    /**
     * Claims a free entry (CAS free -> joining), or else one whose process is gone. @return its index, or -1
     * when every entry is held by a live process
     */
    int claimEntry() {
        for (int i = 0; i < capacity; i++) {
            if (casState(i, ShmLayout.ENTRY_FREE, ShmLayout.ENTRY_JOINING)) {
                return i;
            }
        }
        for (int i = 0; i < capacity; i++) {
            int state = stateVolatile(i);
            long pid = pidAcquire(i);
            if (state != ShmLayout.ENTRY_FREE && pid != 0 && !Liveness.processAlive(pid, startMillisAcquire(i))
                    && casState(i, state, ShmLayout.ENTRY_JOINING)) {
                return i;
            }
        }
        return -1;
    }

    /** A claimed entry's identity and counters, plain stores (published by the later STATE store). */
    void initEntry(int i, long pid, long startMillis) {
        long e = entryOffset(i);
        table.set(ValueLayout.JAVA_LONG, e + ShmLayout.ENTRY_PID, pid);
        table.set(ValueLayout.JAVA_LONG, e + ShmLayout.ENTRY_START_MS, startMillis);
        table.set(ValueLayout.JAVA_LONG, e + ShmLayout.ENTRY_HEARTBEAT, 0L);
        table.set(ValueLayout.JAVA_LONG, e + ShmLayout.ENTRY_SKIPS, 0L);
        table.set(ValueLayout.JAVA_LONG, e + ShmLayout.ENTRY_OVERRUNS, 0L);
        table.set(ValueLayout.JAVA_INT, e + ShmLayout.ENTRY_WAITING, 0);
        table.set(ValueLayout.JAVA_LONG, e + ShmLayout.ENTRY_WAIT_TARGET, 0L);
    }

    /** A read found its frame overwritten: the table-wide count (atomic: every consumer adds) and the entry's own. */
    void recordOverrun(int i) {
        LONG.getAndAdd(table, ShmLayout.TABLE_OVERRUNS, 1L);
        long e = entryOffset(i) + ShmLayout.ENTRY_OVERRUNS;
        LONG.setOpaque(table, e, (long) LONG.getOpaque(table, e) + 1);
    }

    /** Frames skipped: the table-wide count (atomic) and the entry's own. */
    void recordSkips(int i, long skipped) {
        LONG.getAndAdd(table, ShmLayout.TABLE_SKIPS, skipped);
        long e = entryOffset(i) + ShmLayout.ENTRY_SKIPS;
        LONG.setOpaque(table, e, (long) LONG.getOpaque(table, e) + skipped);
    }
}
