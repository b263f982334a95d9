package io.labhub.bench;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.Test;

/**
 * Runs the suite once in --quick mode and checks that it produced a complete report. It asserts no speed:
 * only that every case has a figure, a reference and a ratio, and that the chart exists.
 */
public class QuickReportTest {

    @Test
    public void quickRunProducesACompleteReport() throws Exception {
        Path out = Path.of("target/report-quick");
        Bench.deleteTree(out);
        Set<Path> before = benchFiles();
        boolean complete = Bench.run(new String[] {"--quick", "--out", out.toString()});

        Path md = out.resolve("report.md");
        assertTrue("report.md written", Files.isRegularFile(md));
        String text = Files.readString(md);
        List<String> rows = text.lines().filter(l -> l.startsWith("| ") && !l.startsWith("| case") && !l.startsWith("| goal")
                && !l.startsWith("| interleaved") && !l.startsWith("| ---")).toList();
        // The ratio table has one row per comparison; the second table one row per measured case.
        // The ratio table has one row per comparison, the goals table one per goal of issue 13, the figures
        // table one per measured case.
        // ... and the interleaved table (issue 14) one per pair of duel cases compared.
        assertEquals(Report.ROWS.size() + Report.GOALS.size() + Report.PAIRS.size() + caseCount(), rows.size());
        for (Report.Goal g : Report.GOALS) {
            assertTrue("goal " + g.label(), rows.stream().anyMatch(l -> l.startsWith("| " + g.label() + " |")));
        }
        for (Report.Pair p : Report.PAIRS) {
            assertTrue("interleaved pair " + p.label(), rows.stream().anyMatch(l -> l.startsWith("| " + p.label() + " |")));
        }
        for (String row : rows) {
            assertFalse("row not filled: " + row + "\n" + text, row.contains("missing"));
        }
        for (Report.Row r : Report.ROWS) {
            assertTrue("row for " + r.label() + " vs " + r.referenceLabel(),
                    rows.stream().anyMatch(l -> l.startsWith("| " + r.label() + " |") && l.contains("| " + r.referenceLabel() + " |")));
        }
        // Issue 5's cases: one-way latencies (shm spin/blocking, Aeron IPC, raw JeroMQ ipc/tcp) and the JeroMQ
        // ipc:// 64 B rate, each a row of the figures table and compared in the ratio table.
        for (String key : NEW_CASES) {
            assertTrue("case " + key + " measured", rows.stream().anyMatch(l -> l.startsWith("| " + key + " |")));
            assertTrue("case " + key + " compared", Report.ROWS.stream().anyMatch(r -> r.subject().equals(key) || r.reference().equals(key)));
        }
        for (String label : NEW_ROWS) {
            assertTrue("ratio row " + label, Report.ROWS.stream().anyMatch(r -> (r.label() + " vs " + r.referenceLabel()).equals(label)));
        }
        // A one-way figure is a difference of two processes' nanoTime(): it must be positive in every launch
        // (the suite's assumption that both read one clock), whatever its size.
        for (String line : Files.readAllLines(out.resolve("results.csv"))) {
            String[] f = line.split(",");
            if (f.length == 3 && Report.latency(f[0]) && f[0].contains("ow")) {
                assertTrue("one-way p50 positive: " + line, Double.parseDouble(f[2].split(" ")[0]) > 0);
            }
        }
        assertTrue("machine named", text.contains("cores, ") && text.contains("JDK "));
        assertTrue("every case filled in every launch\n" + text, complete);

        BufferedImage png = ImageIO.read(out.resolve("report.png").toFile());
        assertNotNull("report.png is a PNG", png);
        assertTrue(png.getWidth() > 100 && png.getHeight() > 100);
        assertTrue(Files.size(out.resolve("results.csv")) > 0);
        Set<Path> left = benchFiles();
        left.removeAll(before);
        assertEquals("nothing left under /dev/shm by the suite", Set.of(), left);
    }

    private static final List<String> NEW_CASES = List.of("labhub/shm.ow.spin", "labhub/shm.ow.block", "aeron/ow",
            "zmq/ow.ipc", "zmq/ow.tcp", "zmq/pubsub.64.ipc",
            // issue 13: raw JeroMQ on jnacl (its own class path), the handshake burst, Bouncy Castle forced
            "jnacl/pubsub.64.curve", "jnacl/pubsub.1048576.curve", "jnacl/reqrep.curve", "labhub/handshake.300",
            "labhubbc/pubsub.64", "labhubbc/pubsub.1048576", "labhubbc/reqrep", "labhubbc/handshake.300",
            // issue 18: the recorder, each case against its plain write in the same launch
            "recorder/write.1048576", "recorder/record.1048576", "recorder/write.2097152", "recorder/record.2097152",
            "recorder/maxrate.1048576", "recorder/inplace.1048576", "recorder/inplace.2097152");

    private static final List<String> NEW_ROWS = List.of(
            "LabHub shm 64 B one-way, spin, p50 vs Aeron IPC 64 B one-way p50",
            "LabHub shm 64 B one-way, spin, p50 vs half the cache-line ping-pong round trip p50",
            "LabHub shm 64 B one-way, spin, p50 vs half the LabHub shm spin round trip p50",
            "LabHub shm 64 B one-way, blocking, p50 vs half the futex round trip p50",
            "LabHub shm 64 B one-way, blocking, p50 vs half the LabHub shm blocking round trip p50",
            "LabHub shm 64 B message rate vs raw JeroMQ pubsub 64 B, plain, ipc://",
            "LabHub shm 64 B one-way, blocking, p50 vs raw JeroMQ 64 B one-way p50, plain, ipc://",
            "LabHub shm 64 B one-way, blocking, p50 vs raw JeroMQ 64 B one-way p50, plain, tcp://");

    private static int caseCount() {
        return Bench.CASES.values().stream().mapToInt(List::size).sum();
    }

    private static Set<Path> benchFiles() throws Exception {
        try (var s = Files.list(Path.of("/dev/shm"))) {
            return s.filter(p -> p.getFileName().toString().startsWith("labhub-bench-"))
                    .collect(Collectors.toCollection(HashSet::new));
        }
    }
}
