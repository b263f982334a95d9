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
    /**
     * Round-trip and one-way cases also warm up for at least this many exchanges (at most
     * {@link #WARM_CAP_NANOS}): a time alone is unfair to slow paths. A 64 B request over CURVE takes
     * milliseconds until JeroMQ's DEALER/ROUTER and crypto code is compiled, so 500 ms is a few hundred
     * interpreted exchanges; a raw case that runs after a similar one would start warm and LabHub's
     * would not. The same count applies to every case, so the comparison stays like for like.
     */
    static final long WARM_MIN_EXCHANGES = Long.getLong("bench.warmExchanges", 20_000);
    private static final long WARM_CAP_NANOS = 8_000_000_000L;
    private static final int MAX_SAMPLES = 1 << 22;

    private Measure() {
    }

    /** One round trip; {@code n} is a fresh number the caller may put in the message to match its reply. */
    interface RoundTrip {
        void once(long n) throws Exception;
    }

    /**
     * One paced one-way message: the caller triggers one send (its peer stamps the message with its own
     * {@link System#nanoTime()} just before sending) and returns the receive time minus that stamp, in ns.
     */
    interface OneWay {
        long once(long n) throws Exception;
    }

    /** One receive step; returns how many messages it consumed (0 when nothing came). */
    interface Receive {
        long step() throws Exception;
    }

    /** Whether an exchange-timed case is still warming up: at least WARM_NANOS and WARM_MIN_EXCHANGES, at most the cap. */
    private static boolean warming(long start, long exchanges) {
        long elapsed = System.nanoTime() - start;
        return elapsed < WARM_NANOS || (exchanges <= WARM_MIN_EXCHANGES && elapsed < WARM_CAP_NANOS);
    }

    /** Round trips timed one by one: returns {p50, p99, p99.9, samples} in nanoseconds. */
    static double[] roundTrips(RoundTrip rt) throws Exception {
        long n = 1;
        long start = System.nanoTime();
        while (warming(start, n)) {
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

    /**
     * One-way latencies sampled one by one: returns {p50, p99, p99.9, samples} in nanoseconds, like
     * {@link #roundTrips}. The samples are differences of {@link System#nanoTime()} read in two processes:
     * on Linux that is CLOCK_MONOTONIC, one clock for every process of the machine, so the difference is
     * a true one-way time. A negative sample means that assumption does not hold here: the case fails.
     */
    static double[] oneWays(OneWay ow) throws Exception {
        long n = 1;
        long start = System.nanoTime();
        while (warming(start, n)) {
            ow.once(n++);
        }
        long[] samples = new long[MAX_SAMPLES];
        int k = 0;
        long stop = System.nanoTime() + MEASURE_NANOS;
        while (k < samples.length) {
            long d = ow.once(n++);
            if (d < 0) {
                throw new IllegalStateException("negative one-way latency (" + d + " ns): System.nanoTime() is not"
                        + " one clock shared by both processes on this OS");
            }
            samples[k++] = d;
            if (System.nanoTime() >= stop) {
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
