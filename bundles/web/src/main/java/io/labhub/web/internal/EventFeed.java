package io.labhub.web.internal;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The channel list pushed to every {@code /api/events} stream: one thread reads the {@link ChannelTable} once per
 * {@link #PERIOD} while at least one stream is open and publishes the JSON; each stream waits for the next version
 * on its own request thread, so a slow browser delays only itself. At most {@link #MAX_STREAMS} streams at once
 * (each holds a server thread).
 */
final class EventFeed implements AutoCloseable {

    static final Duration PERIOD = Duration.ofSeconds(1);
    static final int MAX_STREAMS = 32;
    private static final Logger LOG = LoggerFactory.getLogger(EventFeed.class);

    /** One published list; {@code version} grows by one each time. */
    record Snapshot(long version, String json) {
    }

    private final ChannelTable table;
    private final ScheduledExecutorService timer;
    private Snapshot current = new Snapshot(0, null);
    private int streams;
    private boolean closed;

    EventFeed(ChannelTable table) {
        this.table = table;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "labhub-web-events");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::tick, 0, PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** @return false when the feed is closed or {@link #MAX_STREAMS} are open */
    synchronized boolean open() {
        if (closed || streams >= MAX_STREAMS) {
            return false;
        }
        streams++;
        if (streams == 1) {
            timer.execute(this::tick); // a first list at once, not at the next period
        }
        return true;
    }

    synchronized void leave() {
        streams--;
    }

    /**
     * Waits for a snapshot newer than {@code seen}, at most {@code timeout}.
     *
     * @return the newer snapshot, the current one when none came in time, or null when the feed closed
     */
    synchronized Snapshot next(long seen, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long left;
        while (!closed && current.version() <= seen && (left = deadline - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return closed ? null : current;
    }

    private void tick() {
        synchronized (this) {
            if (closed || streams == 0) {
                return;
            }
        }
        String json;
        try {
            json = Http.JSON.writeValueAsString(table.read());
        } catch (Exception e) {
            LOG.warn("web console: reading the channel list failed: {}", e.toString());
            return;
        }
        synchronized (this) {
            current = new Snapshot(current.version() + 1, json);
            notifyAll();
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        timer.shutdownNow();
    }
}
