package io.labhub.transport.shm.internal;

import static io.labhub.transport.shm.internal.ShmLayout.INT;
import static io.labhub.transport.shm.internal.ShmLayout.LONG;

import java.lang.foreign.MemorySegment;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.labhub.api.LabHubException;
import io.labhub.transport.shm.internal.ShmLayout.Expectation;
import io.labhub.transport.shm.internal.ShmLayout.Header;
import io.labhub.transport.shm.internal.platform.ShmHandle;
import io.labhub.transport.shm.internal.platform.ShmPlatform;

/**
 * Removes segments nobody can use any more: a producer that was SIGKILLed with no consumer attached
 * cannot unlink its own file. A segment goes when it is valid, its producer is closed or dead, and no
 * consumer in its table is alive. Segments that do not validate are left alone (they may be someone
 * else's, or still being created).
 */
public final class SegmentJanitor {

    private static final Logger LOG = LoggerFactory.getLogger(SegmentJanitor.class);

    private SegmentJanitor() {
    }

    /** @return how many segments were removed */
    public static int sweep(ShmPlatform platform) {
        int removed = 0;
        for (String name : platform.list()) {
            try (ShmHandle handle = platform.open(name)) {
                long size = handle.size();
                if (size < ShmLayout.HEADER_LENGTH) {
                    continue;
                }
                MemorySegment head = handle.map(0, ShmLayout.HEADER_LENGTH, false);
                Header header = ShmLayout.validate(name, head, size, Expectation.NONE);
                boolean producerGone = (int) INT.getVolatile(head, ShmLayout.PRODUCER_STATE_OFFSET) != ShmLayout.PRODUCER_OPEN
                        || !Liveness.processAlive(header.producerPid(), header.producerStartMillis());
                if (!producerGone) {
                    continue;
                }
                MemorySegment table = handle.map(ShmLayout.TABLE_OFFSET, header.geometry().tableLength(), false);
                int n = header.geometry().consumerCapacity(); // not HIGH_WATER: any consumer can write it
                boolean consumerAlive = false;
                for (int i = 0; i < n && !consumerAlive; i++) {
                    long e = ShmLayout.ENTRIES_OFFSET + (long) i * ShmLayout.ENTRY_LENGTH;
                    consumerAlive = (int) INT.getVolatile(table, e + ShmLayout.ENTRY_STATE) != ShmLayout.ENTRY_FREE
                            && Liveness.processAlive((long) LONG.getAcquire(table, e + ShmLayout.ENTRY_PID),
                            (long) LONG.getAcquire(table, e + ShmLayout.ENTRY_START_MS));
                }
                if (!consumerAlive && platform.unlink(name)) {
                    removed++;
                    LOG.info("removed stale shared-memory segment {} (producer pid {} gone)", name, header.producerPid());
                }
            } catch (LabHubException | IllegalStateException e) {
                LOG.trace("janitor skips {}: {}", name, e.getMessage());
            }
        }
        return removed;
    }
}
