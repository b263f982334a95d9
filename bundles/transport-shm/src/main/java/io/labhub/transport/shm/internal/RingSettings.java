package io.labhub.transport.shm.internal;

import java.time.Duration;

import io.labhub.api.WaitStrategy;

/**
 * Host-wide tunables of the ring (the per-channel ones are in {@link io.labhub.api.ShmOptions}).
 * Defaults and property names live in {@link ShmTransportConfig}.
 *
 * @param heartbeatPeriod  how often producers and consumers bump their heartbeat counters
 * @param livenessTimeout  a peer whose heartbeat did not move for this long is considered dead
 * @param consumerCapacity entries in a new segment's consumer table (at least 64)
 * @param defaultWait      how consumers wait when neither they nor the channel chose
 * @param blockSlice       the longest single kernel wait: bounds how late a close or a lost wake is noticed
 */
public record RingSettings(Duration heartbeatPeriod, Duration livenessTimeout, int consumerCapacity,
                           WaitStrategy defaultWait, Duration blockSlice) {

    public static final RingSettings DEFAULTS = new RingSettings(Duration.ofMillis(100), Duration.ofMillis(1000),
            64, WaitStrategy.DEFAULT, Duration.ofMillis(100));

    public RingSettings withLiveness(Duration period, Duration timeout) {
        return new RingSettings(period, timeout, consumerCapacity, defaultWait, blockSlice);
    }

    public RingSettings withConsumerCapacity(int capacity) {
        return new RingSettings(heartbeatPeriod, livenessTimeout, capacity, defaultWait, blockSlice);
    }

    /** A duration in nanoseconds, negative as 0 and saturated far below overflow (deadlines add to nanoTime). */
    public static long nanos(Duration d) {
        if (d.isNegative()) {
            return 0;
        }
        return d.compareTo(Duration.ofDays(365 * 100)) > 0 ? Long.MAX_VALUE / 4 : d.toNanos();
    }
}
