package io.labhub.transport.shm.internal;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

import io.labhub.api.ChannelCounters;
import io.labhub.api.ChannelName;
import io.labhub.api.LabHubException;
import io.labhub.transport.shm.internal.ShmLayout.Expectation;
import io.labhub.transport.shm.internal.ShmLayout.Header;
import io.labhub.transport.shm.internal.platform.ShmHandle;
import io.labhub.transport.shm.internal.platform.ShmPlatform;

/**
 * Reads a channel's producer counters from its segment header without taking part: nothing is joined in
 * the consumer table, nothing is written, the broker is not asked or told (so a {@code reliable} producer
 * never waits for an observer, and attach counts do not move). Observing must not change what is observed.
 *
 * <p>The segment is found by the CHANNEL_NAME header field ({@link ShmLayout}); when several segments carry
 * the name (a restarted producer, an old one kept alive by its consumers) the open producer's wins, then the
 * newest. The header and the table's first page are mapped read-only only for the read.
 */
final class SegmentObserver {

    private SegmentObserver() {
    }

    static Optional<ChannelCounters> observe(ShmPlatform platform, ChannelName name) {
        String wanted = name.value();
        ChannelCounters best = null;
        boolean bestOpen = false;
        long bestCreated = Long.MIN_VALUE;
        for (String segment : platform.list()) {
            try (ShmHandle handle = platform.open(segment)) {
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
                long created = head.get(java.lang.foreign.ValueLayout.JAVA_LONG, ShmLayout.CREATED_MS_OFFSET);
                if (best != null && (bestOpen && !open || bestOpen == open && created <= bestCreated)) {
                    continue;
                }
                MemorySegment table = handle.map(header.geometry().tableOffset(), ShmLayout.PAGE, false);
                best = ShmLayout.producerCounters(head, table);
                bestOpen = open;
                bestCreated = created;
            } catch (LabHubException | IllegalStateException | InternalError e) {
                // gone, foreign, truncated or unmapped meanwhile: not the channel's segment to report
            }
        }
        return Optional.ofNullable(best);
    }
}
