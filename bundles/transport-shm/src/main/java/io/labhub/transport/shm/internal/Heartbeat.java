package io.labhub.transport.shm.internal;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One daemon thread that bumps the heartbeat counter of every open producer and consumer of a
 * transport each period, so that liveness does not depend on the application reading or writing. It also
 * finds segments that became unusable (see {@link Beating#segmentFailed}) and never dies of one.
 */
public final class Heartbeat implements AutoCloseable {

    /** Something with a heartbeat counter in shared memory. */
    public interface Beating {
        /** Bumps the counter (and checks the segment); runs on the heartbeat thread. */
        void beat();

        /**
         * The segment failed under {@link #beat()} (an access to a page the file no longer has raises
         * {@code InternalError}): close with SEGMENT_INVALID without blocking this thread.
         */
        default void segmentFailed(Throwable cause) {
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(Heartbeat.class);

    private final Set<Beating> members = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer;

    public Heartbeat(Duration period) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "labhub-shm-heartbeat");
            t.setDaemon(true);
            return t;
        });
        long nanos = Math.max(1_000_000, period.toNanos());
        timer.scheduleAtFixedRate(this::beatAll, nanos, nanos, TimeUnit.NANOSECONDS);
    }

    public void add(Beating member) {
        members.add(member);
    }

    public void remove(Beating member) {
        members.remove(member);
    }

    /**
     * One failing member never stops the others, and nothing escapes (an exception out of a scheduled task
     * would cancel it: liveness would stop for every channel of the transport).
     */
    private void beatAll() {
        for (Beating member : members) {
            try {
                member.beat();
            } catch (InternalError e) {
                // a fault in a mapped access: the segment file shrank under the mapping
                remove(member);
                try {
                    member.segmentFailed(e);
                } catch (Throwable t) {
                    LOG.warn("closing a failed shared-memory channel threw", t);
                }
            } catch (RuntimeException e) {
                // a member that was just closed (unmapped) from another thread; it removes itself
                LOG.trace("heartbeat skipped", e);
            } catch (Throwable t) {
                LOG.error("shared-memory heartbeat of {} failed; the others go on", member, t);
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        members.clear();
    }
}
