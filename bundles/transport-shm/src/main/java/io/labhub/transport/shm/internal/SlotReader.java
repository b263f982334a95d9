package io.labhub.transport.shm.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.labhub.api.ChannelName;
import io.labhub.api.ErrorCode;
import io.labhub.api.LabHubException;
import io.labhub.api.ShmFrame;
import io.labhub.transport.shm.internal.ShmLayout.Geometry;

/**
 * Reads frames out of the slots of a consumer's current {@link SegmentMapping}: the seqlock read protocol
 * of docs/shm-layout.md ("Read protocol"). The slot's sequence is read (acquire) before the payload and again
 * (after an acquire fence) when the read ends; only an unchanged, expected sequence makes a frame valid. It
 * keeps where the consumer is (next sequence, skips not yet reported), publishes POSITION on release, and
 * counts what it sees. Single-threaded: the consumer's reading thread, under the consumer's lock.
 */
final class SlotReader {

    private static final Logger LOG = LoggerFactory.getLogger(SlotReader.class);

    private final ChannelName name;
    private final SafeCrc crc32c = new SafeCrc();
    /** A fault (SIGBUS as InternalError) in a release: the consumer fails with SEGMENT_INVALID. */
    private final Consumer<InternalError> onFault;

    final AtomicLong received = new AtomicLong();
    final AtomicLong bytesReceived = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
    final AtomicLong gaps = new AtomicLong();
    final AtomicLong errors = new AtomicLong();

    /** The mapping read; replaced by {@link #restartAt} when the consumer switches segments. */
    private SegmentMapping mapping;
    private long nextSequence;
    private long pendingSkipped;
    /**
     * While a poll batch runs: releases publish POSITION only every {@link SegmentMapping#positionStride}
     * frames and at the batch's end (Aeron updates a subscriber's position once per poll). A position store
     * per frame pulls the entry's line to this core every frame, and a reliable producer whose ring is full
     * reads that line before every claim: the two then trade it frame by frame.
     */
    private boolean batching;
    private long batchPosition;
    private int batchUnpublished;

    SlotReader(ChannelName name, Consumer<InternalError> onFault) {
        this.name = name;
        this.onFault = onFault;
    }

    /** Reads {@code m} from the first frame after the one it joined at (skips not yet reported stay). */
    void restartAt(SegmentMapping m) {
        mapping = m;
        nextSequence = m.joinedAt + 1;
        knownWritten = 0;
    }

    /** {@code latest()}: jumps to the newest committed frame, counting the ones passed over as skipped. */
    void skipToNewest() {
        SegmentMapping m = mapping;
        long written = ShmLayout.writeSequenceAcquire(m.head);
        if (written > nextSequence) {
            checkWritten(m, written);
            pendingSkipped += written - nextSequence;
            nextSequence = written;
        }
    }

    /** A poll batch starts: releases defer their POSITION stores (see {@link #batching}). */
    void beginBatch() {
        batching = true;
        batchUnpublished = 0;
    }

    /** The batch ended (also when its handler threw): publishes the last released frame's POSITION. */
    void endBatch() {
        batching = false;
        if (batchUnpublished > 0) {
            batchUnpublished = 0;
            advancePosition(mapping, batchPosition);
        }
    }

    /**
     * The spin loop's poll (and the first look of a reader whose frames come one at a time, a reply):
     * it reads the SEQUENCE of the slot the next frame goes to, the one line the frame brings, as Aeron's
     * subscriber reads the frame's length word. While that slot says "not yet" (frame {@code want} being
     * written, or the frame of the previous lap, or never written) nothing else is read; when it holds
     * {@code want} the frame is read from it, as the fast path does (a slot is published before
     * WRITE_SEQUENCE, so it is committed). Any other value (a newer lap: the frame was overwritten, or a
     * value no producer writes) goes to the general path, which reads WRITE_SEQUENCE and decides. Polling
     * WRITE_SEQUENCE instead (before 2026-12-04) made every hop of a round trip two serial line transfers
     * (the header, then the slot); the header line is then left to the producer alone. Caller holds the lock.
     */
    RingFrame pollSlot() {
        SegmentMapping m = mapping;
        long want = nextSequence;
        long off = m.slotOffset(want);
        long s = ShmLayout.slotSequenceAcquire(m.slots, off);
        if (s == want && !droppedByProducer(m)) {
            RingFrame frame = readStable(m, want, off, pendingSkipped);
            if (frame != null) {
                return frame;
            }
            return tryNext(); // overwritten while we read its header: the general path counts it
        }
        long previousLap = want - m.slotCount;
        if (s == -want || (previousLap > 0 ? s == previousLap : s == 0)) {
            return null; // not yet
        }
        return tryNext();
    }

    /**
     * The last WRITE_SEQUENCE the general path read and checked (0 after a switch of segments): frames up to
     * it are committed, so their slots are read directly (the fast path) without touching the header line.
     */
    private long knownWritten;

    /**
     * Whether the reader has read every frame the last WRITE_SEQUENCE read announced: it is at the producer's
     * heels (or idle), and its next read must look at the header line the producer stores to on every commit.
     */
    boolean atHeels() {
        return nextSequence > knownWritten;
    }

    /**
     * A poll batch's next read: the next frame only among those the last WRITE_SEQUENCE read announced, so a
     * batch never reads the header line again (the batch ends there; the next poll looks again). Caller holds
     * the lock.
     */
    RingFrame tryNextAnnounced() {
        return atHeels() ? null : tryNext();
    }

    /** The sequence the next read needs: a sleep's WAIT_TARGET (a commit below it cannot end the wait). */
    long wantedSequence() {
        return nextSequence;
    }

    /** The next frame if committed, or null. Caller holds the lock. */
    RingFrame tryNext() {
        SegmentMapping m = mapping;
        if (droppedByProducer(m)) {
            rejoin(m);
        }
        long want = nextSequence;
        // Fast path: the slot already holds frame `want`, committed. Its SEQUENCE is published (release) before
        // WRITE_SEQUENCE, so this implies WRITE_SEQUENCE >= want and that no newer frame reused the slot: the
        // header line the producer bumps every frame is not touched while the consumer keeps up. Taken only
        // for frames the last WRITE_SEQUENCE read said were committed: a consumer that has caught up would
        // otherwise read the very slot the producer is writing, pulling its line away between the producer's
        // stores (measured: a batch reader at the producer's heels cut a 64 B stream from 8 to 2-5 M msg/s).
        long fastOff = m.slotOffset(want);
        if (want <= knownWritten && ShmLayout.slotSequenceAcquire(m.slots, fastOff) == want) {
            RingFrame frame = readStable(m, want, fastOff, pendingSkipped);
            if (frame != null) {
                return frame;
            }
            // overwritten while we read its header: lost, as in the general path below
            overrun(m);
            pendingSkipped++;
            nextSequence = ++want;
        }
        long written = ShmLayout.writeSequenceAcquire(m.head);
        if (written < want) {
            return null;
        }
        checkWritten(m, written);
        knownWritten = written;
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
            long s1 = ShmLayout.slotSequenceAcquire(m.slots, off);
            if (s1 == want) {
                RingFrame frame = readStable(m, want, off, skipped);
                if (frame == null) {
                    overrun(m);
                    skipped++;
                    want++;
                    written = checkWritten(m, ShmLayout.writeSequenceAcquire(m.head));
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
            written = checkWritten(m, ShmLayout.writeSequenceAcquire(m.head));
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
    private RingFrame readStable(SegmentMapping m, long want, long off, long skipped) {
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
        if (ShmLayout.slotSequenceAcquire(slots, off) != want) {
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

    private void overrun(SegmentMapping m) {
        m.table.recordOverrun(m.entry);
    }

    private void recordSkip(SegmentMapping m, long skipped) {
        gaps.addAndGet(skipped);
        m.table.recordSkips(m.entry, skipped);
    }

    /** Whether a reliable producer dropped this consumer (its reads must rejoin first: {@link #rejoin}). */
    private static boolean droppedByProducer(SegmentMapping m) {
        return m.reliable && m.table.stateOpaque(m.entry) == ShmLayout.ENTRY_DROPPED;
    }

    /** The producer dropped us (reliable timeout): take part again from the newest committed frame. */
    private void rejoin(SegmentMapping m) {
        long written = checkWritten(m, ShmLayout.writeSequenceAcquire(m.head));
        m.table.positionRelease(m.entry, Math.max(nextSequence, Math.max(1, written)) - 1);
        m.table.stateVolatile(m.entry, ShmLayout.ENTRY_ACTIVE);
        // as in join: what was committed before we were visible again may be overwritten without the producer
        // waiting for us; start at the newest such frame (the drop is counted on both sides)
        written = Math.max(written, checkWritten(m, ShmLayout.writeSequenceVolatile(m.head)));
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
    long checkWritten(SegmentMapping m, long written) {
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
    private void batchReleased(SegmentMapping m, long sequence) {
        batchPosition = sequence;
        if (++batchUnpublished >= m.positionStride) {
            batchUnpublished = 0;
            advancePosition(m, sequence);
        }
    }

    void advancePosition(SegmentMapping m, long sequence) {
        m.table.advancePosition(m.entry, sequence);
    }

    /** A zero-copy view of one slot; valid while the slot still holds this frame. */
    final class RingFrame implements ShmFrame {
        private final SegmentMapping m;
        private final long sequence;
        private final long offset;
        private final long timestamp;
        private final long skipped;
        private final MemorySegment payload;
        private boolean released;
        private boolean valid;

        RingFrame(SegmentMapping m, long sequence, long offset, int length, long timestamp, long skipped) {
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
                valid = ShmLayout.slotSequenceAcquire(m.slots, offset) == sequence;
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
                onFault.accept(e);
            }
            return valid;
        }

        @Override
        public void close() {
            release();
        }
    }
}
