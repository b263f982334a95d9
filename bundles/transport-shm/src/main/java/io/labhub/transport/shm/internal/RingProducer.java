package io.labhub.transport.shm.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

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
 * flags, so a consumer that announced it sleeps is never missed; only sleepers whose WAIT_TARGET the commit
 * reaches are woken, each once per sleep, on their own entry's word). A producer that dies between claim and commit
 * leaves {@code -s} behind, which no reader accepts. What it reads of its consumers (the wake-up check, the
 * {@code reliable} wait and drops, the heartbeat's survey) is {@link ConsumerScan}.
 *
 * <p>Threads: by default a {@link RingLock} makes claim to commit exclusive, so any thread may publish and a
 * close from another thread waits for an open claim. A {@link ShmOptions#singleWriter() single-writer} producer
 * takes no lock (no atomic operation per frame: measured, the CAS and its fence are what keeps the 64 B stream
 * of the default producer in a slow mode at times, benchmarks/README.md, 2026-12-07): its writer is the thread
 * of the first claim, and a close or failure from another thread releases the mapping at once. That is safe
 * because the mapping belongs to a shared {@link java.lang.foreign.Arena}: closing it is a handshake after
 * which no thread touches the memory, and the writer's next access throws {@link IllegalStateException},
 * which the producer reports as {@link ChannelClosedException} (or SEGMENT_INVALID after a failure).
 */
public final class RingProducer implements ShmProducer, Heartbeat.Beating {

    private static final Logger LOG = LoggerFactory.getLogger(RingProducer.class);

    private final ChannelName name;
    private final ShmPlatform platform;
    private final ShmHandle handle;
    private final MemorySegment seg;
    private final Geometry g;
    /** The consumer table within {@link #seg}. */
    private final ConsumerTable table;
    /** What the producer reads of its consumers: wake check, reliable wait and drops, heartbeat survey. */
    private final ConsumerScan consumers;
    private final boolean reliable;
    private final boolean crc;
    /** Whether commits stamp frames with the clock ({@link ShmOptions#commitTimestamps()}), else 0. */
    private final boolean stamps;
    private final long reliableTimeoutNanos;
    private final Heartbeat heartbeat;
    private final Runnable onClose;
    private final RingLock lock = new RingLock();
    /** Whether claims take no lock and belong to {@link #writer} ({@link ShmOptions#singleWriter()}). */
    private final boolean singleWriter;
    /** A single-writer producer's thread: set by its first claim, replaced only once that thread ended. */
    private final AtomicReference<Thread> writer = new AtomicReference<>();
    private final RingClaim claim = new RingClaim();
    private final SafeCrc crc32c = new SafeCrc();
    private final AtomicBoolean closeRan = new AtomicBoolean();
    /** Why the segment became unusable (the channel is then closed), or null. */
    private volatile String failure;
    /** Whether the mapping was released; guarded by {@code this}. */
    private boolean unmapped;
    private final long epochBaseNanos = System.currentTimeMillis() * 1_000_000L;
    private final long nanoBase = System.nanoTime();

    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong bytesSent = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong timeouts = new AtomicLong();

    private volatile boolean open = true;
    private long nextSequence = 1;
    /** Offset of {@link #nextSequence}'s slot, kept in step with it (no division on the hot path). */
    private long nextSlotOffset;
    private final long slotsEnd;

    private RingProducer(ChannelName name, ShmPlatform platform, ShmHandle handle, MemorySegment seg, Geometry g,
                         ShmOptions options, RingSettings settings, Heartbeat heartbeat, Runnable onClose) {
        this.name = name;
        this.platform = platform;
        this.handle = handle;
        this.seg = seg;
        this.g = g;
        this.table = new ConsumerTable(seg.asSlice(g.tableOffset(), g.tableLength()), g.consumerCapacity());
        this.reliable = options.policy() == ShmPolicy.RELIABLE;
        this.crc = options.crc32c();
        this.stamps = options.commitTimestamps();
        this.singleWriter = options.singleWriter();
        this.reliableTimeoutNanos = RingSettings.nanos(options.reliableTimeout());
        this.heartbeat = heartbeat;
        this.onClose = onClose;
        this.consumers = new ConsumerScan(name, seg, g, table, reliableTimeoutNanos,
                settings.livenessTimeout().toNanos(), dropped, timeouts, this::ensureOpen);
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
        // the schema's JSON and hash go into the segment (docs/shm-layout.md), so a consumer checks what it maps
        byte[] schemaJson = options.schema() == null ? new byte[0]
                : options.schema().toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (schemaJson.length > ShmLayout.SCHEMA_MAX) {
            throw new InvalidInputException("schema.tooLarge", schemaJson.length + " bytes", "[schema.tooLarge] a"
                    + " schema's JSON is at most " + ShmLayout.SCHEMA_MAX + " bytes: " + schemaJson.length + " bytes");
        }
        Geometry g;
        try {
            g = ShmLayout.geometry(options.slotSize(), options.slotCount(), settings.consumerCapacity(), schemaJson.length);
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
            ShmLayout.writeSchema(seg, g, schemaJson, options.schema() == null ? null : options.schema().hash());
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
            consumers.survey(platform, handle);
        }
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
        if (singleWriter) {
            releaseMapping(); // the writer's next access of the ring throws: see the class comment
        } else if (lock.tryLock()) {
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

    /** Releases the mapping once (the default producer: its caller holds the lock, so no claim is open). */
    private synchronized void releaseMapping() {
        if (!unmapped) {
            unmapped = true;
            try {
                handle.close();
            } catch (IllegalStateException e) {
                // a single writer has the mapping in a native call (e.g. a channel read into its claim's segment):
                // the arena refuses to close; the writer's commit finds the producer closed
                LOG.warn("shm producer {}: the writing thread holds the mapping of segment {} in a native call; it"
                        + " stays mapped until the JVM exits", name, handle.name());
            }
        }
    }

    /**
     * Ends a claim: unlocks; the last unlock after a failure releases the mapping (no claim can use it any
     * more). A single-writer producer holds no lock: nothing to do.
     */
    private void unlock() {
        if (singleWriter) {
            return;
        }
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

    /** The scan of this producer's consumers (for tests that set its timing). */
    ConsumerScan consumerScan() {
        return consumers;
    }

    /** The counters as the segment header holds them (what an observer reads; see {@link SegmentObserver}). */
    ChannelCounters headerCounters() {
        return ShmLayout.producerCounters(seg, seg.asSlice(g.tableOffset(), ShmLayout.PAGE));
    }

    @Override
    public int maxFrameSize() {
        return g.slotSize();
    }

    /*
     * A fault in a mapped access (the file truncated under the mapping) is an InternalError that HotSpot raises
     * asynchronously: it can surface after the faulting access's own try block, up to the method's return
     * (found by SingleWriterTest: a publish in flight when the file was cut let it escape and left the file
     * behind). So every entry point also turns a late one into SEGMENT_INVALID and ends the claim.
     */

    @Override
    public ShmClaim claim(int length) {
        try {
            return claimSlot(length);
        } catch (InternalError e) {
            throw faultedLate(e);
        }
    }

    /** A fault that surfaced outside the access that raised it: fails the producer, ends an open claim. */
    private LabHubException faultedLate(InternalError e) {
        LabHubException invalid = failed(e);
        if (claim.active && ownsClaim()) {
            claim.active = false;
            unlock();
        }
        return invalid;
    }

    private ShmClaim claimSlot(int length) {
        if (length < 0) {
            throw new InvalidInputException("shm.length", Integer.toString(length), "a frame length must not be negative");
        }
        if (length > g.slotSize()) {
            throw new MessageTooLargeException("frame of " + length + " bytes exceeds the slot size " + g.slotSize()
                    + " of channel " + name);
        }
        if (!singleWriter) {
            lock.lock();
            if (claim.active) {
                // this thread left its previous claim open (no commit, abort or close): abort it
                claim.active = false;
                lock.unlock();
            }
        }
        try {
            ensureOpen();
            if (singleWriter) {
                checkWriter(); // after the open check: a closed producer says so to every thread
                claim.active = false; // a claim the writer left open (no commit, abort or close) is aborted
            }
            long s = nextSequence;
            if (reliable) {
                consumers.awaitConsumers(s);
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
        } catch (IllegalStateException e) {
            unlock();
            throw closedUnder(e);
        } catch (RuntimeException e) {
            unlock();
            throw e;
        }
    }

    /** A single-writer claim: the calling thread must be the writer, or become it (first claim, or it ended). */
    private void checkWriter() {
        Thread t = Thread.currentThread();
        Thread w = writer.get();
        if (w == t) {
            return;
        }
        while (w == null || !w.isAlive()) {
            if (writer.compareAndSet(w, t)) {
                return;
            }
            w = writer.get();
            if (w == t) {
                return;
            }
        }
        throw new IllegalStateException("shm producer " + name + " is single-writer (ShmOptions.singleWriter) and bound"
                + " to thread '" + w.getName() + "'; thread '" + t.getName() + "' may not claim or publish");
    }

    /** Whether the calling thread may use the open claim: it holds the lock, or it is the single writer. */
    private boolean ownsClaim() {
        return singleWriter ? writer.get() == Thread.currentThread() : lock.isHeldByCurrentThread();
    }

    /**
     * An {@link IllegalStateException} from a ring access: the mapping was released under the claim by a
     * close or failure on another thread (single-writer: see the class comment); @return what to throw
     */
    private RuntimeException closedUnder(IllegalStateException e) {
        if (seg.scope().isAlive()) {
            return e; // not ours: e.g. a caller's own segment
        }
        String why = failure;
        return why != null ? ShmLayout.invalid(handle.name(), why + "; channel " + name + " was closed")
                : new ChannelClosedException("shm producer " + name + " was closed during the claim", e);
    }

    @Override
    public long publish(byte[] payload) {
        try {
            return publishBytes(payload);
        } catch (InternalError e) {
            throw faultedLate(e);
        }
    }

    private long publishBytes(byte[] payload) {
        int length = payload.length;
        claimSlot(length);
        // straight into the slot: no payload view is made for a claim the caller never sees
        try {
            MemorySegment.copy(payload, 0, seg, ValueLayout.JAVA_BYTE, claim.offset + ShmLayout.SLOT_HEADER_LENGTH, length);
        } catch (InternalError e) {
            throw claim.faulted(e);
        } catch (IllegalStateException e) {
            claim.abort();
            throw closedUnder(e);
        }
        return claim.publishCommit(length);
    }

    @Override
    public long publish(ByteBuffer payload) {
        return publish(MemorySegment.ofBuffer(payload));
    }

    @Override
    public long publish(MemorySegment payload) {
        try {
            return publishSegment(payload);
        } catch (InternalError e) {
            throw faultedLate(e);
        }
    }

    private long publishSegment(MemorySegment payload) {
        if (payload.byteSize() > g.slotSize()) {
            throw new MessageTooLargeException("frame of " + payload.byteSize() + " bytes exceeds the slot size "
                    + g.slotSize() + " of channel " + name);
        }
        int length = (int) payload.byteSize();
        claimSlot(length);
        try {
            MemorySegment.copy(payload, 0, seg, claim.offset + ShmLayout.SLOT_HEADER_LENGTH, length);
        } catch (InternalError e) {
            throw claim.faulted(e);
        } catch (RuntimeException e) {
            claim.abort(); // e.g. the caller's segment was closed: publish nothing, keep the producer usable
            throw e instanceof IllegalStateException ise ? closedUnder(ise) : e;
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








    @Override
    public void close() {
        if (!open) {
            return;
        }
        open = false;
        if (heartbeat != null) {
            heartbeat.remove(this);
        }
        // a single-writer producer never waits for its writer: releasing the mapping under it is safe (class comment)
        boolean locked = false;
        if (!singleWriter) {
            try {
                locked = lock.tryLock(reliableTimeoutNanos + TimeUnit.SECONDS.toNanos(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            ShmLayout.producerStateVolatile(seg, ShmLayout.PRODUCER_CLOSED);
            consumers.wakeAll(platform, handle);
            if (!table.anyLiveConsumer()) {
                platform.unlink(handle.name());
            }
        } catch (InternalError e) {
            LOG.warn("shm producer {}: segment {} was truncated under its mapping; removing it", name, handle.name());
            unlinkQuietly();
        } catch (RuntimeException e) {
            LOG.warn("shm producer {}: error while closing segment {}", name, handle.name(), e);
        } finally {
            if (singleWriter || locked) {
                releaseMapping();
                if (locked) {
                    lock.unlock();
                }
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

    /** The one claim of this producer (at most one is open: its thread holds the lock, or is the single writer). */
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
            if (!active || !ownsClaim()) {
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
            try {
                publishCommit((int) committed);
            } catch (InternalError e) {
                throw faultedLate(e);
            }
        }

        /**
         * Commits {@code len} bytes (0 &lt;= len &lt;= length) of the active claim of the calling thread, which
         * holds the lock; always ends the claim and releases the lock. @return the sequence committed
         */
        long publishCommit(int len) {
            try {
                ensureOpen();
                seg.set(ValueLayout.JAVA_INT, offset + ShmLayout.SLOT_LENGTH, len);
                // 0 without timestamps, never an older lap's value (the clock read is 22 ns on the latency path)
                seg.set(ValueLayout.JAVA_LONG, offset + ShmLayout.SLOT_TIMESTAMP, stamps ? nowEpochNanos() : 0L);
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
                // volatile loads of the WAITING flags after the volatile store of WRITE_SEQUENCE: Dekker with block()
                consumers.wakeReached(sequence, platform, handle);
                return sequence;
            } catch (InternalError e) {
                throw failed(e);
            } catch (IllegalStateException e) {
                throw closedUnder(e);
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
            if (active && ownsClaim()) {
                abort();
            }
        }
    }
}
