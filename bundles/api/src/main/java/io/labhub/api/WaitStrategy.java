package io.labhub.api;

import java.time.Duration;
import java.util.Objects;

/**
 * How a thread waits for data that is not there yet: it busy-spins for {@code spin}, then yields the
 * CPU for {@code yield}, then blocks in the kernel (futex on Linux, a named event on Windows, a socket
 * poll for ZeroMQ) until woken or its deadline passes. A blocked waiter costs no CPU.
 *
 * <p>Spinning buys the lowest latency at the price of a busy core; use {@link #BLOCKING} when cores
 * are scarce and {@link #LOW_LATENCY} when a core can be dedicated.
 *
 * @param spin  how long to busy-spin before yielding; zero or positive
 * @param yield how long to yield before blocking; zero or positive
 */
public record WaitStrategy(Duration spin, Duration yield) {

    /** Block at once: no spinning, no yielding. */
    public static final WaitStrategy BLOCKING = new WaitStrategy(Duration.ZERO, Duration.ZERO);
    /** Spin 20 us, yield 200 us, then block: a good default on a shared machine. */
    public static final WaitStrategy DEFAULT = new WaitStrategy(Duration.ofNanos(20_000), Duration.ofNanos(200_000));
    /** Spin 10 ms, yield 10 ms, then block: for a dedicated core. */
    public static final WaitStrategy LOW_LATENCY = new WaitStrategy(Duration.ofMillis(10), Duration.ofMillis(10));

    public WaitStrategy {
        Objects.requireNonNull(spin, "spin");
        Objects.requireNonNull(yield, "yield");
        if (spin.isNegative() || yield.isNegative()) {
            throw new InvalidInputException("wait.nonNegative", spin + "/" + yield,
                    "wait strategy durations must not be negative (spin=" + spin + ", yield=" + yield + ")");
        }
    }
}
