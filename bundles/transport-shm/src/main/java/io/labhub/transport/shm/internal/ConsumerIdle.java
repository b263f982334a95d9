package io.labhub.transport.shm.internal;

import java.lang.invoke.VarHandle;
import java.time.Duration;

import io.labhub.api.ErrorCode;
import io.labhub.api.LabHubException;
import io.labhub.api.WaitStrategy;
import io.labhub.transport.shm.internal.platform.ShmPlatform;

/**
 * How a consumer waits for a frame (its idle strategy, as Agrona's {@code BackoffIdleStrategy}): at the
 * producer's heels it first holds off ({@link #HEELS_HOLD_OFF_NANOS}) while frames come in streams; then it
 * spins for the wait strategy's {@code spin}, polling only the next frame's slot, yields for {@code yield}, then sleeps
 * on its own entry's WAKE_WORD (futex / named auto-reset event) in slices of at most {@code blockSlice},
 * announcing the sleep and the sequence it waits for in its entry (WAIT_TARGET, then WAITING: the Dekker
 * protocol of docs/shm-layout.md, "Waiting").
 *
 * @see RingConsumer
 */
final class ConsumerIdle {

    /** Polls between two clock reads while spinning (bounds the overshoot of the spin phase to a few polls). */
    static final int SPINS_PER_CLOCK_READ = 16;

    /** The reader being waited for (called on the reading thread, which holds the consumer's lock). */
    interface Reader<F> {
        /** The full read: the next frame if committed, else null. */
        F tryNext();

        /** Whether the last WRITE_SEQUENCE read announced frames not read yet (after a {@link #tryNext()}). */
        boolean moreAnnounced();

        /** The spin loop's read: null while the next frame's slot says "not yet" (SlotReader#pollSlot). */
        F pollSlot();

        /** The sequence the next read needs committed (WAIT_TARGET of a sleep: an earlier commit cannot help). */
        long wantedSequence();

        /** Housekeeping before each sleep (closed, remap, rediscovery); @return the mapping to sleep on */
        SegmentMapping beforeSleep();

        boolean open();

        /** The futex word lost its page: close the consumer; @return the SEGMENT_INVALID to throw */
        LabHubException segmentLost(String why);
    }

    private final ShmPlatform platform;
    private final long spinNanos;
    private final long yieldNanos;
    private final long blockSliceNanos;

    ConsumerIdle(ShmPlatform platform, WaitStrategy wait, Duration blockSlice) {
        this.platform = platform;
        this.spinNanos = RingSettings.nanos(wait.spin());
        this.yieldNanos = RingSettings.nanos(wait.yield());
        this.blockSliceNanos = blockSlice.toNanos();
    }

    /**
     * How long a reader at the producer's heels holds off, once frames come in a stream, before it looks at
     * WRITE_SEQUENCE again. Each look takes the header line from the producer, whose next commit (a fenced
     * store to that line) then waits for the line to come back: looking once per frame halved a 64 B stream
     * (RingRate, batch reader 6 M msg/s against 10 M for a per-frame reader that lags behind and never looks).
     * Holding off lets the producer commit several frames on a line it owns, and the reader takes them in one
     * batch.
     */
    static final long HEELS_HOLD_OFF_NANOS = 250;
    /**
     * The longest hold-off: each hold-off that ends with more than one frame ready (the producer is
     * streaming) doubles the next one up to this, so the producer commits a few dozen frames per look; one
     * that finds a single frame or none goes back to the reply mode (0, {@link #holdOffNanos}). Growing
     * on any frame found fed itself in a round trip (a hold-off longer than the round trip always ends with
     * the reply there: spin round trip p50 0.65 -> 2.4 us). A stream denser than a frame per hold-off is read
     * up to this much later, in batches.
     */
    static final long HEELS_HOLD_OFF_MAX_NANOS = 2000;
    /**
     * The current hold-off (reading thread only). 0 is the reply mode: the last wait had to wait (nothing was
     * ready when it first looked), so frames come one at a time, each after the reader asked for it (a reply,
     * a sparse stream). Then the reader does not hold off at all (a fixed 250 ns bounded a 0.3 us round trip
     * from below) and looks at the next frame's slot only, never at the header line. A first look that finds
     * a frame ready means frames come faster than the reader asks for them: it goes to
     * {@link #HEELS_HOLD_OFF_NANOS}; a hold-off that ends with one frame ready or none goes back to 0.
     */
    private long holdOffNanos;

    /**
     * Every this many waits in the reply mode, one holds off as in a stream instead of looking at once. The
     * reply mode feeds itself in a stream: a reader spinning on the slot the producer writes next takes that
     * line from it at every look, the producer's writes wait for the line to come back, so each frame comes
     * just after the reader asked and it never finds one ready at its first look, the only way into the stream
     * mode. Measured in RingRate (64 B, one JVM): most launches stayed the whole run at 5-7 M msg/s with the
     * ring never full, the others at 15-20 M; with the probe every launch ran at 18-24 M from its second
     * second (benchmarks/README.md, 2026-12-08). A hold-off in a real round trip ends with the one reply and
     * goes back to the reply mode: it costs that exchange up to {@link #HEELS_HOLD_OFF_NANOS}, 1 in this many
     * (below the 1 % a p99 shows).
     */
    static final int REPLY_PROBE_PERIOD = 256;
    /** Waits begun in the reply mode (reading thread only): the probe's count. */
    private long replyWaits;

    /**
     * @param waitNanos how long to wait at most (0 to 2^61); the clock is read first when the first look found
     *                  nothing (a reply found at once costs no clock read)
     * @param holdOff the reader is at the producer's heels: in a stream, wait the current hold-off (250 ns to
     *                2 us, or until the deadline) before the first read, which is made even when the deadline
     *                has passed; in the reply mode, look at the next frame's slot at once
     * @return the next frame, or null when the wait ended first
     */
    <F> F await(long waitNanos, Reader<F> reader, boolean holdOff) {
        F frame;
        if (holdOff && holdOffNanos == 0) {
            if (++replyWaits % REPLY_PROBE_PERIOD == 0) {
                holdOffNanos = HEELS_HOLD_OFF_NANOS; // the probe: hold off once, as in a stream
            } else if ((frame = reader.pollSlot()) != null) {
                holdOffNanos = HEELS_HOLD_OFF_NANOS; // ready before we asked: a stream
                return frame;
            }
        }
        long now = System.nanoTime();
        long deadline = now + waitNanos;
        if (holdOff && holdOffNanos != 0) {
            long holdEnd = Math.min(now + holdOffNanos, deadline);
            while (now - holdEnd < 0) {
                Thread.onSpinWait(); // reads no shared line: the clock only
                now = System.nanoTime();
            }
            frame = reader.tryNext();
            // more than one frame ready: a stream, hold off longer; one or none: back to the reply mode (a reply
            // found after a hold-off would otherwise keep every later wait holding off: round trip 0.25 -> 0.5 us)
            holdOffNanos = frame != null && reader.moreAnnounced()
                    ? Math.min(holdOffNanos * 2, HEELS_HOLD_OFF_MAX_NANOS) : 0;
            if (frame != null) {
                return frame;
            }
        }
        long spinEnd = now + spinNanos;
        while (now - spinEnd < 0 && now - deadline < 0) {
            // a few polls per clock read: the clock costs more than a poll of a cached line
            for (int i = 0; i < SPINS_PER_CLOCK_READ; i++) {
                Thread.onSpinWait();
                if ((frame = reader.pollSlot()) != null) {
                    return frame;
                }
            }
            now = System.nanoTime();
        }
        if (now - deadline >= 0) {
            // the spin looked at the slot only: at the deadline the header's word is read once (the general
            // path), so a WRITE_SEQUENCE the slots never held is reported (SEGMENT_INVALID), not a timeout
            return reader.tryNext();
        }
        long yieldEnd = now + yieldNanos;
        while (now - yieldEnd < 0 && now - deadline < 0) {
            Thread.yield();
            if ((frame = reader.tryNext()) != null) {
                return frame;
            }
            now = System.nanoTime();
        }
        return block(deadline, reader);
    }

    /** How many owed entries a woken forwarder wakes (each as a forwarder again: a tree of this fan-out). */
    static final int FORWARD_FANOUT = 2;

    /**
     * This consumer was woken as a forwarder (WAITING 3): it wakes up to {@link #FORWARD_FANOUT} entries the
     * producer marked owed (2), each as a forwarder (2 -> 3, WAKE_WORD + 1, wake), so a commit that finds 64
     * sleepers costs the producer one wake and the consumers about log2(64) hops. Scans up to HIGH_WATER (a
     * hint: an owed entry it hides is woken by a later forwarder or the producer's heartbeat survey).
     */
    private void forward(SegmentMapping m, int self) {
        try {
            int limit = Math.min(Math.max(m.table.highWaterVolatile(), self + 1), m.table.capacity());
            for (int i = 0, n = 0; i < limit && n < FORWARD_FANOUT; i++) {
                if (i != self && m.table.waitingVolatile(i) == ShmLayout.WAITING_OWED
                        && m.table.casWaiting(i, ShmLayout.WAITING_OWED, ShmLayout.WAITING_FORWARD)) {
                    m.table.bumpWakeWord(i);
                    platform.wake(m.handle, i, m.table.wakeWord(i));
                    n++;
                }
            }
        } catch (LabHubException | InternalError | IllegalStateException e) {
            // the segment is going away or faulted: this consumer's own read reports it; the owed entries'
            // slices end by themselves
        }
    }

    private <F> F block(long deadline, Reader<F> reader) {
        while (true) {
            SegmentMapping m = reader.beforeSleep();
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            int entry = m.entry;
            // read before the flag: a wake for this sleep bumps the word after it sees the flag, so the
            // platform's wait either returns at once (word changed) or is woken
            int word = m.table.wakeWordAcquire(entry);
            m.table.waitTargetRelease(entry, reader.wantedSequence()); // published by the flag's store
            // our own flag only (no shared count): the producer reads every entry's flag after each commit,
            // and clears it when it wakes us (one wake per sleep); we arm it again for every sleep
            m.table.waitingVolatile(entry, 1);
            VarHandle.fullFence(); // the re-check below must not move above the flag (Dekker with the commit)
            try {
                F frame = reader.tryNext();
                if (frame != null) {
                    return frame;
                }
                if (!reader.open()) {
                    continue;
                }
                try {
                    platform.await(m.handle, entry, m.table.wakeWord(entry), word, Math.min(left, blockSliceNanos));
                } catch (LabHubException e) {
                    if (e.code() == ErrorCode.SEGMENT_INVALID) {
                        throw reader.segmentLost(e.getMessage()); // the futex word lost its page
                    }
                    throw e;
                }
            } finally {
                // take the flag back in one atomic step: whoever made us a forwarder (3) did so before this,
                // so the owed entries it marked before that are visible to forward()
                if (m.table.getAndSetWaiting(entry, ShmLayout.WAITING_NO) == ShmLayout.WAITING_FORWARD) {
                    forward(m, entry);
                }
            }
            F frame = reader.tryNext();
            if (frame != null) {
                return frame;
            }
        }
    }
}
