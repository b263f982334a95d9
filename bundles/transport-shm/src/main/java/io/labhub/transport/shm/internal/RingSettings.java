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

    // The shm defaults, one place: ShmTransportConfig's annotation defaults and DEFAULTS are these constants.
    /** Heartbeat period of producers and consumers, milliseconds. */
    public static final long HEARTBEAT_PERIOD_MILLIS = 100;
    /** A heartbeat that did not move this long means dead, milliseconds. */
    public static final long LIVENESS_TIMEOUT_MILLIS = 1000;
    /** Consumer table entries of a new segment, and the least a configuration may ask for. */
    public static final int CONSUMER_CAPACITY = 64;
    /** The longest single kernel wait of a consumer, milliseconds. */
    public static final long BLOCK_SLICE_MILLIS = 100;
    /** Default spin, microseconds: {@link WaitStrategy#DEFAULT}'s (RingSettingsTest checks they agree). */
    public static final long SPIN_MICROS = 20;
    /** Default yield, microseconds: {@link WaitStrategy#DEFAULT}'s. */
    public static final long YIELD_MICROS = 200;

    public static final RingSettings DEFAULTS = new RingSettings(Duration.ofMillis(HEARTBEAT_PERIOD_MILLIS),
            Duration.ofMillis(LIVENESS_TIMEOUT_MILLIS), CONSUMER_CAPACITY,
            new WaitStrategy(Duration.ofNanos(SPIN_MICROS * 1000), Duration.ofNanos(YIELD_MICROS * 1000)),
            Duration.ofMillis(BLOCK_SLICE_MILLIS));

    /** The settings a configuration asks for (capacity at least {@link #CONSUMER_CAPACITY}, slice at least 1 ms). */
    public static RingSettings of(ShmTransportConfig config) {
        return new RingSettings(Duration.ofMillis(config.heartbeatPeriodMillis()),
                Duration.ofMillis(config.livenessTimeoutMillis()), Math.max(CONSUMER_CAPACITY, config.maxConsumers()),
                new WaitStrategy(Duration.ofNanos(config.spinMicros() * 1000), Duration.ofNanos(config.yieldMicros() * 1000)),
                Duration.ofMillis(Math.max(1, config.blockSliceMillis())));
    }

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
