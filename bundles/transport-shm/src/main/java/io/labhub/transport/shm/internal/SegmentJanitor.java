package io.labhub.transport.shm.internal;

import java.lang.foreign.MemorySegment;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.labhub.api.ChannelNotFoundException;
import io.labhub.api.LabHubException;
import io.labhub.transport.shm.internal.ShmLayout.Expectation;
import io.labhub.transport.shm.internal.ShmLayout.Header;
import io.labhub.transport.shm.internal.platform.ShmHandle;
import io.labhub.transport.shm.internal.platform.ShmPlatform;

/**
 * Removes segments nobody can use any more: a producer that was SIGKILLed with no consumer attached
 * cannot unlink its own file. A segment goes when it is valid, its producer is closed or dead, and no
 * consumer in its table is alive; or when it does not validate (truncated, garbage) and no process has it
 * open or mapped ({@link ShmPlatform#inUse}: owner-only files of this user, where the platform can tell).
 */
public final class SegmentJanitor {

    private static final Logger LOG = LoggerFactory.getLogger(SegmentJanitor.class);

    private SegmentJanitor() {
    }

    /** @return how many segments were removed */
    public static int sweep(ShmPlatform platform) {
        int removed = 0;
        for (String name : platform.list()) {
            boolean unusable = false;
            try (ShmHandle handle = platform.open(name)) {
                long size = handle.size();
                if (size < ShmLayout.HEADER_LENGTH) {
                    unusable = true;
                } else {
                    MemorySegment head = handle.map(0, ShmLayout.HEADER_LENGTH, false);
                    Header header;
                    try {
                        header = ShmLayout.validate(name, head, size, Expectation.NONE);
                    } catch (LabHubException invalid) {
                        unusable = true;
                        header = null;
                    }
                    if (header != null && staleValid(handle, head, header) && platform.unlink(name)) {
                        removed++;
                        LOG.info("removed stale shared-memory segment {} (producer pid {} gone)", name, header.producerPid());
                    }
                }
            } catch (ChannelNotFoundException gone) {
                continue;
            } catch (LabHubException | IllegalStateException e) {
                unusable = true; // could not even map it
            } catch (InternalError e) {
                unusable = true; // shrank while we read it
            }
            // A file that does not validate (truncated to nothing, a few bytes, garbage) names no producer we
            // could ask; it goes once no process has it open or mapped: a live producer always maps its
            // segment, and a creator holds its descriptor until it has mapped. (Our own handle is closed now.)
            if (unusable && !platform.inUse(name)) {
                try {
                    if (platform.unlink(name)) {
                        removed++;
                        LOG.info("removed shared-memory segment {}: it does not validate and no process uses it", name);
                    }
                } catch (LabHubException e) {
                    LOG.debug("janitor cannot remove {}: {}", name, e.getMessage());
                }
            } else if (unusable) {
                LOG.trace("janitor leaves {}: it does not validate but is in use (or that cannot be told)", name);
            }
        }
        return removed;
    }

    /** A valid segment whose producer is closed or dead and that has no live consumer. */
    private static boolean staleValid(ShmHandle handle, MemorySegment head, Header header) {
        if (!header.producerGone(head)) {
            return false;
        }
        MemorySegment table = handle.map(header.geometry().tableOffset(), header.geometry().tableLength(), false);
        return !new ConsumerTable(table, header.geometry().consumerCapacity()).anyLiveConsumer();
    }
}
