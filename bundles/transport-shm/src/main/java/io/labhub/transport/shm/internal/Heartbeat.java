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
 * transport each period, so that liveness does not depend on the application reading or writing.
 */
public final class Heartbeat implements AutoCloseable {

    /** Something with a heartbeat counter in shared memory. */
    public interface Beating {
        void beat();
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

    private void beatAll() {
        for (Beating member : members) {
            try {
                member.beat();
            } catch (RuntimeException e) {
                // a member that was just closed (unmapped) from another thread; it removes itself
                LOG.trace("heartbeat skipped", e);
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        members.clear();
    }
}
