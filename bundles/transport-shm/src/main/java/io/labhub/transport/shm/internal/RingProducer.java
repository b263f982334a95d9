package io.labhub.transport.shm.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.labhub.api.ChannelClosedException;
import io.labhub.api.ChannelCounters;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelName;
import io.labhub.api.ErrorCode;
import io.labhub.api.InvalidInputException;
import io.labhub.api.LabHubException;
import io.labhub.api.MessageTooLargeException;
import io.labhub.api.ShmClaim;
import io.labhub.api.ShmOptions;
import io.labhub.api.ShmPolicy;
import io.labhub.api.ShmProducer;
import io.labhub.transport.shm.internal.ShmLayout.Geometry;
import io.labhub.transport.shm.internal.platform.SegmentAccess;
import io.labhub.transport.shm.internal.platform.ShmHandle;
import io.labhub.transport.shm.internal.platform.ShmPlatform;

/**
 * The producing end of a ring (layout: {@link ShmLayout}). Usable on its own, without a Hub: the
 * transport adds broker registration around it.
 *
 * <p>Commit protocol: the slot's sequence is set to {@code -s} (in progress), the payload and slot
 * header are written, then the sequence {@code s} is published with a release store and the header's
 * write sequence with a volatile store (which also orders the following reads of the consumers' WAITING
 * flags, so a consumer that announced it sleeps is never missed). A producer that dies between claim and commit
 * leaves {@code -s} behind, which no reader accepts.
 */
public final class RingProducer implements ShmProducer, Heartbeat.Beating {

    private static final Logger LOG = LoggerFactory.getLogger(RingProducer.class);
    private static final long LIVENESS_CHECK_NANOS = 10_000_000;
    /** How many free slots a producer with a full ring waits for while it spins (see awaitConsumers). */
    private static final int REFILL_CHUNK = 64;
    /** How long it waits for them before one free slot will do. */
    private static final long REFILL_WAIT_NANOS = 50_000;

    private final ChannelName name;
    private final ShmPlatform platform;
    private final ShmHandle handle;
    private final MemorySegment seg;
    private final MemorySegment notifyWord;
    private final Geometry g;
    /** The consumer table within {@link #seg}. */
    private final ConsumerTable table;
    private final boolean reliable;
    private final boolean crc;
    private final long reliableTimeoutNanos;
    private final long livenessNanos;
    private final Heartbeat heartbeat;
    private final Runnable onClose;
    private final ReentrantLock lock = new ReentrantLock();
    private final RingClaim claim = new RingClaim();
    private final SafeCrc crc32c = new SafeCrc();
    private final AtomicBoolean closeRan = new AtomicBoolean();
    /** Why the segment became unusable (the channel is then closed), or null. */
    private volatile String failure;
    /** Whether the mapping was released; guarded by {@link #lock}. */
    private boolean unmapped;
    private final long epochBaseNanos = System.currentTimeMillis() * 1_000_000L;
    private final long nanoBase = System.nanoTime();
    private final Liveness[] consumerLiveness;
    private final long[] consumerLivenessPid;

    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong bytesSent = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong timeouts = new AtomicLong();
    /**
     * How many table entries the producer scans: the highest HIGH_WATER it ever saw and the entries its
     * heartbeat found in use, never lowered (HIGH_WATER is writable by every consumer, so a garbage or
     * lowered value must not hide an entry from the wake-up or reliable scans).
     */
    private final AtomicInteger knownEntries = new AtomicInteger();

    private volatile boolean open = true;
    private long nextSequence = 1;
    /** Offset of {@link #nextSequence}'s slot, kept in step with it (no division on the hot path). */
    private long nextSlotOffset;
    /** The lowest position of the active consumers when last scanned: no scan while below it. */
    private long gate;
    private final long slotsEnd;

    private RingProducer(ChannelName name, ShmPlatform platform, ShmHandle handle, MemorySegment seg, Geometry g,
                         ShmOptions options, RingSettings settings, Heartbeat heartbeat, Runnable onClose) {
        this.name = name;
        this.platform = platform;
        this.handle = handle;
        this.seg = seg;
        this.notifyWord = seg.asSlice(ShmLayout.NOTIFY_WORD_OFFSET, 4);
        this.g = g;
        this.table = new ConsumerTable(seg.asSlice(ShmLayout.TABLE_OFFSET, g.tableLength()), g.consumerCapacity());
        this.reliable = options.policy() == ShmPolicy.RELIABLE;
        this.crc = options.crc32c();
        this.reliableTimeoutNanos = RingSettings.nanos(options.reliableTimeout());
        this.livenessNanos = settings.livenessTimeout().toNanos();
        this.heartbeat = heartbeat;
        this.onClose = onClose;
        this.consumerLiveness = new Liveness[g.consumerCapacity()];
        this.consumerLivenessPid = new long[g.consumerCapacity()];
        this.nextSlotOffset = g.slotOffset(1);
        this.slotsEnd = g.slotsOffset() + (long) g.slotCount() * g.slotStride();
    }

    /**
     * Creates the segment {@code segmentName} and publishes its header (magic last).
     *
     * @param heartbeat bumps this producer's heartbeat; {@code null} to beat from the publish path only
     * @param onClose   run once when the producer is closed (the transport unregisters the channel)
     */
    public static RingProducer create(ShmPlatform platform, ChannelName name, String segmentName, ShmOptions options,
                                      RingSettings settings, SegmentAccess access, Heartbeat heartbeat,
                                      Runnable onClose) {
        Geometry g;
        try {
            g = ShmLayout.geometry(options.slotSize(), options.slotCount(), settings.consumerCapacity());
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new InvalidInputException("shm.size", options.slotSize() + "x" + options.slotCount(), e.getMessage());
        }
        ShmHandle handle = platform.create(segmentName, g.totalSize(), access);
        try {
            MemorySegment seg = handle.map(0, g.totalSize(), true);
            handle.releaseDescriptor();
            int flags = (options.policy() == ShmPolicy.RELIABLE ? ShmLayout.FLAG_RELIABLE : 0)
                    | (options.crc32c() ? ShmLayout.FLAG_CRC32C : 0);
            ShmLayout.writeHeader(seg, g, flags, ProcessHandle.current().pid(), Liveness.currentStartMillis(),
                    settings.heartbeatPeriod().toNanos(), RingSettings.nanos(options.reliableTimeout()));
            ShmLayout.writeChannelName(seg, name.value());
            ShmLayout.publishMagic(seg);
            RingProducer producer = new RingProducer(name, platform, handle, seg, g, options, settings, heartbeat,
                    onClose == null ? () -> { } : onClose);
            if (heartbeat != null) {
                heartbeat.add(producer);
            }
            LOG.debug("shm producer {} created segment {} ({} x {} B, {})", name, segmentName, g.slotCount(),
                    g.slotSize(), options.policy());
            return producer;
        } catch (RuntimeException e) {
            handle.close();
            platform.unlink(segmentName);
            throw e;
        }
    }

    /** The segment's name (what consumers open). */
    public String segmentName() {
        return handle.name();
    }

    @Override
    public void beat() {
        if (open) {
            long size = handle.currentSize();
            if (size >= 0 && size < g.totalSize()) {
                fail("the file has " + size + " bytes, the layout needs " + g.totalSize() + " (truncated under its mapping)");
                return;
            }
            ShmLayout.bumpProducerHeartbeat(seg);
            surveyTable();
        }
    }

    /**
     * Once per heartbeat: every entry of the table, not only up to HIGH_WATER. Raises the scan limit to the
     * entries in use (whatever HIGH_WATER says) and clears the WAITING flag of entries that are free or whose
     * process is gone (a consumer killed while blocked, or garbage), so they cost no wake syscall per commit
     * for longer than a period.
     */
    private void surveyTable() {
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
            }
        }
        raiseKnownEntries(used);
    }

    @Override
    public void segmentFailed(Throwable cause) {
        fail("an access to the mapping faulted (" + cause.getMessage() + "): the file shrank under it");
    }

    /**
     * The segment is unusable (truncated under the mapping, a futex word without a page): closes the channel
     * with SEGMENT_INVALID from any thread without blocking: no more frames, the file is removed (nobody can
     * use it), the channel is unregistered ({@code onClose}); the mapping is released now if no claim is open,
     * else by the claim's thread when it lets go. Later calls throw SEGMENT_INVALID.
     */
    void fail(String why) {
        synchronized (this) {
            if (failure != null) {
                return;
            }
            failure = why;
        }
        if (heartbeat != null) {
            heartbeat.remove(this);
        }
        LOG.warn("shm producer {}: segment {} is unusable, closing the channel: {}", name, handle.name(), why);
        try {
            platform.unlink(handle.name());
        } catch (RuntimeException e) {
            LOG.debug("shm producer {}: cannot remove segment {}", name, handle.name(), e);
        }
        // unregistered before anyone can see SEGMENT_INVALID from this producer (open is still true until here)
        runOnClose();
        open = false;
        if (lock.tryLock()) {
            try {
                releaseMapping();
            } finally {
                lock.unlock();
            }
        }
    }

    private LabHubException failed(InternalError e) {
        fail("an access to the mapping faulted (" + e.getMessage() + "): the file shrank under it");
        return ShmLayout.invalid(handle.name(), failure);
    }

    /** Caller holds the lock. */
    private void releaseMapping() {
        if (!unmapped) {
            unmapped = true;
            handle.close();
        }
    }

    /** Unlocks; the last unlock after a failure releases the mapping (no claim can use it any more). */
    private void unlock() {
        try {
            if (failure != null && lock.getHoldCount() == 1) {
                releaseMapping();
            }
        } finally {
            lock.unlock();
        }
    }

    private void runOnClose() {
        if (closeRan.compareAndSet(false, true)) {
            onClose.run();
        }
    }

    private void raiseKnownEntries(int n) {
        if (n > knownEntries.get()) {
            knownEntries.accumulateAndGet(Math.min(n, g.consumerCapacity()), Math::max);
        }
    }

    @Override
    public ChannelName name() {
        return name;
    }

    @Override
    public ChannelKind kind() {
        return ChannelKind.SHM;
    }

    @Override
    public ChannelCounters counters() {
        return new ChannelCounters(sent.get(), bytesSent.get(), 0, 0, dropped.get(), 0, 0, timeouts.get(), 0);
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    /** The counters as the segment header holds them (what an observer reads; see {@link SegmentObserver}). */
    ChannelCounters headerCounters() {
        return ShmLayout.producerCounters(seg, seg.asSlice(ShmLayout.TABLE_OFFSET, ShmLayout.PAGE));
    }

    @Override
    public int maxFrameSize() {
        return g.slotSize();
    }

    @Override
    public ShmClaim claim(int length) {
        if (length < 0) {
            throw new InvalidInputException("shm.length", Integer.toString(length), "a frame length must not be negative");
        }
        if (length > g.slotSize()) {
            throw new MessageTooLargeException("frame of " + length + " bytes exceeds the slot size " + g.slotSize()
                    + " of channel " + name);
        }
        lock.lock();
        if (claim.active) {
            // this thread left its previous claim open (no commit, abort or close): abort it
            claim.active = false;
            lock.unlock();
        }
        try {
            ensureOpen();
            long s = nextSequence;
            if (reliable) {
                awaitConsumers(s);
            }
            long off = nextSlotOffset;
            ShmLayout.slotSequenceRelease(seg, off, -s);
            VarHandle.storeStoreFence();
            claim.start(s, off, length);
            return claim;
        } catch (InternalError e) {
            LabHubException invalid = failed(e);
            unlock();
            throw invalid;
        } catch (RuntimeException e) {
            unlock();
            throw e;
        }
    }

    @Override
    public long publish(byte[] payload) {
        int length = payload.length;
        claim(length);
        // straight into the slot: no payload view is made for a claim the caller never sees
        try {
            MemorySegment.copy(payload, 0, seg, ValueLayout.JAVA_BYTE, claim.offset + ShmLayout.SLOT_HEADER_LENGTH, length);
        } catch (InternalError e) {
            throw claim.faulted(e);
        }
        return claim.publishCommit(length);
    }

    @Override
    public long publish(ByteBuffer payload) {
        return publish(MemorySegment.ofBuffer(payload));
    }

    @Override
    public long publish(MemorySegment payload) {
        if (payload.byteSize() > g.slotSize()) {
            throw new MessageTooLargeException("frame of " + payload.byteSize() + " bytes exceeds the slot size "
                    + g.slotSize() + " of channel " + name);
        }
        int length = (int) payload.byteSize();
        claim(length);
        try {
            MemorySegment.copy(payload, 0, seg, claim.offset + ShmLayout.SLOT_HEADER_LENGTH, length);
        } catch (InternalError e) {
            throw claim.faulted(e);
        } catch (RuntimeException e) {
            claim.abort(); // e.g. the caller's segment was closed: publish nothing, keep the producer usable
            throw e;
        }
        return claim.publishCommit(length);
    }

    private void ensureOpen() {
        String why = failure; // set before open flips: the mapping may be released already
        if (why != null) {
            throw ShmLayout.invalid(handle.name(), why + "; channel " + name + " was closed");
        }
        if (!open) {
            throw new ChannelClosedException("shm producer " + name + " is closed");
        }
    }

    private long nowEpochNanos() {
        return epochBaseNanos + (System.nanoTime() - nanoBase);
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
    private void awaitConsumers(long s) {
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
            ensureOpen();
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
     * Whether a consumer announced that it sleeps: each consumer's own WAITING flag, on a line of its own
     * that it writes only around a sleep, so this costs a cached load per entry while nobody sleeps. Garbage
     * in another entry can only cause needless wakes, never a missed one; no shared count decides.
     */
    private boolean anyWaiting() {
        for (int i = 0, n = highWater(); i < n; i++) {
            if (table.waitingVolatile(i) != 0) {
                return true;
            }
        }
        return false;
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


    @Override
    public void close() {
        if (!open) {
            return;
        }
        open = false;
        if (heartbeat != null) {
            heartbeat.remove(this);
        }
        boolean locked = false;
        try {
            locked = lock.tryLock(reliableTimeoutNanos + TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            ShmLayout.producerStateVolatile(seg, ShmLayout.PRODUCER_CLOSED);
            ShmLayout.bumpNotifyWord(seg);
            platform.wake(handle, notifyWord);
            if (!table.anyLiveConsumer()) {
                platform.unlink(handle.name());
            }
        } catch (InternalError e) {
            LOG.warn("shm producer {}: segment {} was truncated under its mapping; removing it", name, handle.name());
            unlinkQuietly();
        } catch (RuntimeException e) {
            LOG.warn("shm producer {}: error while closing segment {}", name, handle.name(), e);
        } finally {
            if (locked) {
                releaseMapping();
                lock.unlock();
            } else {
                LOG.warn("shm producer {}: a claim was never committed; the mapping stays until the JVM exits", name);
            }
        }
        runOnClose();
    }

    private void unlinkQuietly() {
        try {
            platform.unlink(handle.name());
        } catch (RuntimeException e) {
            LOG.debug("cannot remove segment {}", handle.name(), e);
        }
    }

    /** The one claim of this producer (a producer has at most one open claim: it holds the lock). */
    private final class RingClaim implements ShmClaim {
        private long sequence;
        private long offset;
        private int length;
        private MemorySegment payload;
        private boolean active;

        void start(long s, long off, int len) {
            sequence = s;
            offset = off;
            length = len;
            payload = null; // made on demand by segment(): publish() copies without it
            active = true;
        }

        private void ensureActive() {
            if (!active || !lock.isHeldByCurrentThread()) {
                throw new IllegalStateException("claim is no longer active or belongs to another thread");
            }
        }

        @Override
        public MemorySegment segment() {
            ensureActive();
            MemorySegment p = payload;
            if (p == null) {
                p = seg.asSlice(offset + ShmLayout.SLOT_HEADER_LENGTH, length);
                payload = p;
            }
            return p;
        }

        @Override
        public long sequence() {
            return sequence;
        }

        @Override
        public void commit(long committed) {
            ensureActive();
            if (committed < 0 || committed > length) {
                throw new InvalidInputException("shm.commit", Long.toString(committed),
                        "commit length must be between 0 and the claimed " + length + " bytes");
            }
            publishCommit((int) committed);
        }

        /**
         * Commits {@code len} bytes (0 &lt;= len &lt;= length) of the active claim of the calling thread, which
         * holds the lock; always ends the claim and releases the lock. @return the sequence committed
         */
        long publishCommit(int len) {
            try {
                ensureOpen();
                seg.set(ValueLayout.JAVA_INT, offset + ShmLayout.SLOT_LENGTH, len);
                seg.set(ValueLayout.JAVA_LONG, offset + ShmLayout.SLOT_TIMESTAMP, nowEpochNanos());
                if (crc) {
                    seg.set(ValueLayout.JAVA_INT, offset + ShmLayout.SLOT_CRC,
                            crc32c.of(seg, offset + ShmLayout.SLOT_HEADER_LENGTH, len));
                }
                ShmLayout.slotSequenceRelease(seg, offset, sequence);
                ShmLayout.writeSequenceVolatile(seg, sequence);
                ShmLayout.addCounterOrdered(seg, ShmLayout.FRAMES_OFFSET, 1);
                ShmLayout.addCounterOrdered(seg, ShmLayout.BYTES_OFFSET, len);
                nextSequence = sequence + 1;
                long nextOff = offset + g.slotStride();
                nextSlotOffset = nextOff < slotsEnd ? nextOff : g.slotsOffset();
                sent.setOpaque(sent.getPlain() + 1);
                bytesSent.setOpaque(bytesSent.getPlain() + len);
                if (anyWaiting()) { // volatile loads after the volatile store of WRITE_SEQUENCE: Dekker with block()
                    ShmLayout.bumpNotifyWord(seg);
                    platform.wake(handle, notifyWord);
                }
                return sequence;
            } catch (InternalError e) {
                throw failed(e);
            } catch (LabHubException e) {
                if (e.code() == ErrorCode.SEGMENT_INVALID) {
                    fail(e.getMessage()); // e.g. the futex word lost its page
                }
                throw e;
            } finally {
                active = false;
                unlock();
            }
        }

        /** A mapped access of this claim faulted: ends it, closes the producer; @return the error to throw */
        LabHubException faulted(InternalError e) {
            LabHubException invalid = failed(e);
            active = false;
            unlock();
            return invalid;
        }

        @Override
        public void abort() {
            ensureActive();
            active = false;
            unlock();
        }

        @Override
        public void close() {
            if (active && lock.isHeldByCurrentThread()) {
                abort();
            }
        }
    }
}
