package io.labhub.transport.shm.internal;

import java.time.Instant;
import java.util.Optional;

/**
 * Judges whether a peer process is alive: its pid must exist with the start time it recorded (so a
 * reused pid does not count), and its heartbeat counter must have moved within the liveness timeout.
 * The heartbeat is a counter, not a time stamp, and staleness is measured on the observer's own
 * monotonic clock: no clock has to agree across processes.
 */
public final class Liveness {

    /** Tolerated difference between two readings of the same process start time. */
    private static final long START_TOLERANCE_MS = 1000;

    private final long timeoutNanos;
    private long lastBeat = Long.MIN_VALUE;
    private long lastChangeNanos;

    public Liveness(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
    }

    /** Feeds the current heartbeat counter; @return true while it moved within the timeout */
    public boolean heartbeatFresh(long beat, long nowNanos) {
        if (beat != lastBeat) {
            lastBeat = beat;
            lastChangeNanos = nowNanos;
            return true;
        }
        return nowNanos - lastChangeNanos < timeoutNanos;
    }

    /** Whether {@code pid} runs and (if known) started at {@code startMillis}. */
    public static boolean processAlive(long pid, long startMillis) {
        if (pid <= 0) {
            return false;
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return false;
        }
        if (startMillis <= 0) {
            return true;
        }
        Optional<Instant> start = handle.get().info().startInstant();
        return start.isEmpty() || Math.abs(start.get().toEpochMilli() - startMillis) <= START_TOLERANCE_MS;
    }

    /** This process's start time in epoch ms, or 0 when the OS does not say. */
    public static long currentStartMillis() {
        return ProcessHandle.current().info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }
}
