package io.labhub.transport.shm.internal;

import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
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
import io.labhub.transport.shm.internal.platform.ShmPlatform;

/**
 * The consuming end of a ring (layout: {@link ShmLayout}), usable on its own, without a Hub: the API
 * ({@link ShmConsumer}), its lock, lifetime (close, failure), liveness and remapping. The jobs it hands out:
 * <ul>
 * <li>{@link SegmentMapping}: opening, validating and mapping a segment, joining and leaving its table
 *     (header and slots read-only, only the table writable);</li>
 * <li>{@link SlotReader}: the seqlock read of the slots, positions and counts;</li>
 * <li>{@link ConsumerIdle}: waiting (spin, yield, block on the futex word).</li>
 * </ul>
 * Remapping stays here: when the broker announces a new registration, or while waiting the producer is gone
 * and the broker names another segment, the reader switches to it ({@link #remap}). A fresh consumer starts
 * with the first frame committed after it joined; after a remap it starts with the oldest frame still in the
 * new ring.
 */
public final class RingConsumer implements ShmConsumer, Heartbeat.Beating {

    private static final Logger LOG = LoggerFactory.getLogger(RingConsumer.class);
    private static final long REDISCOVER_NANOS = 250_000_000;
    private static final long PROCESS_CHECK_NANOS = 50_000_000;
    /** The most frames a poll batch releases before it publishes its POSITION (see {@link SlotReader}). */
    static final int POSITION_STRIDE = 16;

    private final ChannelName name;
    private final ShmPlatform platform;
    private final RingSettings settings;
    private final ConsumerIdle idle;
    private final Heartbeat heartbeat;
    private final Runnable onClose;
    private final Supplier<Endpoint> rediscover;
    private final RingLock lock = new RingLock();
    private final SlotReader slots;
    private final AtomicBoolean closeRan = new AtomicBoolean();
    /** Why the segment became unusable (the consumer is then closed), or null. */
    private volatile String failure;
    /** The thread that runs {@link #fail}, set once by the first call (null: not failing); guarded by this. */
    private Thread failingThread;
    /** Opened by that thread once {@link #failure} is set and open is false. */
    private final java.util.concurrent.CountDownLatch failed = new java.util.concurrent.CountDownLatch(1);
    /** Whether the current mapping was given up after a failure; guarded by {@link #lock}. */
    private boolean released;

    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong timeouts = new AtomicLong();

    private volatile SegmentMapping mapping;
    private volatile boolean open = true;
    private volatile boolean producerLostEvent;
    private volatile Endpoint pendingRemap;
    private volatile boolean producerBeatFresh = true;
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
        this.idle = new ConsumerIdle(platform, wait, settings.blockSlice());
        this.slots = new SlotReader(name, this::failed);
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
        SegmentMapping m = SegmentMapping.open(platform, endpoint, settings, false);
        consumer.mapping = m;
        consumer.slots.restartAt(m);
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
        SegmentMapping m = mapping;
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
        SegmentMapping m = mapping;
        if (!open || m == null) {
            return;
        }
        if (failIfTruncated(m)) {
            return;
        }
        m.table.bumpHeartbeat(m.entry);
        producerBeatFresh = m.producerBeat.heartbeatFresh(
                ShmLayout.producerHeartbeatAcquire(m.head), System.nanoTime());
    }

    /** Fails this consumer when {@code m}'s file is shorter than its layout (truncated under the mapping). */
    private boolean failIfTruncated(SegmentMapping m) {
        long size = m.handle.currentSize();
        long needed = m.header.geometry().totalSize();
        if (size >= 0 && size < needed) {
            fail("the file has " + size + " bytes, the layout needs " + needed + " (truncated under its mapping)");
            return true;
        }
        return false;
    }

    /**
     * A frame the slot reader found impossible (a length, a CRC, a WRITE_SEQUENCE its slot does not back) is a
     * frame error, and the consumer stays open, unless the file was truncated. A load from a lost page in
     * compiled code does not fault at once: it reads zeros and the InternalError comes later. Such a zero is
     * the segment's loss, not a bad frame, so the consumer fails (closed, detached) before SEGMENT_INVALID is
     * seen.
     */
    private LabHubException frameError(LabHubException e) {
        if (e.code() == ErrorCode.SEGMENT_INVALID && failure == null && failIfTruncated(mapping)) {
            return invalidNow();
        }
        return e;
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
        Thread running;
        synchronized (this) {
            running = failingThread;
            if (running == null) {
                if (!open) {
                    return; // closed plainly
                }
                failingThread = Thread.currentThread();
            }
        }
        if (running != null) {
            if (running != Thread.currentThread()) {
                awaitFailed(); // another thread is failing us: our caller reports SEGMENT_INVALID once it has
            }
            return; // else re-entered from our own detach
        }
        if (heartbeat != null) {
            heartbeat.remove(this);
        }
        SegmentMapping m = mapping;
        LOG.warn("shm consumer {}: segment {} is unusable, closing: {}", name, m.handle.name(), why);
        // detached before anyone can see SEGMENT_INVALID from this consumer: failure is set only after, and
        // isOpen() answers false from then on (a reader may see failure a moment before open flips)
        runOnClose();
        failure = why;
        open = false;
        failed.countDown();
        try {
            m.wakeOwnEntry(platform);
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

    /**
     * Waits, outside the monitor, until the thread failing this consumer has set {@link #failure}: a caller that
     * lost the race to fail it must not report SEGMENT_INVALID while the consumer still reads as open and attached.
     * Bounded: the failing thread only detaches (a Hub call), it does not wait on anyone.
     */
    private void awaitFailed() {
        try {
            failed.await(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
        SegmentMapping m = mapping;
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
        return new ChannelCounters(0, 0, slots.received.get(), slots.bytesReceived.get(), slots.dropped.get(),
                slots.gaps.get(), reconnects.get(), timeouts.get(), slots.errors.get());
    }

    @Override
    public boolean isOpen() {
        return open && failure == null;
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
        SegmentMapping m = mapping;
        if (!open || m == null || producerLostEvent) {
            return false;
        }
        try {
            if (ShmLayout.producerStateAcquire(m.head) != ShmLayout.PRODUCER_OPEN) {
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
            return Optional.ofNullable(slots.tryNext());
        } catch (InternalError e) {
            throw failed(e); // a page of the mapping is gone: SEGMENT_INVALID, consumer closed
        } catch (LabHubException e) {
            throw frameError(e);
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
            slots.skipToNewest();
            return Optional.ofNullable(slots.tryNext());
        } catch (InternalError e) {
            throw failed(e);
        } catch (LabHubException e) {
            throw frameError(e);
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
            // a reader at the producer's heels that may wait holds off before it looks (ConsumerIdle)
            boolean holdOff = slots.atHeels() && RingSettings.nanos(timeout) > 0;
            SlotReader.RingFrame frame = holdOff ? null : slots.tryNext();
            if (frame != null) {
                return frame; // no clock read when a frame is ready
            }
            frame = awaitFrame(RingSettings.nanos(timeout), holdOff);
            if (frame == null) {
                timeouts.incrementAndGet();
                throw new ChannelTimeoutException("no frame on shm channel " + name + " in time");
            }
            return frame;
        } catch (InternalError e) {
            throw failed(e);
        } catch (LabHubException e) {
            throw frameError(e);
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
            boolean waits = !(wait.isZero() || wait.isNegative());
            // a reader at the producer's heels that may wait holds off before it looks (ConsumerIdle); without
            // a wait, poll always looks: a frame committed before the call is returned by it
            boolean holdOff = waits && slots.atHeels();
            SlotReader.RingFrame frame = holdOff ? null : slots.tryNext();
            if (frame == null) {
                if (!waits) {
                    return PollResult.NOTHING_YET;
                }
                try {
                    frame = awaitFrame(RingSettings.nanos(wait), holdOff);
                } catch (ChannelClosedException closed) {
                    return PollResult.CLOSED;
                }
                if (frame == null) {
                    return PollResult.NOTHING_YET;
                }
            }
            int n = 0;
            slots.beginBatch();
            try {
                while (true) {
                    n++;
                    try {
                        handler.onFrame(frame);
                    } finally {
                        frame.release(); // consumed, even when the handler threw (FrameHandler's contract)
                    }
                    // the frames the batch's WRITE_SEQUENCE read announced; no second look at the header
                    if (n == limit || !open || (frame = slots.tryNextAnnounced()) == null) {
                        return n;
                    }
                }
            } finally {
                slots.endBatch();
            }
        } catch (InternalError e) {
            throw failed(e);
        } catch (LabHubException e) {
            throw frameError(e);
        } finally {
            unlockRead();
        }
    }

    /** Waits up to {@code waitNanos} for the next frame: {@link ConsumerIdle}. Caller holds the lock. */
    private SlotReader.RingFrame awaitFrame(long waitNanos, boolean holdOff) {
        return idle.await(waitNanos, reader, holdOff);
    }

    /** What {@link ConsumerIdle} needs from the reader: its polls and its housekeeping before a sleep. */
    private final ConsumerIdle.Reader<SlotReader.RingFrame> reader = new ConsumerIdle.Reader<>() {
        @Override
        public SlotReader.RingFrame tryNext() {
            return slots.tryNext();
        }

        @Override
        public boolean moreAnnounced() {
            return !slots.atHeels();
        }

        @Override
        public SlotReader.RingFrame pollSlot() {
            return slots.pollSlot();
        }

        @Override
        public long wantedSequence() {
            return slots.wantedSequence();
        }

        @Override
        public SegmentMapping beforeSleep() {
            ensureOpen();
            maintain(true);
            return mapping;
        }

        @Override
        public boolean open() {
            return open;
        }

        @Override
        public LabHubException segmentLost(String why) {
            fail(why);
            return invalidNow();
        }
    };

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
            slots.gaps.incrementAndGet();
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
        SegmentMapping m = mapping;
        if (producerLostEvent
                || ShmLayout.producerStateAcquire(m.head) != ShmLayout.PRODUCER_OPEN) {
            return true;
        }
        if (now - lastProcessCheck >= PROCESS_CHECK_NANOS) {
            lastProcessCheck = now;
            lastProcessAlive = Liveness.processAlive(m.header.producerPid(), m.header.producerStartMillis());
        }
        return !lastProcessAlive || !producerBeatFresh;
    }

    private void remap(Endpoint endpoint) {
        SegmentMapping old = mapping;
        SegmentMapping fresh;
        try {
            fresh = SegmentMapping.open(platform, endpoint, settings, true);
        } catch (LabHubException e) {
            LOG.warn("shm consumer {}: cannot switch to segment {}: {}", name, endpoint.segmentName(), e.getMessage());
            slots.errors.incrementAndGet();
            return;
        }
        mapping = fresh;
        slots.restartAt(fresh);
        producerLostEvent = false;
        producerBeatFresh = true;
        lastProcessAlive = true;
        reconnects.incrementAndGet();
        LOG.info("shm consumer {}: switched from segment {} to {}", name, old.handle.name(), fresh.handle.name());
        old.leave(platform, name);
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
        SegmentMapping m = mapping;
        try {
            m.wakeOwnEntry(platform);
        } catch (RuntimeException e) {
            LOG.trace("wake on close failed", e);
        }
        boolean locked = false;
        try {
            locked = lock.tryLock(settings.blockSlice().toNanos() * 2 + TimeUnit.SECONDS.toNanos(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (locked) {
            try {
                mapping.leave(platform, name);
            } finally {
                lock.unlock();
            }
        } else {
            LOG.warn("shm consumer {}: reader did not return; segment {} stays mapped", name, m.handle.name());
        }
        runOnClose();
    }
}
