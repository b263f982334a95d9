package io.labhub.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/** Writes report.md (tables), report.png (ratio chart) and results.csv (every figure of every launch). */
final class Report {

    /**
     * One comparison: figure {@code subjectIndex} of case {@code subject} against figure
     * {@code referenceIndex} of case {@code reference}, shown in {@code unit} (value times {@code scale}).
     * RTT cases give {p50, p99, p99.9, samples} in ns; rate cases {messages/s, bytes/s}.
     */
    record Row(String label, String unit, double scale, String subject, int subjectIndex,
               String referenceLabel, String reference, int referenceIndex, boolean lowerIsBetter,
               double referenceFactor) {

        /** A row whose reference is the reference figure itself. */
        Row(String label, String unit, double scale, String subject, int subjectIndex,
            String referenceLabel, String reference, int referenceIndex, boolean lowerIsBetter) {
            this(label, unit, scale, subject, subjectIndex, referenceLabel, reference, referenceIndex, lowerIsBetter, 1);
        }
    }

    /** The reference figure per launch as the row compares with it (e.g. half a round trip). */
    static double[] referenceSeries(Results r, Row row) {
        double[] s = r.series(row.reference(), row.referenceIndex());
        for (int i = 0; i < s.length; i++) {
            s[i] *= row.referenceFactor();
        }
        return s;
    }

    /** Cases whose figures are {p50, p99, p99.9, samples} in ns (round trips and one-way latencies). */
    static boolean latency(String key) {
        return key.contains("rtt") || key.contains("reqrep") || key.contains("handshake") || key.endsWith("pingpong") || key.endsWith("futex")
                || key.endsWith("/ow") || key.contains("/ow.") || key.contains(".ow.");
    }

    private static final double US = 1e-3;
    private static final double M = 1e-6;
    private static final double G = 1e-9;

    /** Issue 15: the Python client against the Java client, same launch (goal: 0.5x at 1 MiB); only where it runs. */
    private static final List<Row> PYTHON_ROWS = List.of(
            new Row("Python shm consumer, 2 MiB frames as numpy views", "GB/s", G, "python/shm.tp.2097152", 1,
                    "Java zero-copy consumer, 2 MiB frames", "labhub/shm.tp.2097152", 1, false),
            new Row("Python shm consumer, 1 MiB frames as numpy views", "GB/s", G, "python/shm.tp.1048576", 1,
                    "Java zero-copy consumer, 1 MiB frames", "labhub/shm.tp.1048576", 1, false),
            new Row("Python subscriber, pubsub 64 B (CURVE)", "M msg/s", M, "python/pubsub.64", 0,
                    "Java subscriber, pubsub 64 B (CURVE)", "labhub/pubsub.64", 0, false),
            new Row("Python shm producer, 64 B (Java consumer)", "M msg/s", M, "python/shm.rate", 0,
                    "Java shm producer, 64 B (Java consumer)", "labhub/shm.rate", 0, false));

    /** Issue 17: the camera watched by ten browser viewers against none, same launch; only where chromium runs. */
    private static final List<Row> BROWSER_ROWS = List.of(
            new Row("camera 2 MiB frames at 100/s, ten browser viewers", "frames/s", 1, "preview/paced.browsers", 0,
                    "the same camera, no preview", "preview/paced.off", 0, false),
            new Row("its Java consumer, ten browser viewers", "frames/s", 1, "preview/paced.browsers", 1,
                    "its Java consumer, no preview", "preview/paced.off", 1, false),
            new Row("reliable camera at max to one consumer, ten browser viewers", "frames/s", 1, "preview/max.browsers", 1,
                    "the same, no preview", "preview/max.off", 1, false));

    private static final List<Goal> BROWSER_GOALS = List.of(
            new Goal("camera rate with ten browser viewers >= 0.95x without (issue 17)", "preview/paced.browsers", 0,
                    "preview/paced.off", 0, 1, "x", true, 0.95),
            new Goal("consumer rate with ten browser viewers >= 0.95x without (issue 17)", "preview/paced.browsers", 1,
                    "preview/paced.off", 1, 1, "x", true, 0.95));

    private static List<Row> withOptional(List<Row> rows) {
        List<Row> all = new java.util.ArrayList<>(rows);
        if (PythonGroup.available()) {
            all.addAll(PYTHON_ROWS);
        }
        if (BrowserViewers.available()) {
            all.addAll(BROWSER_ROWS);
        }
        return List.copyOf(all);
    }

    static final List<Row> ROWS = withOptional(List.of(
            new Row("LabHub shm 64 B round trip, spin, p50", "us", US, "labhub/shm.rtt.spin", 0,
                    "cache-line ping-pong p50", "phys/pingpong", 0, true),
            new Row("LabHub shm 64 B round trip, spin, p99", "us", US, "labhub/shm.rtt.spin", 1,
                    "cache-line ping-pong p99", "phys/pingpong", 1, true),
            new Row("LabHub shm 64 B round trip, spin, p50", "us", US, "labhub/shm.rtt.spin", 0,
                    "Aeron IPC 64 B round trip p50", "aeron/rtt", 0, true),
            new Row("LabHub shm 64 B round trip, blocking, p50", "us", US, "labhub/shm.rtt.block", 0,
                    "futex round trip p50", "phys/futex", 0, true),
            new Row("LabHub shm 64 B round trip, blocking, p99", "us", US, "labhub/shm.rtt.block", 1,
                    "futex round trip p99", "phys/futex", 1, true),
            new Row("LabHub shm 64 B one-way, spin, p50", "us", US, "labhub/shm.ow.spin", 0,
                    "Aeron IPC 64 B one-way p50", "aeron/ow", 0, true),
            new Row("LabHub shm 64 B one-way, spin, p99", "us", US, "labhub/shm.ow.spin", 1,
                    "Aeron IPC 64 B one-way p99", "aeron/ow", 1, true),
            new Row("LabHub shm 64 B one-way, spin, p50", "us", US, "labhub/shm.ow.spin", 0,
                    "half the cache-line ping-pong round trip p50", "phys/pingpong", 0, true, 0.5),
            new Row("LabHub shm 64 B one-way, spin, p50", "us", US, "labhub/shm.ow.spin", 0,
                    "half the LabHub shm spin round trip p50", "labhub/shm.rtt.spin", 0, true, 0.5),
            new Row("LabHub shm 64 B one-way, blocking, p50", "us", US, "labhub/shm.ow.block", 0,
                    "half the futex round trip p50", "phys/futex", 0, true, 0.5),
            new Row("LabHub shm 64 B one-way, blocking, p50", "us", US, "labhub/shm.ow.block", 0,
                    "half the LabHub shm blocking round trip p50", "labhub/shm.rtt.block", 0, true, 0.5),
            new Row("LabHub shm 64 B one-way, blocking, p99", "us", US, "labhub/shm.ow.block", 1,
                    "half the futex round trip p99", "phys/futex", 1, true, 0.5),
            new Row("LabHub shm 64 B one-way, blocking, p50", "us", US, "labhub/shm.ow.block", 0,
                    "raw JeroMQ 64 B one-way p50, plain, ipc://", "zmq/ow.ipc", 0, true),
            new Row("LabHub shm 64 B one-way, blocking, p50", "us", US, "labhub/shm.ow.block", 0,
                    "raw JeroMQ 64 B one-way p50, plain, tcp://", "zmq/ow.tcp", 0, true),
            new Row("LabHub shm 64 B message rate", "M msg/s", M, "labhub/shm.rate", 0,
                    "Aeron IPC 64 B message rate", "aeron/rate", 0, false),
            new Row("LabHub shm 64 B message rate", "M msg/s", M, "labhub/shm.rate", 0,
                    "raw JeroMQ pubsub 64 B, plain, ipc://", "zmq/pubsub.64.ipc", 0, false),
            new Row("LabHub shm 64 B message rate", "M msg/s", M, "labhub/shm.rate", 0,
                    "LabHub shm 64 B message rate, per-frame next()", "labhub/shm.rate.next", 0, false),
            new Row("LabHub shm 1 MiB frames", "GB/s", G, "labhub/shm.tp.1048576", 1,
                    "memcpy 1 MiB into a 4-slot ring", "phys/memcpy.1048576", 1, false),
            new Row("LabHub shm 4 MiB frames", "GB/s", G, "labhub/shm.tp.4194304", 1,
                    "memcpy 4 MiB into a 4-slot ring", "phys/memcpy.4194304", 1, false),
            new Row("LabHub shm 16 MiB frames", "GB/s", G, "labhub/shm.tp.16777216", 1,
                    "memcpy 16 MiB into a 4-slot ring", "phys/memcpy.16777216", 1, false),
            new Row("LabHub pubsub 64 B (CURVE)", "M msg/s", M, "labhub/pubsub.64", 0,
                    "raw JeroMQ pubsub 64 B, CURVE", "zmq/pubsub.64.curve", 0, false),
            new Row("LabHub pubsub 1 MiB (CURVE)", "MB/s", M, "labhub/pubsub.1048576", 1,
                    "raw JeroMQ pubsub 1 MiB, CURVE", "zmq/pubsub.1048576.curve", 1, false),
            new Row("LabHub reqrep 64 B round trip p50 (CURVE)", "us", US, "labhub/reqrep", 0,
                    "raw JeroMQ DEALER/ROUTER p50, CURVE", "zmq/reqrep.curve", 0, true),
            new Row("LabHub reqrep 64 B round trip p99 (CURVE)", "us", US, "labhub/reqrep", 1,
                    "raw JeroMQ DEALER/ROUTER p99, CURVE", "zmq/reqrep.curve", 1, true),
            // Issue 13's goals: LabHub CURVE (libsodium) against raw JeroMQ plain, same launch.
            new Row("LabHub pubsub 64 B (CURVE)", "M msg/s", M, "labhub/pubsub.64", 0,
                    "raw JeroMQ pubsub 64 B, plain", "zmq/pubsub.64.plain", 0, false),
            new Row("LabHub pubsub 1 MiB (CURVE)", "MB/s", M, "labhub/pubsub.1048576", 1,
                    "raw JeroMQ pubsub 1 MiB, plain", "zmq/pubsub.1048576.plain", 1, false),
            new Row("LabHub reqrep 64 B round trip p50 (CURVE)", "us", US, "labhub/reqrep", 0,
                    "raw JeroMQ reqrep round trip p50, plain", "zmq/reqrep.plain", 0, true),
            new Row("LabHub reqrep 64 B round trip p99 (CURVE)", "us", US, "labhub/reqrep", 1,
                    "raw JeroMQ reqrep round trip p99, plain", "zmq/reqrep.plain", 1, true),
            // The old baseline: raw JeroMQ on jnacl, and what LabHub gained over it.
            new Row("LabHub pubsub 64 B (CURVE)", "M msg/s", M, "labhub/pubsub.64", 0,
                    "raw JeroMQ + jnacl pubsub 64 B, CURVE", "jnacl/pubsub.64.curve", 0, false),
            new Row("LabHub pubsub 1 MiB (CURVE)", "MB/s", M, "labhub/pubsub.1048576", 1,
                    "raw JeroMQ + jnacl pubsub 1 MiB, CURVE", "jnacl/pubsub.1048576.curve", 1, false),
            new Row("raw JeroMQ + jnacl pubsub 64 B, CURVE", "M msg/s", M, "jnacl/pubsub.64.curve", 0,
                    "raw JeroMQ pubsub 64 B, plain", "zmq/pubsub.64.plain", 0, false),
            new Row("raw JeroMQ + jnacl pubsub 1 MiB, CURVE", "MB/s", M, "jnacl/pubsub.1048576.curve", 1,
                    "raw JeroMQ pubsub 1 MiB, plain", "zmq/pubsub.1048576.plain", 1, false),
            new Row("raw JeroMQ + jnacl reqrep round trip p50, CURVE", "us", US, "jnacl/reqrep.curve", 0,
                    "raw JeroMQ reqrep round trip p50, plain", "zmq/reqrep.plain", 0, true),
            new Row("raw JeroMQ + jnacl reqrep round trip p99, CURVE", "us", US, "jnacl/reqrep.curve", 1,
                    "raw JeroMQ reqrep round trip p99, plain", "zmq/reqrep.plain", 1, true),
            // Bouncy Castle forced on the LabHub JVMs (no goal, for the record).
            new Row("LabHub pubsub 64 B (CURVE, Bouncy Castle)", "M msg/s", M, "labhubbc/pubsub.64", 0,
                    "raw JeroMQ pubsub 64 B, plain", "zmq/pubsub.64.plain", 0, false),
            new Row("LabHub pubsub 1 MiB (CURVE, Bouncy Castle)", "MB/s", M, "labhubbc/pubsub.1048576", 1,
                    "raw JeroMQ pubsub 1 MiB, plain", "zmq/pubsub.1048576.plain", 1, false),
            new Row("LabHub reqrep 64 B round trip p50 (CURVE, Bouncy Castle)", "us", US, "labhubbc/reqrep", 0,
                    "raw JeroMQ reqrep round trip p50, plain", "zmq/reqrep.plain", 0, true),
            new Row("LabHub reqrep 64 B round trip p99 (CURVE, Bouncy Castle)", "us", US, "labhubbc/reqrep", 1,
                    "raw JeroMQ reqrep round trip p99, plain", "zmq/reqrep.plain", 1, true),
            new Row("LabHub 300 concurrent CURVE handshakes, p99, Bouncy Castle", "ms", 1e-6, "labhubbc/handshake.300", 1,
                    "LabHub 300 concurrent CURVE handshakes, p99, libsodium", "labhub/handshake.300", 1, true),
            new Row("LabHub 300 concurrent CURVE handshakes to the broker, p99", "ms", 1e-6, "labhub/handshake.300", 1,
                    "raw JeroMQ 300 concurrent CURVE handshakes, p99, default backlog", "zmq/handshake.300.curve", 1, true),
            new Row("raw JeroMQ 300 concurrent CURVE handshakes, p99, backlog 1024", "ms", 1e-6, "zmq/handshake.300.backlog", 1,
                    "raw JeroMQ 300 concurrent CURVE handshakes, p99, default backlog", "zmq/handshake.300.curve", 1, true),
            new Row("raw JeroMQ pubsub 64 B, CURVE", "M msg/s", M, "zmq/pubsub.64.curve", 0,
                    "raw JeroMQ pubsub 64 B, plain", "zmq/pubsub.64.plain", 0, false),
            new Row("raw JeroMQ pubsub 1 MiB, CURVE", "MB/s", M, "zmq/pubsub.1048576.curve", 1,
                    "raw JeroMQ pubsub 1 MiB, plain", "zmq/pubsub.1048576.plain", 1, false),
            new Row("raw JeroMQ reqrep round trip p50, CURVE", "us", US, "zmq/reqrep.curve", 0,
                    "raw JeroMQ reqrep round trip p50, plain", "zmq/reqrep.plain", 0, true),
            new Row("raw JeroMQ reqrep round trip p99, CURVE", "us", US, "zmq/reqrep.curve", 1,
                    "raw JeroMQ reqrep round trip p99, plain", "zmq/reqrep.plain", 1, true),
            new Row("crypto box 64 B, libsodium (FFM), one core", "M box/s", M, "crypto/box.64.libsodium", 0,
                    "crypto box 64 B, Bouncy Castle, one core", "crypto/box.64.bouncycastle", 0, false),
            new Row("crypto box 1 MiB, libsodium (FFM), one core", "MB/s", M, "crypto/box.1048576.libsodium", 1,
                    "crypto box 1 MiB, Bouncy Castle, one core", "crypto/box.1048576.bouncycastle", 1, false),
            new Row("crypto box 1 MiB, libsodium (FFM), one core", "MB/s", M, "crypto/box.1048576.libsodium", 1,
                    "memcpy 1 MiB into a 4-slot ring", "phys/memcpy.1048576", 1, false),
            new Row("raw JeroMQ pubsub 1 MiB, CURVE", "MB/s", M, "zmq/pubsub.1048576.curve", 1,
                    "crypto box 1 MiB, libsodium (FFM), one core", "crypto/box.1048576.libsodium", 1, false),
            // Issue 18: the recorder against a plain sequential write of the same frames, same launch.
            new Row("recorder spooling 1 MiB frames (reliable shm producer)", "MB/s", M, "recorder/record.1048576", 1,
                    "plain FileChannel write of 1 MiB frames, then force", "recorder/write.1048576", 1, false),
            new Row("recorder spooling 2 MiB frames (reliable shm producer)", "MB/s", M, "recorder/record.2097152", 1,
                    "plain FileChannel write of 2 MiB frames, then force", "recorder/write.2097152", 1, false),
            new Row("recorder spooling 1 MiB frames (reliable shm producer)", "MB/s", M, "recorder/record.1048576", 1,
                    "plain FileChannel write of 1 MiB frames, no force", "recorder/write.1048576", 2, false),
            new Row("recorder spooling 2 MiB frames (reliable shm producer)", "MB/s", M, "recorder/record.2097152", 1,
                    "plain FileChannel write of 2 MiB frames, no force", "recorder/write.2097152", 2, false),
            new Row("recorder spooling 1 MiB frames filled in place (reliable shm producer)", "MB/s", M, "recorder/inplace.1048576", 1,
                    "plain FileChannel write of 1 MiB frames, no force", "recorder/write.1048576", 2, false),
            new Row("recorder spooling 2 MiB frames filled in place (reliable shm producer)", "MB/s", M, "recorder/inplace.2097152", 1,
                    "plain FileChannel write of 2 MiB frames, no force", "recorder/write.2097152", 2, false),
            new Row("recorder stop (HDF5 export), 1 MiB frames", "MB/s", M, "recorder/record.1048576", 2,
                    "plain FileChannel write of 1 MiB frames, then force", "recorder/write.1048576", 1, false),
            new Row("recorder stop (HDF5 export), 2 MiB frames", "MB/s", M, "recorder/record.2097152", 2,
                    "plain FileChannel write of 2 MiB frames, then force", "recorder/write.2097152", 1, false),
            new Row("highest 1 MiB camera rate recorded with nothing skipped (LATEST, 8 slots)", "frames/s", 1, "recorder/maxrate.1048576", 0,
                    "recorder spooling 1 MiB frames from a reliable producer", "recorder/record.1048576", 0, false),
            new Row("replay at max of a 1 MiB recording to one consumer", "frames/s", 1, "recorder/replay.1048576", 0,
                    "live reliable producer of 1 MiB frames to one consumer", "recorder/live.1048576", 0, false),
            new Row("camera 2 MiB frames at 100/s, with the console's preview", "frames/s", 1, "preview/paced.preview", 0,
                    "the same camera, no preview", "preview/paced.off", 0, false),
            new Row("its Java consumer, with the console's preview", "frames/s", 1, "preview/paced.preview", 1,
                    "its Java consumer, no preview", "preview/paced.off", 1, false),
            new Row("reliable camera at max to one consumer, with the preview", "frames/s", 1, "preview/max.preview", 1,
                    "the same, no preview", "preview/max.off", 1, false),
            new Row("Aeron IPC 64 B round trip p50", "us", US, "aeron/rtt", 0,
                    "cache-line ping-pong p50", "phys/pingpong", 0, true),
            new Row("Aeron IPC 64 B one-way p50", "us", US, "aeron/ow", 0,
                    "half the cache-line ping-pong round trip p50", "phys/pingpong", 0, true, 0.5),
            new Row("raw JeroMQ 64 B one-way p50, plain, ipc://", "us", US, "zmq/ow.ipc", 0,
                    "raw JeroMQ 64 B one-way p50, plain, tcp://", "zmq/ow.tcp", 0, true)));

    /**
     * A goal of an issue (13, 18): the median over launches of the same-launch ratio subject/reference (or, with no
     * reference, the subject's median itself times {@code scale}) against {@code limit}: at least it when
     * {@code atLeast}, at most (p99 of the handshakes: under) it otherwise.
     */
    record Goal(String label, String subject, int subjectIndex, String reference, int referenceIndex,
                double scale, String unit, boolean atLeast, double limit) {

        double value(Results r) {
            double[] s = r.series(subject, subjectIndex);
            if (reference == null) {
                return Results.median(s) * scale;
            }
            return Results.median(Results.ratios(s, r.series(reference, referenceIndex)));
        }

        String verdict(double v) {
            return Double.isNaN(v) ? "missing" : (atLeast ? v >= limit : v < limit) ? "yes" : "no";
        }
    }

    /**
     * Issue 14: a comparison of two cases of the {@code duel} group ({@link DuelGroup}), made round by round: every
     * subject figure against the reference figure measured next to it in the same pair of JVMs. The goal (where
     * {@code limit} is a number) holds in every pair, not only as a median: at most {@code limit} when
     * {@code lowerIsBetter}, at least it otherwise.
     */
    record Pair(String label, String subject, String reference, int index, boolean lowerIsBetter, double limit) {

        /** The ratios of every launch, one per round (NaN where a figure is missing): [launch - 1][round - 1]. */
        double[][] ratios(Results r) {
            double[][] out = new double[r.launches][DuelGroup.ROUNDS];
            for (int round = 1; round <= DuelGroup.ROUNDS; round++) {
                double[] s = r.series("duel/" + round + "." + subject, index);
                double[] ref = r.series("duel/" + round + "." + reference, index);
                for (int l = 0; l < r.launches; l++) {
                    out[l][round - 1] = s[l] / ref[l];
                }
            }
            return out;
        }

        boolean met(double ratio) {
            return lowerIsBetter ? ratio <= limit : ratio >= limit;
        }
    }

    static final List<Pair> PAIRS = List.of(
            new Pair("LabHub shm 64 B message rate / Aeron IPC 64 B message rate", "labhub.shm.rate", "aeron.rate", 0,
                    false, 1.0),
            new Pair("LabHub shm 64 B round trip, spin, p50 / Aeron IPC 64 B round trip p50", "labhub.shm.rtt.spin",
                    "aeron.rtt", 0, true, 1.0),
            new Pair("LabHub shm 64 B round trip, spin, p50 / cache-line ping-pong p50", "labhub.shm.rtt.spin",
                    "phys.pingpong", 0, true, 1.5),
            new Pair("Aeron IPC 64 B round trip p50 / cache-line ping-pong p50 (no goal)", "aeron.rtt", "phys.pingpong", 0,
                    true, Double.NaN),
            new Pair("LabHub shm 64 B rate, lean / Aeron IPC 64 B rate", "labhub.shm.rate.lean", "aeron.rate", 0,
                    false, 1.0),
            new Pair("LabHub shm 64 B rate, lean / Aeron IPC exclusive publication 64 B rate",
                    "labhub.shm.rate.lean", "aeron.rate.excl", 0, false, 1.0),
            new Pair("LabHub shm 64 B round trip, spin, lean, p50 / Aeron IPC 64 B round trip p50",
                    "labhub.shm.rtt.spin.lean", "aeron.rtt", 0, true, 1.0),
            new Pair("LabHub shm 64 B round trip, spin, lean, p50 / Aeron IPC exclusive 64 B round trip p50",
                    "labhub.shm.rtt.spin.lean", "aeron.rtt.excl", 0, true, 1.0),
            new Pair("LabHub shm 64 B round trip, spin, lean, p50 / cache-line ping-pong p50",
                    "labhub.shm.rtt.spin.lean", "phys.pingpong", 0, true, 1.5));

    /** The pairs' table: every launch's ratios, their median and worst, and in how many pairs the goal held. */
    static void pairs(Results r, StringBuilder md) {
        md.append("\n## Interleaved in one pair of JVMs (issue 14)\n\n")
                .append("Group `duel`: LabHub shm, Aeron IPC and the ping-pong floor taking turns, ").append(DuelGroup.ROUNDS)
                .append(" rounds per launch (ABBA order), so that each ratio compares two figures of one speed level."
                        + " Ratios per launch, one per round.\n\n")
                .append("| interleaved comparison | ratios (launch: rounds) | median | worst | goal | met in |\n")
                .append("| --- | --- | ---: | ---: | --- | ---: |\n");
        for (Pair p : PAIRS) {
            double[][] ratios = p.ratios(r);
            StringBuilder cell = new StringBuilder();
            List<Double> all = new java.util.ArrayList<>();
            int met = 0;
            for (int l = 0; l < ratios.length; l++) {
                cell.append(l > 0 ? "; " : "").append(l + 1).append(':');
                for (double v : ratios[l]) {
                    cell.append(' ').append(fmt(v));
                    if (!Double.isNaN(v)) {
                        all.add(v);
                        met += p.met(v) ? 1 : 0;
                    }
                }
            }
            double[] v = all.stream().mapToDouble(Double::doubleValue).toArray();
            double worst = p.lowerIsBetter() ? Results.max(v) : Results.min(v);
            boolean goal = !Double.isNaN(p.limit());
            md.append("| ").append(p.label()).append(" | ").append(cell).append(" | ").append(fmt(Results.median(v)))
                    .append("x | ").append(fmt(worst)).append("x | ")
                    .append(goal ? (p.lowerIsBetter() ? "<= " : ">= ") + fmt(p.limit()) + "x in every pair" : "none")
                    .append(" | ").append(goal ? met + " of " + v.length : "-").append(" |\n");
        }
    }

    static final List<Goal> GOALS = withBrowsers(List.of(
            new Goal("LabHub pubsub 1 MiB CURVE >= 0.5x raw JeroMQ plain", "labhub/pubsub.1048576", 1,
                    "zmq/pubsub.1048576.plain", 1, 1, "x", true, 0.5),
            new Goal("LabHub pubsub 64 B CURVE >= 0.5x raw JeroMQ plain", "labhub/pubsub.64", 0,
                    "zmq/pubsub.64.plain", 0, 1, "x", true, 0.5),
            new Goal("LabHub reqrep 64 B CURVE p50 <= 1.2x raw JeroMQ plain p50", "labhub/reqrep", 0,
                    "zmq/reqrep.plain", 0, 1, "x", false, 1.2),
            new Goal("LabHub reqrep 64 B CURVE p99 <= 3x raw JeroMQ plain p99", "labhub/reqrep", 1,
                    "zmq/reqrep.plain", 1, 1, "x", false, 3.0),
            new Goal("300 concurrent CURVE handshakes to the broker, p99 < 0.5 s", "labhub/handshake.300", 1,
                    null, 0, 1e-9, " s", false, 0.5),
            // Issue 18: the sustained recording rate against a plain sequential write of the same bytes (with force).
            new Goal("recorder 1 MiB frames >= 0.8x a plain write (issue 18)", "recorder/record.1048576", 1,
                    "recorder/write.1048576", 1, 1, "x", true, 0.8),
            new Goal("recorder 2 MiB frames >= 0.8x a plain write (issue 18)", "recorder/record.2097152", 1,
                    "recorder/write.2097152", 1, 1, "x", true, 0.8),
            // The same against the write without force (the page cache, as the spool), the producer's copy left out:
            // its frames filled in place, so the recorder's own cost is what is compared.
            new Goal("recorder 1 MiB frames filled in place >= 0.8x a plain write, no force (issue 18)",
                    "recorder/inplace.1048576", 1, "recorder/write.1048576", 2, 1, "x", true, 0.8),
            new Goal("recorder 2 MiB frames filled in place >= 0.8x a plain write, no force (issue 18)",
                    "recorder/inplace.2097152", 1, "recorder/write.2097152", 2, 1, "x", true, 0.8),
            // Issue 17: the web console's preview costs the camera and its Java consumer nothing measurable.
            new Goal("camera rate with the console's preview >= 0.95x without (issue 17)", "preview/paced.preview", 0,
                    "preview/paced.off", 0, 1, "x", true, 0.95),
            new Goal("consumer rate with the console's preview >= 0.95x without (issue 17)", "preview/paced.preview", 1,
                    "preview/paced.off", 1, 1, "x", true, 0.95),
            new Goal("reliable camera at max with the preview >= 0.95x without (issue 17)", "preview/max.preview", 1,
                    "preview/max.off", 1, 1, "x", true, 0.95)));

    private static List<Goal> withBrowsers(List<Goal> goals) {
        if (!BrowserViewers.available()) {
            return goals;
        }
        List<Goal> all = new java.util.ArrayList<>(goals);
        all.addAll(BROWSER_GOALS);
        return List.copyOf(all);
    }

    private Report() {
    }

    static String machine() {
        String cpu = "unknown CPU";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (IOException e) {
            // not Linux: keep "unknown"
        }
        return Runtime.getRuntime().availableProcessors() + " cores, " + cpu + ", "
                + System.getProperty("os.name") + " " + System.getProperty("os.version") + ", JDK "
                + System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version");
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "missing";
        }
        double a = Math.abs(v);
        String f = a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : a >= 0.01 ? "%.3f" : "%.2g";
        return String.format(Locale.ROOT, f, v);
    }

    static void write(Results r, Path dir) throws IOException {
        Files.createDirectories(dir);
        StringBuilder md = new StringBuilder();
        md.append("# LabHub benchmark report\n\n");
        md.append("- date: ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append('\n');
        md.append("- machine: ").append(machine()).append('\n');
        md.append(String.format(Locale.ROOT, "- mode: %s, %d launches (each a fresh pair of JVMs per group), warm-up %d ms"
                + " (round trips and one-way: also at least %d exchanges) and measurement %d ms per case, %.0f s in all%n", r.quick ? "--quick" : "full", r.launches,
                r.warmMs, r.warmExchanges, r.measureMs, r.seconds));
        md.append("- medians over launches; spread = min..max of the launch figures; ratio = median of the per-launch"
                + " ratios subject/reference (both measured in the same launch). Latency: ratio > 1 is slower than"
                + " the reference; throughput: ratio < 1 is slower.\n\n");
        md.append("| case | median | spread | reference | reference median | ratio |\n");
        md.append("| --- | ---: | ---: | --- | ---: | ---: |\n");
        double[] ratioOf = new double[ROWS.size()];
        for (int i = 0; i < ROWS.size(); i++) {
            Row row = ROWS.get(i);
            double[] s = r.series(row.subject(), row.subjectIndex());
            double[] ref = referenceSeries(r, row);
            double ratio = Results.median(Results.ratios(s, ref));
            ratioOf[i] = ratio;
            md.append("| ").append(row.label())
                    .append(" | ").append(fmt(Results.median(s) * row.scale())).append(' ').append(row.unit())
                    .append(" | ").append(fmt(Results.min(s) * row.scale())).append("..").append(fmt(Results.max(s) * row.scale()))
                    .append(' ').append(row.unit()).append(" | ").append(row.referenceLabel())
                    .append(" | ").append(fmt(Results.median(ref) * row.scale())).append(' ').append(row.unit())
                    .append(" | ").append(fmt(ratio)).append("x |\n");
        }
        md.append("\n## Goals (issues 13, 17 and 18)\n\n| goal | this run | met? |\n| --- | ---: | --- |\n");
        for (Goal g : GOALS) {
            double v = g.value(r);
            md.append("| ").append(g.label()).append(" | ").append(fmt(v)).append(g.unit()).append(" | ")
                    .append(g.verdict(v)).append(" |\n");
        }
        pairs(r, md);
        md.append("\n![ratios](report.png)\n\n## Every figure\n\n");
        md.append("Latency cases (round trips; one-way: .ow): p50 / p99 / p99.9 in us; rate cases: messages/s and MB/s."
                + " Median (min..max) over launches.\n\n");
        md.append("| case | figures |\n| --- | --- |\n");
        StringBuilder csv = new StringBuilder("case,launch,values\n");
        for (Map.Entry<String, double[][]> e : r.figures.entrySet()) {
            boolean rtt = latency(e.getKey());
            StringBuilder cell = new StringBuilder();
            int n = rtt ? 3 : 2;
            for (int i = 0; i < n; i++) {
                double[] s = r.series(e.getKey(), i);
                double scale = rtt ? US : i == 0 ? 1 : M;
                String unit = rtt ? (i == 0 ? "p50 " : i == 1 ? "p99 " : "p99.9 ") : "";
                cell.append(i > 0 ? "; " : "").append(unit).append(fmt(Results.median(s) * scale))
                        .append(" (").append(fmt(Results.min(s) * scale)).append("..").append(fmt(Results.max(s) * scale)).append(')')
                        .append(rtt ? " us" : i == 0 ? " msg/s" : " MB/s");
            }
            md.append("| ").append(e.getKey()).append(" | ").append(cell).append(" |\n");
            for (int l = 1; l <= r.launches; l++) {
                double[] v = e.getValue()[l];
                csv.append(e.getKey()).append(',').append(l).append(',');
                if (v != null) {
                    for (int i = 0; i < v.length; i++) {
                        csv.append(i > 0 ? " " : "").append(v[i]);
                    }
                }
                csv.append('\n');
            }
        }
        if (!r.failures.isEmpty()) {
            md.append("\n## Failures\n\n");
            r.failures.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
        }
        Files.writeString(dir.resolve("report.md"), md.toString());
        Files.writeString(dir.resolve("results.csv"), csv.toString());
        chart(ratioOf, dir.resolve("report.png"));
    }

    /** Horizontal bars on a log axis from 0.01x to 100x, drawn from the 1x line. */
    static void chart(double[] ratios, Path file) throws IOException {
        int labelW = 470;
        int plotW = 520;
        int rowH = 26;
        int top = 50;
        int w = labelW + plotW + 90;
        int h = top + rowH * ROWS.size() + 40;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            g.drawString("Ratio to the reference of the same launch (log scale; medians over launches)", 10, 20);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            // Whole decades covering 0.01x..100x and every ratio.
            double lo = -2;
            double hi = 2;
            for (double r : ratios) {
                if (!Double.isNaN(r) && r > 0) {
                    lo = Math.min(lo, Math.floor(Math.log10(r)));
                    hi = Math.max(hi, Math.ceil(Math.log10(r)));
                }
            }
            double loD = lo;
            double hiD = hi;
            java.util.function.DoubleToIntFunction x = v -> labelW + (int) Math.round((Math.log10(v) - loD) / (hiD - loD) * plotW);
            for (double e = lo; e <= hi; e++) {
                double tick = Math.pow(10, e);
                int tx = x.applyAsInt(tick);
                g.setColor(tick == 1 ? Color.BLACK : Color.LIGHT_GRAY);
                g.setStroke(new BasicStroke(tick == 1 ? 2f : 1f));
                g.drawLine(tx, top - 8, tx, top + rowH * ROWS.size());
                g.setColor(Color.DARK_GRAY);
                g.drawString((e >= 0 ? String.format(Locale.ROOT, "%.0f", tick) : String.valueOf(tick)) + "x", tx - 12, top + rowH * ROWS.size() + 16);
            }
            for (int i = 0; i < ROWS.size(); i++) {
                Row row = ROWS.get(i);
                int y = top + i * rowH;
                g.setColor(Color.BLACK);
                String label = row.label() + " / " + shortRef(row.referenceLabel());
                g.drawString(label.length() > 78 ? label.substring(0, 78) : label, 6, y + 17);
                double v = ratios[i];
                if (Double.isNaN(v) || v <= 0) {
                    g.setColor(Color.RED);
                    g.drawString("missing", labelW + 4, y + 17);
                    continue;
                }
                double clamped = v;
                int x1 = x.applyAsInt(1);
                int x2 = x.applyAsInt(clamped);
                boolean better = row.lowerIsBetter() ? v <= 1 : v >= 1;
                g.setColor(better ? new Color(60, 150, 80) : new Color(200, 110, 50));
                g.fillRect(Math.min(x1, x2), y + 5, Math.max(2, Math.abs(x2 - x1)), rowH - 10);
                g.setColor(Color.BLACK);
                String t = fmt(v) + "x";
                int tx = x2 >= x1 ? x2 + 4 : x2 - 6 - g.getFontMetrics().stringWidth(t);
                g.drawString(t, tx, y + 17);
            }
        } finally {
            g.dispose();
        }
        if (!ImageIO.write(img, "png", file.toFile())) {
            throw new IOException("no PNG writer");
        }
    }

    private static String shortRef(String s) {
        return s.replace("cache-line ", "").replace("round trip ", "").replace("raw JeroMQ ", "raw ");
    }
}
