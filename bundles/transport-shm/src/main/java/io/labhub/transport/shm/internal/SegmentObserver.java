package io.labhub.transport.shm.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.Optional;

import io.labhub.api.ChannelCounters;
import io.labhub.api.ChannelName;
import io.labhub.api.FrameSnapshot;
import io.labhub.api.LabHubException;
import io.labhub.api.MessageTooLargeException;
import io.labhub.transport.shm.internal.ShmLayout.Expectation;
import io.labhub.transport.shm.internal.ShmLayout.Header;
import io.labhub.transport.shm.internal.platform.ShmHandle;
import io.labhub.transport.shm.internal.platform.ShmPlatform;

/**
 * Reads a channel's segment without taking part: its producer counters from the header, or a copy of its
 * newest committed frame. Nothing is joined in the consumer table, nothing is written, the broker is not
 * asked or told (so a {@code reliable} producer never waits for an observer, and attach counts do not
 * move). Observing must not change what is observed.
 *
 * <p>The segment is found by the CHANNEL_NAME header field ({@link ShmLayout}); when several segments carry
 * the name (a restarted producer, an old one kept alive by its consumers) the open producer's wins, then the
 * newest. Only what a read needs is mapped, read-only, and only for the read.
 */
final class SegmentObserver {

    /** Copies overwritten mid-read before a snapshot gives up (a producer far faster than one copy). */
    static final int SNAPSHOT_ATTEMPTS = 4;

    private SegmentObserver() {
    }

    /** What a read does with the chosen segment, its mapped header and validated geometry. */
    private interface Read<T> {
        T read(ShmHandle handle, MemorySegment head, Header header);
    }

    static Optional<ChannelCounters> observe(ShmPlatform platform, ChannelName name) {
        return best(platform, name, (handle, head, header) -> ShmLayout.producerCounters(head,
                handle.map(header.geometry().tableOffset(), ShmLayout.PAGE, false)));
    }

    /**
     * A copy of the newest committed frame: WRITE_SEQUENCE names it, its slot's SEQUENCE is read (acquire)
     * before the copy and again after an acquire fence, as a consumer does (docs/shm-layout.md, "Read
     * protocol"); a changed sequence means the producer reused the slot meanwhile, and the read starts over
     * at the then newest frame.
     */
    static Optional<FrameSnapshot> latest(ShmPlatform platform, ChannelName name, int maxBytes) {
        return best(platform, name, (handle, head, header) -> {
            ShmLayout.Geometry g = header.geometry();
            for (int attempt = 0; attempt < SNAPSHOT_ATTEMPTS; attempt++) {
                long want = ShmLayout.writeSequenceAcquire(head);
                if (want <= 0) {
                    return null;
                }
                long slotOffset = g.slotsOffset() + ((want - 1) % g.slotCount()) * (long) g.slotStride();
                MemorySegment slot = handle.map(slotOffset, g.slotStride(), false);
                if (ShmLayout.slotSequenceAcquire(slot, 0) != want) {
                    continue; // already reused for a newer frame (or being written): read the newest again
                }
                int length = slot.get(ValueLayout.JAVA_INT, ShmLayout.SLOT_LENGTH);
                long timestamp = slot.get(ValueLayout.JAVA_LONG, ShmLayout.SLOT_TIMESTAMP);
                if (length < 0 || length > g.slotSize()) {
                    VarHandle.acquireFence();
                    if (ShmLayout.slotSequenceAcquire(slot, 0) != want) {
                        continue; // the length belonged to the next writer
                    }
                    throw ShmLayout.invalid(handle.name(), "slot of frame " + want + " holds length " + length
                            + " outside 0.." + g.slotSize());
                }
                if (length > maxBytes) {
                    throw new MessageTooLargeException("frame " + want + " of " + name.value() + " is " + length
                            + " bytes, more than the " + maxBytes + " asked for");
                }
                byte[] payload = slot.asSlice(ShmLayout.SLOT_HEADER_LENGTH, length).toArray(ValueLayout.JAVA_BYTE);
                VarHandle.acquireFence();
                if (ShmLayout.slotSequenceAcquire(slot, 0) == want) {
                    return new FrameSnapshot(want, timestamp, payload);
                }
            }
            return null;
        });
    }

    /**
     * Reads the channel's best segment: the scan keeps the best candidate so far open, with its header mapped
     * and validated, and closes the others, so the read needs no second open nor a second check.
     */
    private static <T> Optional<T> best(ShmPlatform platform, ChannelName name, Read<T> read) {
        String wanted = name.value();
        ShmHandle best = null;
        MemorySegment bestHead = null;
        Header bestHeader = null;
        boolean bestOpen = false;
        long bestCreated = Long.MIN_VALUE;
        try {
            for (String segment : platform.list()) {
                ShmHandle handle = null;
                try {
                    handle = platform.open(segment);
                    long size = handle.size();
                    if (size < ShmLayout.HEADER_LENGTH) {
                        continue;
                    }
                    MemorySegment head = handle.map(0, ShmLayout.HEADER_LENGTH, false);
                    Header header = ShmLayout.validate(segment, head, size, Expectation.NONE);
                    if (!ShmLayout.carriesChannel(head, wanted)) {
                        continue;
                    }
                    boolean open = ShmLayout.producerStateAcquire(head) == ShmLayout.PRODUCER_OPEN
                            && Liveness.processAlive(header.producerPid(), header.producerStartMillis());
                    long created = head.get(ValueLayout.JAVA_LONG, ShmLayout.CREATED_MS_OFFSET);
                    if (best != null && (bestOpen && !open || bestOpen == open && created <= bestCreated)) {
                        continue;
                    }
                    if (best != null) {
                        best.close();
                    }
                    best = handle;
                    handle = null; // kept
                    bestHead = head;
                    bestHeader = header;
                    bestOpen = open;
                    bestCreated = created;
                } catch (LabHubException | IllegalStateException | InternalError e) {
                    // gone, foreign, truncated or unmapped meanwhile: not the channel's segment to report
                } finally {
                    if (handle != null) {
                        handle.close();
                    }
                }
            }
            if (best == null) {
                return Optional.empty();
            }
            // What the read itself finds wrong (a frame too large, a slot that breaks the layout) is the caller's to know.
            return Optional.ofNullable(read.read(best, bestHead, bestHeader));
        } catch (IllegalStateException | InternalError e) {
            return Optional.empty(); // truncated or unmapped under the read
        } finally {
            if (best != null) {
                best.close();
            }
        }
    }
}
