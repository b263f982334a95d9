package io.labhub.sample.stage;

import io.labhub.api.InvalidInputException;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The stage's axis: a position that moves towards a target at a constant speed. Time comes from a
 * clock, so the model is testable without waiting. Thread-safe: requests arrive on several server
 * threads (a {@code stop} must be served while a {@code move} waits).
 */
final class Motion {

    private final double min;
    private final double max;
    private final double speed;
    private final LongSupplier clock;
    private double from;
    private double to;
    private long startNanos;
    /** Incremented by every move and stop: a waiting move knows when it was superseded. */
    private long generation;

    Motion(double min, double max, double speedMmPerS, double start, LongSupplier nanoClock) {
        if (!(min < max) || !(speedMmPerS > 0) || start < min || start > max) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "stage: need min < max, speed > 0 and min <= start <= max; got [%s, %s], %s mm/s, start %s", min, max, speedMmPerS, start));
        }
        this.min = min;
        this.max = max;
        this.speed = speedMmPerS;
        this.clock = nanoClock;
        this.from = start;
        this.to = start;
        this.startNanos = nanoClock.getAsLong();
    }

    synchronized double position() {
        double elapsed = (clock.getAsLong() - startNanos) / 1e9;
        double travelled = Math.min(Math.abs(to - from), elapsed * speed);
        return from + Math.signum(to - from) * travelled;
    }

    synchronized boolean moving() {
        return (clock.getAsLong() - startNanos) / 1e9 * speed < Math.abs(to - from);
    }

    /**
     * Starts a move.
     *
     * @return the generation of this move and the nanoseconds it will take
     * @throws InvalidInputException when the target is outside the travel range
     */
    synchronized long[] moveTo(double target) {
        if (!(target >= min && target <= max)) {
            throw new InvalidInputException("stage.range", Double.toString(target), String.format(Locale.ROOT,
                    "target %.3f mm is outside the travel range [%.3f, %.3f] mm", target, min, max));
        }
        double here = position();
        from = here;
        to = target;
        startNanos = clock.getAsLong();
        generation++;
        notifyAll();
        return new long[] {generation, (long) (Math.abs(target - here) / speed * 1e9)};
    }

    /** Stops where the axis is now; returns that position. */
    synchronized double stop() {
        double here = position();
        from = here;
        to = here;
        startNanos = clock.getAsLong();
        generation++;
        notifyAll();
        return here;
    }

    /**
     * Waits (in real time) until move {@code gen} arrives or is superseded by another move or a stop.
     *
     * @return {@code true} when it arrived
     */
    synchronized boolean awaitArrival(long gen, long durationNanos) throws InterruptedException {
        long end = System.nanoTime() + durationNanos;
        long left;
        while (generation == gen && (left = end - System.nanoTime()) > 0) {
            wait(Math.max(1, left / 1_000_000), 0);
        }
        return generation == gen;
    }

    double min() {
        return min;
    }

    double max() {
        return max;
    }

    double speed() {
        return speed;
    }
}
