package io.labhub.transport.shm.internal;

import static io.labhub.transport.shm.internal.ShmLayout.INT;
import static io.labhub.transport.shm.internal.ShmLayout.LONG;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.labhub.api.ChannelClosedException;
import io.labhub.api.ChannelCounters;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelName;
import io.labhub.api.ChannelState;
import io.labhub.api.ChannelTimeoutException;
import io.labhub.api.ErrorCode;
import io.labhub.api.FrameHandler;
import io.labhub.api.InvalidInputException;
import io.labhub.api.LabHubException;
import io.labhub.api.Message;
import io.labhub.api.PollResult;
import io.labhub.api.ShmConsumer;
import io.labhub.api.ShmFrame;
import io.labhub.api.WaitStrategy;
import io.labhub.transport.shm.internal.ShmLayout.Expectation;
import io.labhub.transport.shm.internal.ShmLayout.Geometry;
import io.labhub.transport.shm.internal.ShmLayout.Header;
import io.labhub.transport.shm.internal.platform.ShmHandle;
import io.labhub.transport.shm.internal.platform.ShmPlatform;

/**
 * The consuming end of a ring (layout: {@link ShmLayout}). Usable on its own, without a Hub.
 *
 * <p>Mapping: the header page and the slots are mapped read-only; only the consumer table (whole
 * pages after the header) is mapped writable, because a consumer writes its own entry there.
 *
 * <p>Reading is seqlock style: the slot's sequence is read (acquire) before the payload and again
 * (after an acquire fence) when the read ends; only an unchanged, expected sequence makes a frame
 * valid. A fresh consumer starts with the first frame committed after it joined; after a remap to a
 * restarted producer it starts with the oldest frame still in the new ring.
 */
public final class RingConsumer implements ShmConsumer, Heartbeat.Beating {

    private static final Logger LOG = LoggerFactory.getLogger(RingConsumer.class);
    private static final long REDISCOVER_NANOS = 250_000_000;
    private static final long PROCESS_CHECK_NANOS = 50_000_000;
    /** Polls between two clock reads while spinning (bounds the overshoot of the spin phase to a few polls). */
    static final int SPINS_PER_CLOCK_READ = 16;
    /** The most frames a poll batch releases before it publishes its POSITION (see {@link #batching}). */
    static final int POSITION_STRIDE = 16;

    private final ChannelName name;
    private final ShmPlatform platform;
    private final RingSettings settings;
    private final long spinNanos;
    private final long yieldNanos;
    private final Heartbeat heartbeat;
    private final Runnable onClose;
    private final Supplier<Endpoint> rediscover;
    private final ReentrantLock lock = new ReentrantLock();
    private final SafeCrc crc32c = new SafeCrc();
    private final AtomicBoolean closeRan = new AtomicBoolean();
    /** Why the segment became unusable (the consumer is then closed), or null. */
    private volatile String failure;
    /** Whether the current mapping was given up after a failure; guarded by {@link #lock}. */
    private boolean released;

    private final AtomicLong received = new AtomicLong();
    private final AtomicLong bytesReceived = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong gaps = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong timeouts = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();

    private volatile Mapping mapping;
    private volatile boolean open = true;
    private volatile boolean producerLostEvent;
    private volatile Endpoint pendingRemap;
    private volatile boolean producerBeatFresh = true;
    private long nextSequence;
    /**
     * While a poll batch runs (reader thread, under the lock): releases publish POSITION only every
     * {@link #POSITION_STRIDE} frames and at the batch's end (Aeron updates a subscriber's position once
     * per poll). A position store per frame pulls the entry's line to this core every frame, and a reliable
     * producer whose ring is full reads that line before every claim: the two then trade it frame by frame.
     */
    private boolean batching;
    private long batchPosition;
    private int batchUnpublished;
    private long pendingSkipped;
    private long lastRediscover;
    private long lastProcessCheck;
    private boolean lastProcessAlive = true;

    /** Where a channel's segment is and what the broker said about it. */
    public record Endpoint(String segmentName, Expectation expectation) {
    }

    private RingConsumer(ChannelName name, ShmPlatform platform, RingSettings settings, WaitStrategy wait,
                         Heartbeat heartbeat, Runnable onClose, Supplier<Endpoint> rediscover) {
        this.name = name;
        this.platform = platform;
        this.settings = settings;
        this.spinNanos = RingSettings.nanos(wait.spin());
        this.yieldNanos = RingSettings.nanos(wait.yield());
        this.heartbeat = heartbeat;
        this.onClose = onClose == null ? () -> { } : onClose;
        this.rediscover = rediscover;
    }

    /**
     * Maps and validates the segment, then joins its consumer table.
     *
     * @param heartbeat  bumps this consumer's heartbeat; {@code null} to beat from the read path only
     * @param onClose    run once on close (the transport detaches)
     * @param rediscover asked (at most every 250 ms, while waiting) for the channel's current endpoint when
     *                   the producer is gone; {@code null} when there is no broker
     * @throws LabHubException {@link ErrorCode#SEGMENT_INVALID} when the segment is unusable
     */
    public static RingConsumer open(ShmPlatform platform, ChannelName name, Endpoint endpoint, WaitStrategy wait,
                                    RingSettings settings, Heartbeat heartbeat, Runnable onClose,
                                    Supplier<Endpoint> rediscover) {
        RingConsumer consumer = new RingConsumer(name, platform, settings, wait, heartbeat, onClose, rediscover);
        Mapping m = consumer.map(endpoint, false);
        consumer.mapping = m;
        consumer.nextSequence = m.joinedAt + 1;
        if (heartbeat != null) {
            heartbeat.add(consumer);
        }
        return consumer;
    }

    /** The segment currently read. */
    public String segmentName() {
        return mapping.handle.name();
    }

    /** The broker reported a new registration of this channel: switch to it at the next read. */
    public void requestRemap(Endpoint endpoint) {
        Mapping m = mapping;
        if (m == null || !m.handle.name().equals(endpoint.segmentName())) {
            pendingRemap = endpoint;
        }
        producerLostEvent = false;
    }

    /** The broker reported the producer lost. */
    public void producerLost() {
        producerLostEvent = true;
    }

    @Override
    public void beat() {
        Mapping m = mapping;
        if (!open || m == null) {
            return;
        }
        long size = m.handle.currentSize();
        long needed = m.header.geometry().totalSize();
        if (size >= 0 && size < needed) {
            fail("the file has " + size + " bytes, the layout needs " + needed + " (truncated under its mapping)");
            return;
        }
        m.table.bumpHeartbeat(m.entry);
        producerBeatFresh = m.producerBeat.heartbeatFresh(
                (long) LONG.getAcquire(m.head, ShmLayout.PRODUCER_HEARTBEAT_OFFSET), System.nanoTime());
    }

    @Override
    public void segmentFailed(Throwable cause) {
        fail("an access to the mapping faulted (" + cause.getMessage() + "): the file shrank under it");
    }

    /**
     * The segment is unusable: closes this consumer with SEGMENT_INVALID from any thread without blocking
     * (detached and forgotten by the Hub through {@code onClose}); a blocked reader returns within its block
     * slice with the error. The mapping is given up now, or by the reader when it returns.
     */
    void fail(String why) {
        synchronized (this) {
            if (failure != null || !open) {
                return;
            }
            failure = why;
        }
        if (heartbeat != null) {
            heartbeat.remove(this);
        }
        Mapping m = mapping;
        LOG.warn("shm consumer {}: segment {} is unusable, closing: {}", name, m.handle.name(), why);
        // detached before anyone can see SEGMENT_INVALID from this consumer (open is still true until here)
        runOnClose();
        open = false;
        try {
            platform.wake(m.handle, m.notifyWord);
        } catch (RuntimeException e) {
            LOG.trace("wake after failure failed", e);
        }
        if (lock.tryLock()) {
            try {
                releaseFailed();
            } finally {
                lock.unlock();
            }
        }
    }

    private LabHubException failed(InternalError e) {
        fail("an access to the mapping faulted (" + e.getMessage() + "): the file shrank under it");
        return invalidNow();
    }

    private LabHubException invalidNow() {
        return ShmLayout.invalid(mapping.handle.name(), failure + "; consumer of " + name + " was closed");
    }

    /**
     * After a failure, by the lock holder: unmaps without touching the pages (our entry may be gone) and removes
     * the file when its producer is dead (a live producer removes its own unusable segment).
     */
    private void releaseFailed() {
        if (released) {
            return;
        }
        released = true;
        Mapping m = mapping;
        try {
            if (!Liveness.processAlive(m.header.producerPid(), m.header.producerStartMillis())) {
                platform.unlink(m.handle.name());
            }
        } catch (RuntimeException e) {
            LOG.debug("cannot remove segment {}", m.handle.name(), e);
        } finally {
            m.handle.close();
        }
    }

    /** Ends a read: after a failure the last lock holder gives up the mapping. */
    private void unlockRead() {
        try {
            if (failure != null && lock.getHoldCount() == 1) {
                releaseFailed();
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
        return new ChannelCounters(0, 0, received.get(), bytesReceived.get(), dropped.get(), gaps.get(),
                reconnects.get(), timeouts.get(), errors.get());
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    /**
     * {@link #producerAlive()} as a state: the producer's heartbeat in the segment header, its state word and
     * process, and the broker's {@code PRODUCER_LOST} event, judged as the consumer already does.
     */
    @Override
    public ChannelState producerState() {
        if (!open) {
            return ChannelState.CLOSED;
        }
        return producerAlive() ? ChannelState.ACTIVE : ChannelState.PRODUCER_LOST;
    }

    @Override
    public boolean producerAlive() {
        Mapping m = mapping;
        if (!open || m == null || producerLostEvent) {
            return false;
        }
        try {
            if ((int) INT.getAcquire(m.head, ShmLayout.PRODUCER_STATE_OFFSET) != ShmLayout.PRODUCER_OPEN) {
                return false;
            }
        } catch (IllegalStateException e) {
            return false;
        } catch (InternalError e) {
            failed(e);
            return false;
        }
        return producerBeatFresh && Liveness.processAlive(m.header.producerPid(), m.header.producerStartMillis());
    }

    @Override
    public Optional<ShmFrame> poll() {
        lock.lock();
        try {
            ensureOpen();
            maintain(false);
            return Optional.ofNullable(tryNext());
        } catch (InternalError e) {
            throw failed(e); // a page of the mapping is gone: SEGMENT_INVALID, consumer closed
        } finally {
            unlockRead();
        }
    }

    @Override
    public Optional<ShmFrame> latest() {
        lock.lock();
        try {
            ensureOpen();
            maintain(false);
            Mapping m = mapping;
            long written = (long) LONG.getAcquire(m.head, ShmLayout.WRITE_SEQUENCE_OFFSET);
            if (written > nextSequence) {
                checkWritten(m, written);
                pendingSkipped += written - nextSequence;
                nextSequence = written;
            }
            return Optional.ofNullable(tryNext());
        } catch (InternalError e) {
            throw failed(e);
        } finally {
            unlockRead();
        }
    }

    @Override
    public ShmFrame next(Duration timeout) {
        lock.lock();
        try {
            ensureOpen();
            maintain(false);
            RingFrame frame = tryNext();
            if (frame != null) {
                return frame; // no clock read when a frame is ready
            }
            frame = awaitFrame(System.nanoTime() + RingSettings.nanos(timeout));
            if (frame == null) {
                timeouts.incrementAndGet();
                throw new ChannelTimeoutException("no frame on shm channel " + name + " in time");
            }
            return frame;
        } catch (InternalError e) {
            throw failed(e);
        } finally {
            unlockRead();
        }
    }

    @Override
    public int poll(FrameHandler handler, int limit) {
        return poll(handler, limit, Duration.ZERO);
    }

    /**
     * The batch read: one lock, one housekeeping check and (while frames are ready) no clock read for the
     * whole batch; nothing yet and closed are results, not exceptions.
     */
    @Override
    public int poll(FrameHandler handler, int limit, Duration wait) {
        Objects.requireNonNull(handler, "handler");
        if (limit < 1) {
            throw new InvalidInputException("shm.pollLimit", Integer.toString(limit), "a poll limit must be at least 1");
        }
        if (!open && failure == null) {
            return PollResult.CLOSED;
        }
        lock.lock();
        try {
            ensureReadable();
            if (!open) {
                return PollResult.CLOSED;
            }
            maintain(false);
            RingFrame frame = tryNext();
            if (frame == null) {
                if (wait.isZero() || wait.isNegative()) {
                    return PollResult.NOTHING_YET;
                }
                try {
                    frame = awaitFrame(System.nanoTime() + RingSettings.nanos(wait));
                } catch (ChannelClosedException closed) {
                    return PollResult.CLOSED;
                }
                if (frame == null) {
                    return PollResult.NOTHING_YET;
                }
            }
            int n = 0;
            batching = true;
            batchUnpublished = 0;
            try {
                while (true) {
                    n++;
                    try {
                        handler.onFrame(frame);
                    } finally {
                        frame.release(); // consumed, even when the handler threw (FrameHandler's contract)
                    }
                    if (n == limit || !open || (frame = tryNext()) == null) {
                        return n;
                    }
                }
            } finally {
                batching = false;
                if (batchUnpublished > 0) {
                    advancePosition(mapping, batchPosition);
                }
            }
        } catch (InternalError e) {
            throw failed(e);
        } finally {
            unlockRead();
        }
    }

    /**
     * Waits for the next frame until {@code deadline} (System.nanoTime): spin, yield, then block (the
     * consumer's wait strategy). Caller holds the lock. @return the frame, or null when the deadline passed
     */
    private RingFrame awaitFrame(long deadline) {
        long now = System.nanoTime();
        long spinEnd = now + spinNanos;
        RingFrame frame;
        while (now - spinEnd < 0 && now - deadline < 0) {
            // a few polls per clock read: the clock costs more than a poll of a cached line
            for (int i = 0; i < SPINS_PER_CLOCK_READ; i++) {
                Thread.onSpinWait();
                if ((frame = pollWritten()) != null) {
                    return frame;
                }
            }
            now = System.nanoTime();
        }
        long yieldEnd = now + yieldNanos;
        while (now - yieldEnd < 0 && now - deadline < 0) {
            Thread.yield();
            if ((frame = tryNext()) != null) {
                return frame;
            }
            now = System.nanoTime();
        }
        return block(deadline);
    }

    /** The blocking phase of {@link #awaitFrame}: @return the frame, or null at the deadline */
    private RingFrame block(long deadline) {
        long slice = settings.blockSlice().toNanos();
        while (true) {
            ensureOpen();
            maintain(true);
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            Mapping m = mapping;
            int word = (int) INT.getAcquire(m.head, ShmLayout.NOTIFY_WORD_OFFSET);
            // our own flag only (no shared count): the producer reads every entry's flag after each commit
            m.table.waitingVolatile(m.entry, 1);
            VarHandle.fullFence(); // the re-check below must not move above the flag (Dekker with the commit)
            try {
                RingFrame frame = tryNext();
                if (frame != null) {
                    return frame;
                }
                if (!open) {
                    continue;
                }
                try {
                    platform.await(m.handle, m.notifyWord, word, Math.min(left, slice));
                } catch (LabHubException e) {
                    if (e.code() == ErrorCode.SEGMENT_INVALID) {
                        fail(e.getMessage()); // the futex word lost its page
                        throw invalidNow();
                    }
                    throw e;
                }
            } finally {
                m.table.waitingRelease(m.entry, 0);
            }
            RingFrame frame = tryNext();
            if (frame != null) {
                return frame;
            }
        }
    }

    @Override
    public Message read(Duration timeout) {
        long deadline = System.nanoTime() + RingSettings.nanos(timeout);
        long lost = 0;
        while (true) {
            ShmFrame frame = next(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            byte[] copy;
            try {
                copy = frame.segment().toArray(ValueLayout.JAVA_BYTE);
            } catch (InternalError e) {
                throw failed(e);
            }
            if (frame.release()) {
                return new Message(frame.sequence(), frame.timestampNanos(), frame.skipped() + lost, copy);
            }
            lost += frame.skipped() + 1;
            gaps.incrementAndGet();
        }
    }

    /** Throws SEGMENT_INVALID after a failure (not for a plain close). */
    private void ensureReadable() {
        if (failure != null) {
            throw invalidNow();
        }
    }

    private void ensureOpen() {
        if (failure != null) {
            throw invalidNow(); // set before open flips: the mapping may be released already
        }
        if (!open) {
            throw new ChannelClosedException("shm consumer " + name + " is closed");
        }
    }

    /** Reader-thread housekeeping: remap on request, rediscover when the producer is gone. */
    private void maintain(boolean waiting) {
        Endpoint remap = pendingRemap;
        if (remap != null) {
            pendingRemap = null;
            remap(remap);
            return;
        }
        if (!waiting || rediscover == null) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastRediscover < REDISCOVER_NANOS) {
            return;
        }
        lastRediscover = now;
        if (!producerGone(now)) {
            return;
        }
        try {
            Endpoint current = rediscover.get();
            if (current != null && !current.segmentName().equals(mapping.handle.name())) {
                remap(current);
            }
        } catch (LabHubException e) {
            LOG.trace("shm consumer {}: rediscovery found nothing: {}", name, e.getMessage());
        }
    }

    private boolean producerGone(long now) {
        Mapping m = mapping;
        if (producerLostEvent
                || (int) INT.getAcquire(m.head, ShmLayout.PRODUCER_STATE_OFFSET) != ShmLayout.PRODUCER_OPEN) {
            return true;
        }
        if (now - lastProcessCheck >= PROCESS_CHECK_NANOS) {
            lastProcessCheck = now;
            lastProcessAlive = Liveness.processAlive(m.header.producerPid(), m.header.producerStartMillis());
        }
        return !lastProcessAlive || !producerBeatFresh;
    }

    private void remap(Endpoint endpoint) {
        Mapping old = mapping;
        Mapping fresh;
        try {
            fresh = map(endpoint, true);
        } catch (LabHubException e) {
            LOG.warn("shm consumer {}: cannot switch to segment {}: {}", name, endpoint.segmentName(), e.getMessage());
            errors.incrementAndGet();
            return;
        }
        mapping = fresh;
        nextSequence = fresh.joinedAt + 1;
        producerLostEvent = false;
        producerBeatFresh = true;
        lastProcessAlive = true;
        reconnects.incrementAndGet();
        LOG.info("shm consumer {}: switched from segment {} to {}", name, old.handle.name(), fresh.handle.name());
        leave(old);
    }

    /**
     * The spin loop's poll: while nothing new is committed it reads only WRITE_SEQUENCE, which the producer
     * stores once per commit, after the slot. Polling the slot itself would pull its cache line away from
     * the producer between its stores to it (-s, payload, header, s), costing a transfer each. Caller holds
     * the lock.
     */
    private RingFrame pollWritten() {
        if ((long) LONG.getAcquire(mapping.head, ShmLayout.WRITE_SEQUENCE_OFFSET) < nextSequence) {
            return null;
        }
        return tryNext();
    }

    /** The next frame if committed, or null. Caller holds the lock. */
    private RingFrame tryNext() {
        Mapping m = mapping;
        if (m.reliable && m.table.stateOpaque(m.entry) == ShmLayout.ENTRY_DROPPED) {
            rejoin(m);
        }
        long want = nextSequence;
        // Fast path: the slot already holds frame `want`, committed. Its SEQUENCE is published (release) before
        // WRITE_SEQUENCE, so this implies WRITE_SEQUENCE >= want and that no newer frame reused the slot: the
        // header line the producer bumps every frame is not touched while the consumer keeps up.
        long fastOff = m.slotOffset(want);
        if ((long) LONG.getAcquire(m.slots, fastOff + ShmLayout.SLOT_SEQUENCE) == want) {
            RingFrame frame = readStable(m, want, fastOff, pendingSkipped);
            if (frame != null) {
                return frame;
            }
            // overwritten while we read its header: lost, as in the general path below
            overrun(m);
            pendingSkipped++;
            nextSequence = ++want;
        }
        long written = (long) LONG.getAcquire(m.head, ShmLayout.WRITE_SEQUENCE_OFFSET);
        if (written < want) {
            return null;
        }
        checkWritten(m, written);
        Geometry g = m.header.geometry();
        long skipped = pendingSkipped;
        for (int attempt = 0; attempt < 64; attempt++) {
            if (written < want) {
                break;
            }
            if (written - want >= g.slotCount()) {
                long oldest = written - g.slotCount() + 1;
                skipped += oldest - want;
                want = oldest;
            }
            long off = m.slotOffset(want);
            long s1 = (long) LONG.getAcquire(m.slots, off + ShmLayout.SLOT_SEQUENCE);
            if (s1 == want) {
                RingFrame frame = readStable(m, want, off, skipped);
                if (frame == null) {
                    overrun(m);
                    skipped++;
                    want++;
                    written = checkWritten(m, (long) LONG.getAcquire(m.head, ShmLayout.WRITE_SEQUENCE_OFFSET));
                    continue;
                }
                return frame;
            }
            if (s1 == -want || (s1 >= 0 && s1 < want)) {
                // WRITE_SEQUENCE says frame `want` was committed (its slot is published before it), but
                // the slot never held it: the segment is inconsistent. Skip the frame rather than wait
                // for it forever.
                errors.incrementAndGet();
                skipped++;
                want++;
                continue;
            }
            // the slot already holds (or is being rewritten for) a newer frame: ours is lost
            overrun(m);
            skipped++;
            want++;
            written = checkWritten(m, (long) LONG.getAcquire(m.head, ShmLayout.WRITE_SEQUENCE_OFFSET));
        }
        nextSequence = want;
        pendingSkipped = skipped;
        return null;
    }

    /**
     * The second half of a read whose first SEQUENCE load (acquire) saw {@code want}: reads the slot header,
     * checks length (and CRC32C), then re-reads SEQUENCE after an acquire fence.
     *
     * @return the frame (counted, nextSequence moved past it), or {@code null} when the slot changed meanwhile
     *         (nothing counted: the caller records the overrun)
     * @throws LabHubException SEGMENT_INVALID for an impossible length or a CRC32C mismatch on a stable slot
     */
    private RingFrame readStable(Mapping m, long want, long off, long skipped) {
        MemorySegment slots = m.slots;
        int length = slots.get(ValueLayout.JAVA_INT, off + ShmLayout.SLOT_LENGTH);
        long timestamp = slots.get(ValueLayout.JAVA_LONG, off + ShmLayout.SLOT_TIMESTAMP);
        boolean sane = length >= 0 && length <= m.slotSize;
        boolean crcOk = true;
        if (sane && m.crc32c) {
            int crc = slots.get(ValueLayout.JAVA_INT, off + ShmLayout.SLOT_CRC);
            crcOk = crc32c.of(slots, off + ShmLayout.SLOT_HEADER_LENGTH, length) == crc;
        }
        VarHandle.acquireFence();
        if ((long) LONG.getAcquire(slots, off + ShmLayout.SLOT_SEQUENCE) != want) {
            return null;
        }
        if (!sane || !crcOk) {
            errors.incrementAndGet();
            nextSequence = want + 1;
            pendingSkipped = 0;
            advancePosition(m, want);
            throw new LabHubException(ErrorCode.SEGMENT_INVALID, "shm channel " + name + ": frame " + want
                    + (sane ? " fails its CRC32C check" : " has an impossible length " + length));
        }
        nextSequence = want + 1;
        pendingSkipped = 0;
        if (skipped > 0) {
            recordSkip(m, skipped);
        }
        received.setOpaque(received.getPlain() + 1);
        bytesReceived.setOpaque(bytesReceived.getPlain() + length);
        return new RingFrame(m, want, off, length, timestamp, skipped);
    }

    private void overrun(Mapping m) {
        m.table.recordOverrun(m.entry);
    }

    private void recordSkip(Mapping m, long skipped) {
        gaps.addAndGet(skipped);
        m.table.recordSkips(m.entry, skipped);
    }

    /** The producer dropped us (reliable timeout): take part again from the newest committed frame. */
    private void rejoin(Mapping m) {
        long written = checkWritten(m, (long) LONG.getAcquire(m.head, ShmLayout.WRITE_SEQUENCE_OFFSET));
        m.table.positionRelease(m.entry, Math.max(nextSequence, Math.max(1, written)) - 1);
        m.table.stateVolatile(m.entry, ShmLayout.ENTRY_ACTIVE);
        // as in join: what was committed before we were visible again may be overwritten without the producer
        // waiting for us; start at the newest such frame (the drop is counted on both sides)
        written = Math.max(written, checkWritten(m, (long) LONG.getVolatile(m.head, ShmLayout.WRITE_SEQUENCE_OFFSET)));
        long start = Math.max(nextSequence, Math.max(1, written));
        pendingSkipped += start - nextSequence;
        nextSequence = start;
        advancePosition(m, nextSequence - 1);
        dropped.incrementAndGet();
        LOG.info("shm consumer {}: was dropped by the producer, rejoined at frame {}", name, nextSequence);
    }

    /**
     * Checks a WRITE_SEQUENCE value before the consumer acts on it. A sound producer publishes slot(w) = w
     * before WRITE_SEQUENCE = w, and that slot then only ever holds w + k * SLOT_COUNT (or its negative while
     * being rewritten), so anything else is a write the slots do not back: a corrupt header, not frames to
     * skip to. The consumer does not move; the producer's next commit writes the true value again.
     *
     * @return {@code written}
     * @throws LabHubException SEGMENT_INVALID for an impossible value (counted as an error)
     */
    private long checkWritten(Mapping m, long written) {
        if (written <= 0) {
            return written; // nothing committed (or below what we want): nothing to act on
        }
        if (!m.slotBacks(written)) {
            errors.incrementAndGet();
            throw ShmLayout.invalid(m.handle.name(), "WRITE_SEQUENCE " + written + " is not backed by its slot, which holds "
                    + m.slotSequence(written) + " (a write to the header that the producer did not make)");
        }
        return written;
    }

    /** A release inside a poll batch: the position is published every few frames and when the batch ends. */
    private void batchReleased(Mapping m, long sequence) {
        batchPosition = sequence;
        if (++batchUnpublished >= m.positionStride) {
            batchUnpublished = 0;
            advancePosition(m, sequence);
        }
    }

    void advancePosition(Mapping m, long sequence) {
        m.table.advancePosition(m.entry, sequence);
    }

    private Mapping map(Endpoint endpoint, boolean fromOldest) {
        ShmHandle handle = platform.open(endpoint.segmentName());
        try {
            long size = handle.size();
            if (size < ShmLayout.HEADER_LENGTH) {
                throw ShmLayout.invalid(endpoint.segmentName(), "truncated: " + size
                        + " bytes, the header alone needs " + ShmLayout.HEADER_LENGTH);
            }
            MemorySegment head = handle.map(0, ShmLayout.HEADER_LENGTH, false);
            Header header = ShmLayout.validate(endpoint.segmentName(), head,
                    size, endpoint.expectation() == null ? Expectation.NONE : endpoint.expectation());
            Geometry g = header.geometry();
            MemorySegment table = handle.map(ShmLayout.TABLE_OFFSET, g.tableLength(), true);
            MemorySegment slots = handle.map(g.slotsOffset(), g.totalSize() - g.slotsOffset(), false);
            handle.releaseDescriptor();
            // a producer configured with a slower heartbeat than our liveness timeout is not dead
            long liveness = Math.max(settings.livenessTimeout().toNanos(),
                    3 * Math.max(0, Math.min(header.heartbeatPeriodNanos(), Long.MAX_VALUE / 8)));
            Mapping m = new Mapping(handle, head, table, slots, header, liveness);
            m.join(fromOldest);
            return m;
        } catch (RuntimeException e) {
            handle.close();
            throw e;
        }
    }

    /** Leaves the table; removes the segment if we were the last user of a gone producer; unmaps. */
    private void leave(Mapping m) {
        try {
            m.table.stateVolatile(m.entry, ShmLayout.ENTRY_FREE);
            boolean producerGone = (int) INT.getVolatile(m.head, ShmLayout.PRODUCER_STATE_OFFSET) != ShmLayout.PRODUCER_OPEN
                    || !Liveness.processAlive(m.header.producerPid(), m.header.producerStartMillis());
            if (producerGone && !m.table.anyLiveConsumer()) {
                platform.unlink(m.handle.name());
            }
        } catch (InternalError e) {
            LOG.warn("shm consumer {}: segment {} was truncated under its mapping", name, m.handle.name());
        } catch (RuntimeException e) {
            LOG.warn("shm consumer {}: error while leaving segment {}", name, m.handle.name(), e);
        } finally {
            m.handle.close();
        }
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
        Mapping m = mapping;
        try {
            platform.wake(m.handle, m.notifyWord);
        } catch (RuntimeException e) {
            LOG.trace("wake on close failed", e);
        }
        boolean locked = false;
        try {
            locked = lock.tryLock(settings.blockSlice().toNanos() * 2 + TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (locked) {
            try {
                leave(mapping);
            } finally {
                lock.unlock();
            }
        } else {
            LOG.warn("shm consumer {}: reader did not return; segment {} stays mapped", name, m.handle.name());
        }
        runOnClose();
    }

    /** One mapped segment and this consumer's entry in it. */
    static final class Mapping {
        final ShmHandle handle;
        final MemorySegment head;
        final ConsumerTable table;
        final MemorySegment slots;
        final MemorySegment notifyWord;
        final Header header;
        final Liveness producerBeat;
        /** Validated header values, copied into final fields for the read path. */
        final boolean reliable;
        final boolean crc32c;
        final int slotSize;
        final int slotCount;
        final long slotStride;
        /** slotCount - 1 when slotCount is a power of two (a mask instead of a division), else -1. */
        final long slotMask;
        /** Whether {@link #slots} is already a read-only segment (then slices of it are too). */
        final boolean slotsReadOnly;
        /** Releases between two POSITION stores in a poll batch: at most 16, and a quarter of the ring. */
        final int positionStride;
        /** This consumer's entry index in {@link #table}. */
        int entry;
        long joinedAt;

        Mapping(ShmHandle handle, MemorySegment head, MemorySegment table, MemorySegment slots, Header header,
                long livenessNanos) {
            this.handle = handle;
            this.head = head;
            this.table = new ConsumerTable(table, header.geometry().consumerCapacity());
            this.slots = slots;
            this.notifyWord = head.asSlice(ShmLayout.NOTIFY_WORD_OFFSET, 4);
            this.header = header;
            this.producerBeat = new Liveness(livenessNanos);
            Geometry g = header.geometry();
            this.reliable = header.reliable();
            this.crc32c = header.crc32c();
            this.slotSize = g.slotSize();
            this.slotCount = g.slotCount();
            this.slotStride = g.slotStride();
            this.slotMask = Integer.bitCount(slotCount) == 1 ? slotCount - 1 : -1;
            this.slotsReadOnly = slots.isReadOnly();
            this.positionStride = Math.max(1, Math.min(POSITION_STRIDE, slotCount / 4));
        }

        /** Offset of frame {@code sequence}'s slot within {@link #slots} (sequence >= 1). */
        long slotOffset(long sequence) {
            long index = slotMask >= 0 ? (sequence - 1) & slotMask : (sequence - 1) % slotCount;
            return index * slotStride;
        }

        long slotSequence(long sequence) {
            return (long) LONG.getAcquire(slots, slotOffset(sequence) + ShmLayout.SLOT_SEQUENCE);
        }

        /** Whether frame {@code written}'s slot holds it or a later frame of the same slot (see checkWritten). */
        boolean slotBacks(long written) {
            long s = slotSequence(written);
            if (s == Long.MIN_VALUE) {
                return false;
            }
            long magnitude = Math.abs(s);
            return magnitude >= written && (magnitude - written) % slotCount == 0;
        }

        void join(boolean fromOldest) {
            int index = table.claimEntry();
            if (index < 0) {
                throw ShmLayout.invalid(handle.name(), "consumer table full (" + table.capacity() + " live consumers)");
            }
            try {
                joinEntry(index, fromOldest);
            } catch (RuntimeException ex) {
                table.stateVolatile(index, ShmLayout.ENTRY_FREE);
                throw ex;
            }
        }

        private long checkedWritten() {
            long written = ShmLayout.writeSequenceVolatile(head);
            if (written < 0 || (written > 0 && !slotBacks(written))) {
                throw ShmLayout.invalid(handle.name(), "WRITE_SEQUENCE " + written + " is not backed by its slot");
            }
            return written;
        }

        private void joinEntry(int index, boolean fromOldest) {
            long written = checkedWritten();
            long start = fromOldest ? Math.max(0, written - header.geometry().slotCount()) : written;
            table.initEntry(index, ProcessHandle.current().pid(), Liveness.currentStartMillis());
            table.positionRelease(index, start);
            table.stateVolatile(index, ShmLayout.ENTRY_ACTIVE);
            table.raiseHighWater(index);
            if (!fromOldest) {
                // Read again now that we are visible: a reliable producer that scanned before our STATE store
                // had committed at most this much, and overwrites nothing after it before it scans again (and
                // then sees us). Start after it.
                long now = checkedWritten();
                if (now > start) {
                    start = now;
                    table.positionRelease(index, start);
                }
            }
            entry = index;
            joinedAt = start;
        }
    }

    /** A zero-copy view of one slot; valid while the slot still holds this frame. */
    private final class RingFrame implements ShmFrame {
        private final Mapping m;
        private final long sequence;
        private final long offset;
        private final long timestamp;
        private final long skipped;
        private final MemorySegment payload;
        private boolean released;
        private boolean valid;

        RingFrame(Mapping m, long sequence, long offset, int length, long timestamp, long skipped) {
            this.m = m;
            this.sequence = sequence;
            this.offset = offset;
            this.timestamp = timestamp;
            this.skipped = skipped;
            MemorySegment slice = m.slots.asSlice(offset + ShmLayout.SLOT_HEADER_LENGTH, length);
            this.payload = m.slotsReadOnly ? slice : slice.asReadOnly();
        }

        @Override
        public long sequence() {
            return sequence;
        }

        @Override
        public long timestampNanos() {
            return timestamp;
        }

        @Override
        public long skipped() {
            return skipped;
        }

        @Override
        public MemorySegment segment() {
            return payload;
        }

        @Override
        public boolean release() {
            if (released) {
                return valid;
            }
            released = true;
            try {
                VarHandle.acquireFence();
                valid = (long) LONG.getAcquire(m.slots, offset + ShmLayout.SLOT_SEQUENCE) == sequence;
                if (batching) {
                    batchReleased(m, sequence);
                } else {
                    advancePosition(m, sequence);
                }
                if (!valid) {
                    overrun(m);
                }
            } catch (IllegalStateException e) {
                valid = false; // the segment was unmapped (consumer closed or remapped)
            } catch (InternalError e) {
                valid = false;
                failed(e);
            }
            return valid;
        }

        @Override
        public void close() {
            release();
        }
    }
}
