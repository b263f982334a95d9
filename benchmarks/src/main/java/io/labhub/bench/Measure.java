package io.labhub.bench;

import java.util.Arrays;

/**
 * The two measuring loops every case uses, so LabHub and its references are timed the same way: a warm-up
 * of {@code bench.warmMs}, then a measured window of {@code bench.measureMs} (system properties the
 * orchestrator passes to each child JVM).
 */
final class Measure {

    static final long WARM_NANOS = Long.getLong("bench.warmMs", 500) * 1_000_000L;
    static final long MEASURE_NANOS = Long.getLong("bench.measureMs", 1500) * 1_000_000L;
    private static final int MAX_SAMPLES = 1 << 22;

    private Measure() {
    }

    /** One round trip; {@code n} is a fresh number the caller may put in the message to match its reply. */
    interface RoundTrip {
        void once(long n) throws Exception;
    }

    /** One receive step; returns how many messages it consumed (0 when nothing came). */
    interface Receive {
        long step() throws Exception;
    }

    /** Round trips timed one by one: returns {p50, p99, p99.9, samples} in nanoseconds. */
    static double[] roundTrips(RoundTrip rt) throws Exception {
        long n = 1;
        long end = System.nanoTime() + WARM_NANOS;
        while (System.nanoTime() < end) {
            rt.once(n++);
        }
        long[] samples = new long[MAX_SAMPLES];
        int k = 0;
        long stop = System.nanoTime() + MEASURE_NANOS;
        long t0 = System.nanoTime();
        while (k < samples.length) {
            rt.once(n++);
            long t1 = System.nanoTime();
            samples[k++] = t1 - t0;
            t0 = t1;
            if (t1 >= stop) {
                break;
            }
        }
        Arrays.sort(samples, 0, k);
        return new double[] {percentile(samples, k, 0.50), percentile(samples, k, 0.99), percentile(samples, k, 0.999), k};
    }

    /** Messages per second received over the measured window: returns {messages/s, bytes/s}. */
    static double[] rate(Receive r, long bytesPerMessage) throws Exception {
        long end = System.nanoTime() + WARM_NANOS;
        while (System.nanoTime() < end) {
            r.step();
        }
        long count = 0;
        long t0 = System.nanoTime();
        long stop = t0 + MEASURE_NANOS;
        long t1;
        do {
            count += r.step();
            t1 = System.nanoTime();
        } while (t1 < stop);
        double perSecond = count * 1e9 / (t1 - t0);
        return new double[] {perSecond, perSecond * bytesPerMessage};
    }

    static double percentile(long[] sorted, int n, double p) {
        if (n == 0) {
            return Double.NaN;
        }
        int i = (int) Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1));
        return sorted[i];
    }

    /** Waits until {@code probe} succeeds (it returns true), for at most {@code millis}. */
    static void await(String what, long millis, Probe probe) throws Exception {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (!probe.ok()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + millis + " ms waiting for " + what);
            }
            Thread.yield();
        }
    }

    interface Probe {
        boolean ok() throws Exception;
    }
}
