package io.labhub.transport.shm.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

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
    private final long reliableTimeoutNanos;
    private final Heartbeat heartbeat;
    private final Runnable onClose;
    private final RingLock lock = new RingLock();
    private final RingClaim claim = new RingClaim();
    private final SafeCrc crc32c = new SafeCrc();
    private final AtomicBoolean closeRan = new AtomicBoolean();
    /** Why the segment became unusable (the channel is then closed), or null. */
    private volatile String failure;
    /** Whether the mapping was released; guarded by {@link #lock}. */
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
            locked = lock.tryLock(reliableTimeoutNanos + TimeUnit.SECONDS.toNanos(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
                // volatile loads of the WAITING flags after the volatile store of WRITE_SEQUENCE: Dekker with block()
                consumers.wakeReached(sequence, platform, handle);
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
