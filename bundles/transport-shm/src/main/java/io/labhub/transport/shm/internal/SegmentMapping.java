package io.labhub.transport.shm.internal;

import java.lang.foreign.MemorySegment;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.labhub.api.ChannelName;
import io.labhub.api.LabHubException;
import io.labhub.transport.shm.internal.ShmLayout.Expectation;
import io.labhub.transport.shm.internal.ShmLayout.Geometry;
import io.labhub.transport.shm.internal.ShmLayout.Header;
import io.labhub.transport.shm.internal.platform.ShmHandle;
import io.labhub.transport.shm.internal.platform.ShmPlatform;

/**
 * One segment as a consumer maps it, and its entry in the consumer table: opening and validating
 * ({@link #open}), joining, leaving ({@link #leave}), and the validated header values the read path uses.
 * A consumer that switches to a restarted producer's segment opens a new one and leaves the old
 * ({@link RingConsumer}'s remapping).
 */
final class SegmentMapping {

    private static final Logger LOG = LoggerFactory.getLogger(SegmentMapping.class);

    final ShmHandle handle;
    final MemorySegment head;
    final ConsumerTable table;
    final MemorySegment slots;
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

    private SegmentMapping(ShmHandle handle, MemorySegment head, MemorySegment table, MemorySegment slots, Header header,
            long livenessNanos) {
        this.handle = handle;
        this.head = head;
        this.table = new ConsumerTable(table, header.geometry().consumerCapacity());
        this.slots = slots;
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
        this.positionStride = Math.max(1, Math.min(RingConsumer.POSITION_STRIDE, slotCount / 4));
    }

    /**
     * Wakes this consumer's own threads sleeping on its entry (a close or failure from another thread): bumps
     * the entry's WAKE_WORD, then wakes it, as the producer does.
     */
    void wakeOwnEntry(ShmPlatform platform) {
        int i = entry;
        try {
            table.bumpWakeWord(i);
        } catch (InternalError truncated) {
            return; // the word's page is gone (a failure's usual cause): no wait on it can block any more
        }
        platform.wake(handle, i, table.wakeWord(i));
    }

    /** Offset of frame {@code sequence}'s slot within {@link #slots} (sequence >= 1). */
    long slotOffset(long sequence) {
        long index = slotMask >= 0 ? (sequence - 1) & slotMask : (sequence - 1) % slotCount;
        return index * slotStride;
    }

    long slotSequence(long sequence) {
        return ShmLayout.slotSequenceAcquire(slots, slotOffset(sequence));
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

    /**
     * Opens, maps and validates the segment, then joins its consumer table: the header page and the slots
     * read-only, only the table (whole pages after the header) writable, the descriptor released.
     *
     * @param fromOldest start at the oldest frame still in the ring (a switch to a restarted producer),
     *                   else after the newest committed one
     * @throws LabHubException SEGMENT_INVALID when the segment is unusable or its table is full
     */
    static SegmentMapping open(ShmPlatform platform, RingConsumer.Endpoint endpoint, RingSettings settings,
                               boolean fromOldest) {
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
            MemorySegment table = handle.map(g.tableOffset(), g.tableLength(), true);
            MemorySegment slots = handle.map(g.slotsOffset(), g.totalSize() - g.slotsOffset(), false);
            handle.releaseDescriptor();
            // a producer configured with a slower heartbeat than our liveness timeout is not dead
            long liveness = Math.max(settings.livenessTimeout().toNanos(),
                    3 * Math.max(0, Math.min(header.heartbeatPeriodNanos(), Long.MAX_VALUE / 8)));
            SegmentMapping m = new SegmentMapping(handle, head, table, slots, header, liveness);
            m.join(fromOldest);
            return m;
        } catch (RuntimeException e) {
            handle.close();
            throw e;
        }
    }

    /** Leaves the table; removes the segment if we were the last user of a gone producer; unmaps. */
    void leave(ShmPlatform platform, ChannelName name) {
        try {
            table.stateVolatile(entry, ShmLayout.ENTRY_FREE);
            if (header.producerGone(head) && !table.anyLiveConsumer()) {
                platform.unlink(handle.name());
            }
        } catch (InternalError e) {
            LOG.warn("shm consumer {}: segment {} was truncated under its mapping", name, handle.name());
        } catch (RuntimeException e) {
            LOG.warn("shm consumer {}: error while leaving segment {}", name, handle.name(), e);
        } finally {
            handle.close();
        }
    }

}
