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
        List<String> rows = text.lines().filter(l -> l.startsWith("| ") && !l.startsWith("| case") && !l.startsWith("| ---")).toList();
        // The ratio table has one row per comparison; the second table one row per measured case.
        assertEquals(Report.ROWS.size() + caseCount(), rows.size());
        for (String row : rows) {
            assertFalse("row not filled: " + row + "\n" + text, row.contains("missing"));
        }
        for (Report.Row r : Report.ROWS) {
            assertTrue("row for " + r.label() + " vs " + r.referenceLabel(), text.contains(r.referenceLabel()));
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
