package io.labhub.transport.shm.internal;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.labhub.api.ChannelName;
import io.labhub.transport.shm.internal.ShmLayout.Geometry;
import io.labhub.transport.shm.internal.platform.ShmHandle;
import io.labhub.transport.shm.internal.platform.ShmPlatform;

/**
 * What a producer reads of its consumers through the {@link ConsumerTable}: whether one sleeps (the wake-up
 * check after every commit), the {@code reliable} wait for the slowest live consumer with its gate and the
 * drops of dead or timed-out ones, and the heartbeat's survey of the whole table. Used by the producer's
 * thread under its lock, except {@link #survey()} (the heartbeat thread), which only raises the scan limit
 * and clears stale WAITING flags.
 */
final class ConsumerScan {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerScan.class);
    private static final long LIVENESS_CHECK_NANOS = 10_000_000;
    /** How many free slots a producer with a full ring waits for while it spins (see awaitConsumers). */
    private static final int REFILL_CHUNK = 64;
    /** How long it waits for them before one free slot will do. */
    private static final long REFILL_WAIT_NANOS = 50_000;

    private final ChannelName name;
    private final MemorySegment seg;
    private final Geometry g;
    private final ConsumerTable table;
    private final long reliableTimeoutNanos;
    private final long livenessNanos;
    private final AtomicLong dropped;
    private final AtomicLong timeouts;
    /** Throws when the producer was closed or failed meanwhile (checked while waiting). */
    private final Runnable ensureOpen;
    private final Liveness[] consumerLiveness;
    private final long[] consumerLivenessPid;
    /**
     * How many table entries the producer scans: the highest HIGH_WATER it ever saw and the entries its
     * heartbeat found in use, never lowered (HIGH_WATER is writable by every consumer, so a garbage or
     * lowered value must not hide an entry from the wake-up or reliable scans).
     */
    private final AtomicInteger knownEntries = new AtomicInteger();
    /**
     * How long a forwarder the producer woke counts as on its way (it will forward what later commits mark
     * owed): about the time a woken thread takes to run on an idle core, so the stream's commits in that
     * window cost no syscall; after it the next commit wakes another.
     */
    static final long FORWARD_PENDING_NANOS = 100_000;
    /** {@link #FORWARD_PENDING_NANOS}, or what a test sets ({@link #forwardPendingNanos(long)}). */
    private volatile long forwardPendingNanos = FORWARD_PENDING_NANOS;
    /** The entry this producer last woke as a forwarder, or -1, and when (producer thread, under its lock). */
    private int lastForwarder = -1;
    private long lastForwardNanos;
    /** Which entries the last survey found owed a wake (heartbeat thread only). */
    private final boolean[] owedSeen;
    /** The lowest position of the active consumers when last scanned: no scan while below it. */
    private long gate;

    ConsumerScan(ChannelName name, MemorySegment seg, Geometry g, ConsumerTable table, long reliableTimeoutNanos,
                 long livenessNanos, AtomicLong dropped, AtomicLong timeouts, Runnable ensureOpen) {
        this.name = name;
        this.seg = seg;
        this.g = g;
        this.table = table;
        this.reliableTimeoutNanos = reliableTimeoutNanos;
        this.livenessNanos = livenessNanos;
        this.dropped = dropped;
        this.timeouts = timeouts;
        this.ensureOpen = ensureOpen;
        this.consumerLiveness = new Liveness[g.consumerCapacity()];
        this.consumerLivenessPid = new long[g.consumerCapacity()];
        this.owedSeen = new boolean[g.consumerCapacity()];
    }

    /**
     * Once per heartbeat: every entry of the table, not only up to HIGH_WATER. Raises the scan limit to the
     * entries in use (whatever HIGH_WATER says) and clears the WAITING flag of entries that are free or whose
     * process is gone (a consumer killed while blocked, or garbage), so they cost no wake syscall per commit
     * for longer than a period. Entries still owed a wake (their forwarder died or has not run for a period)
     * are woken here as forwarders, so a lost forwarder delays a wake by at most a period. Heartbeat thread.
     */
    void survey(ShmPlatform platform, ShmHandle handle) {
        int used = 0;
        for (int i = 0, n = table.capacity(); i < n; i++) {
            int state = table.stateVolatile(i);
            if (state != ShmLayout.ENTRY_FREE) {
                used = i + 1;
            }
            int waiting = table.waitingVolatile(i);
            if (waiting != 0 && (state == ShmLayout.ENTRY_FREE
                    || !Liveness.processAlive(table.pidAcquire(i), table.startMillisAcquire(i)))) {
                table.casWaiting(i, waiting, 0);
            } else if (waiting == ShmLayout.WAITING_OWED && owedAtLastSurvey(i)
                    && table.casWaiting(i, ShmLayout.WAITING_OWED, ShmLayout.WAITING_FORWARD)) {
                table.bumpWakeWord(i);
                platform.wake(handle, i, table.wakeWord(i));
            }
            owedSeen[i] = waiting == ShmLayout.WAITING_OWED;
        }
        raiseKnownEntries(used);
    }

    /** Whether the last survey saw entry {@code i} owed too (then no forwarder took it for a whole period). */
    private boolean owedAtLastSurvey(int i) {
        return owedSeen[i];
    }

    private void raiseKnownEntries(int n) {
        if (n > knownEntries.get()) {
            knownEntries.accumulateAndGet(Math.min(n, g.consumerCapacity()), Math::max);
        }
    }

    /**
     * Waits until every active consumer has released frame {@code s - slotCount}, or drops it.
     *
     * <p>The gate (no scan while {@code need <= gate}) is the lowest position seen, but never more than the
     * last committed frame {@code s - 1}: a consumer that was not in the table at the scan read a write
     * sequence of at least {@code s - 1} after it became active (the scan's volatile loads follow the
     * producer's volatile store of {@code s - 1}; the joiner's load of WRITE_SEQUENCE follows its volatile
     * store of STATE), so it starts after every frame the gate lets the producer overwrite. Without the cap
     * an empty table (lowest position "infinity") switched the waiting off for good, and a consumer that
     * joined later was overrun with nothing counted by the producer.
     */
    void awaitConsumers(long s) {
        long need = s - g.slotCount();
        if (need <= gate) {
            return;
        }
        long min = minPosition();
        if (min >= need) {
            gate = Math.min(min, s - 1);
            return;
        }
        // The ring is full. While spinning and yielding, wait for a chunk of it to drain (REFILL_CHUNK slots,
        // at most a quarter of the ring, never past the last committed frame, which every consumer reaches
        // without us), then run free for that many claims: waiting for one slot at a time made the producer
        // read the consumers' entry lines before every claim while they wrote them after every frame. Once
        // it would park, or after REFILL_WAIT_NANOS, one free slot is enough (a parked producer leaves the
        // consumers idle: measured, a quarter of a 4096-slot ring cost 2-3x of the rate), and always at the
        // deadline: the extra wait never turns into a timeout.
        long target = Math.min(need + Math.max(0, Math.min(REFILL_CHUNK, g.slotCount() / 4) - 1), s - 1);
        long start = System.nanoTime();
        long deadline = start + reliableTimeoutNanos;
        long lastCheck = start;
        for (int spins = 0; ; spins++) {
            if (spins < 100) {
                Thread.onSpinWait();
            } else if (spins < 200) {
                Thread.yield();
            } else {
                LockSupport.parkNanos(50_000);
            }
            ensureOpen.run();
            min = minPosition();
            long now = System.nanoTime();
            boolean wouldPark = spins + 1 >= 200;
            if (min >= target || (min >= need && (wouldPark || now - start >= REFILL_WAIT_NANOS
                    || now - deadline >= 0))) {
                gate = Math.min(min, s - 1);
                return;
            }
            if (now - lastCheck >= LIVENESS_CHECK_NANOS) {
                lastCheck = now;
                dropLaggards(need, now, false);
            }
            if (now - deadline >= 0) {
                timeouts.incrementAndGet();
                ShmLayout.addCounterAtomic(seg, ShmLayout.RELIABLE_TIMEOUTS_OFFSET, 1L);
                dropLaggards(need, now, true);
                gate = 0;
                return;
            }
        }
    }

    /** Entries to scan: HIGH_WATER as a hint that may only raise the producer's own limit. */
    private int highWater() {
        int hw = table.highWaterVolatile();
        int known = knownEntries.get();
        if (hw > known) {
            raiseKnownEntries(hw);
            return knownEntries.get();
        }
        return known;
    }

    /**
     * Sets how long a woken forwarder counts as on its way: lets a test check both sides of the window
     * without racing the clock (a loaded machine can take longer than 100 us between two commits).
     */
    void forwardPendingNanos(long nanos) {
        forwardPendingNanos = nanos;
    }

    /**
     * Wakes the sleepers that commit {@code s} can help, after its volatile store of WRITE_SEQUENCE, with at
     * most one wake syscall: each entry's own WAITING flag (a line of its own that its consumer writes only
     * around a sleep, so this costs a cached load per entry while nobody sleeps), then its WAIT_TARGET. Every
     * sleeper the commit reaches is marked owed (CAS 1 -> 2); then one of them is taken as the forwarder
     * (CAS 2 -> 3) and woken, and the others are left to it, which wakes owed entries as forwarders in turn
     * ({@link ConsumerIdle}: a tree, {@value ConsumerIdle#FORWARD_FANOUT} per woken consumer). So the
     * producer's cost per commit does not grow with the number of sleepers: with one wake per sleeper on the
     * producer's thread, 64 blocking readers cost it about 4 wake syscalls per frame (measured). A flag taken
     * from 1 is woken once: later commits skip the entry until its consumer arms the flag for its next sleep.
     * Owed and forwarder flags are not touched here; if a forwarder dies, the next commit that marks owed
     * entries makes a new one, and the heartbeat's survey wakes what is still owed. Garbage in an entry can
     * only cause needless wakes, never a missed one; no shared count decides.
     *
     * @return 1 if an entry was woken, else 0
     */
    int wakeReached(long s, ShmPlatform platform, ShmHandle handle) {
        int first = -1;
        int limit = highWater();
        for (int i = 0; i < limit; i++) {
            int waiting = table.waitingVolatile(i);
            if (waiting == ShmLayout.WAITING_NO || waiting == ShmLayout.WAITING_OWED
                    || waiting == ShmLayout.WAITING_FORWARD || table.waitTargetAcquire(i) > s) {
                continue;
            }
            if (table.casWaiting(i, waiting, ShmLayout.WAITING_OWED) && first < 0) {
                first = i;
            }
        }
        if (first < 0) {
            return 0;
        }
        // A forwarder we woke a moment ago that has not swapped its flag back yet will scan after this read of
        // its flag, so it sees every mark made above (Dekker: our CAS of the mark, then our load of its 3; its
        // swap, then its loads): no syscall needed. Only for FORWARD_PENDING_NANOS: a forwarder that does not
        // get a core, or died, is replaced by the next commit's.
        int pending = lastForwarder;
        if (pending >= 0 && table.waitingVolatile(pending) == ShmLayout.WAITING_FORWARD) {
            if (System.nanoTime() - lastForwardNanos < forwardPendingNanos) {
                return 0;
            }
        }
        // only after every mark: one owed entry becomes the forwarder. Its consumer learns that from its own
        // atomic swap of the flag, which follows this CAS, so its scan sees every mark made above
        for (int i = first; i < limit; i++) {
            if (table.waitingVolatile(i) == ShmLayout.WAITING_OWED
                    && table.casWaiting(i, ShmLayout.WAITING_OWED, ShmLayout.WAITING_FORWARD)) {
                table.bumpWakeWord(i);
                platform.wake(handle, i, table.wakeWord(i));
                lastForwarder = i;
                lastForwardNanos = System.nanoTime();
                return 1;
            }
        }
        return 0; // every marked sleeper woke by itself meanwhile
    }

    /**
     * Wakes every entry that sleeps, whatever it waits for (the producer closes: after its volatile store of
     * PRODUCER_STATE). Every entry of the table, not only up to HIGH_WATER.
     */
    void wakeAll(ShmPlatform platform, ShmHandle handle) {
        for (int i = 0, n = table.capacity(); i < n; i++) {
            int waiting = table.waitingVolatile(i);
            if (waiting != 0 && table.casWaiting(i, waiting, 0)) {
                table.bumpWakeWord(i);
                platform.wake(handle, i, table.wakeWord(i));
            }
        }
    }

    /** The lowest POSITION of the active entries (volatile loads: they pair with the joiners' volatile stores). */
    private long minPosition() {
        long min = Long.MAX_VALUE;
        for (int i = 0, n = highWater(); i < n; i++) {
            if (table.stateVolatile(i) == ShmLayout.ENTRY_ACTIVE) {
                min = Math.min(min, table.positionVolatile(i));
            }
        }
        return min;
    }

    /** Drops the consumers behind {@code need} that are dead (or all of them when {@code timedOut}). */
    private void dropLaggards(long need, long now, boolean timedOut) {
        for (int i = 0, n = highWater(); i < n; i++) {
            if (table.stateAcquire(i) != ShmLayout.ENTRY_ACTIVE || table.positionAcquire(i) >= need) {
                continue;
            }
            long pid = table.pidAcquire(i);
            String reason = null;
            if (timedOut) {
                reason = "held the producer for the reliable timeout";
            } else if (!Liveness.processAlive(pid, table.startMillisAcquire(i))) {
                reason = "its process " + pid + " is gone";
            } else if (!consumerHeartbeatFresh(i, pid, table.heartbeatAcquire(i), now)) {
                reason = "its heartbeat stopped";
            }
            if (reason != null && table.casState(i, ShmLayout.ENTRY_ACTIVE, ShmLayout.ENTRY_DROPPED)) {
                dropped.incrementAndGet();
                ShmLayout.addCounterAtomic(seg, ShmLayout.UNBLOCKS_OFFSET, 1L);
                LOG.info("shm channel {}: dropped consumer {} (pid {}): {}", name, i, pid, reason);
            }
        }
    }

    private boolean consumerHeartbeatFresh(int index, long pid, long beat, long now) {
        if (consumerLiveness[index] == null || consumerLivenessPid[index] != pid) {
            consumerLiveness[index] = new Liveness(livenessNanos);
            consumerLivenessPid[index] = pid;
        }
        return consumerLiveness[index].heartbeatFresh(beat, now);
    }
}
