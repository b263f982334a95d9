package io.labhub.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.Test;

/**
 * The user's day with the sample instruments, through {@code bin/labhub} as real processes: the three
 * sample channels with their measured rates, the stage answering, the thermometer tailed, clear errors,
 * and the camera hot-removed and hot-deployed while the frame-stats consumer runs.
 */
public class SamplesProcessIT {

    /** One row of hub:channels: name, kind, producer, consumers, state, rate. */
    private static final Pattern CHANNEL_ROW = Pattern.compile("^(\\S+)\\s+(shm|pubsub|reqrep)\\s+\\S+\\s+\\d+\\s+(\\S+)\\s+(\\S+)$");

    record Run(int exit, String out, String err) {
    }

    private static Run run(Path home, String commands) throws Exception {
        Path out = Files.createTempFile(It.workDir(), "out", ".txt");
        Path err = Files.createTempFile(It.workDir(), "err", ".txt");
        Process p = new ProcessBuilder(home.resolve("bin/labhub").toString(), "-c", commands)
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("bin/labhub -c '" + commands + "' did not finish within 180 s");
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** Rates by channel name, from the hub:channels table; NaN where the table says '-'. */
    private static java.util.Map<String, Double> rates(String table) {
        java.util.Map<String, Double> rates = new java.util.TreeMap<>();
        for (String line : table.lines().toList()) {
            Matcher m = CHANNEL_ROW.matcher(line.strip());
            if (m.matches()) {
                String rate = m.group(4);
                rates.put(m.group(1), rate.equals("-") ? Double.NaN : Double.parseDouble(rate.replace("/s", "")));
            }
        }
        return rates;
    }

    @Test
    public void theThreeSampleChannelsAreListedWithDataFlowing() throws Exception {
        Path home = It.copyRuntime("samples-channels");
        // the tails wait (with a deadline) until each driver has registered and sent data; then the table
        Run r = run(home, "hub:tail lab.thermometer 3; hub:tail camera1.frames 2; hub:request stage.x position; hub:channels; hub:info camera1.frames");
        assertEquals(r.out + r.err, 0, r.exit);

        List<String> readings = r.out.lines().filter(l -> l.contains("\"celsius\":")).toList();
        assertEquals(r.out, 3, readings.size());
        List<String> frames = r.out.lines().filter(l -> l.matches("#\\d+ \\S+ 2097184 bytes.*")).toList();
        assertEquals(r.out, 2, frames.size()); // 32-byte header + 1024 x 1024 x 2 bytes
        assertTrue(r.out, r.out.contains("position 0.000 mm"));

        java.util.Map<String, Double> rates = rates(r.out);
        assertTrue(r.out, rates.keySet().containsAll(List.of("camera1.frames", "lab.thermometer", "stage.x")));
        assertTrue("camera rate in\n" + r.out, rates.get("camera1.frames") > 0);
        assertTrue("thermometer rate in\n" + r.out, rates.get("lab.thermometer") > 0);
        assertTrue("a reqrep channel has no rate\n" + r.out, rates.get("stage.x").isNaN());

        // hub:info shows the camera's own counters: its producer lives in this runtime
        java.util.regex.Matcher sent = java.util.regex.Pattern.compile("counters\\.messagesSent\\s+(\\d+)").matcher(r.out);
        assertTrue(r.out, sent.find());
        assertTrue(r.out, Long.parseLong(sent.group(1)) >= 2);
        assertTrue(r.out, r.out.contains("metadata.pixelFormat"));
    }

    @Test
    public void theStageMovesAndRefusesTargetsOutOfRange() throws Exception {
        Path home = It.copyRuntime("samples-stage");
        Run r = run(home, "hub:request stage.x 'move 2.5' 10s; hub:request stage.x position");
        assertEquals(r.out + r.err, 0, r.exit);
        assertTrue(r.out, r.out.contains("moved to 2.500 mm"));
        assertTrue(r.out, r.out.contains("position 2.500 mm"));

        Run refused = run(home, "hub:request stage.x 'move 1000' 10s");
        assertEquals(refused.out + refused.err, 1, refused.exit);
        assertTrue(refused.err, refused.err.contains("InvalidInputException") && refused.err.contains("outside the travel range"));
    }

    @Test
    public void unknownChannelsAndBadArgumentsExitOneWithAClearMessage() throws Exception {
        Path home = It.copyRuntime("samples-errors");
        Run unknown = run(home, "hub:info no.such.channel");
        assertEquals(unknown.out + unknown.err, 1, unknown.exit);
        assertTrue(unknown.err, unknown.err.contains("no channel named 'no.such.channel'"));

        Run badCount = run(home, "hub:tail lab.thermometer many");
        assertEquals(badCount.out + badCount.err, 1, badCount.exit);
        assertTrue(badCount.err, badCount.err.contains("COUNT must be a whole number"));

        Run tailReqRep = run(home, "hub:tail stage.x 1");
        assertEquals(tailReqRep.out + tailReqRep.err, 1, tailReqRep.exit);
        assertTrue(tailReqRep.err, tailReqRep.err.contains("reqrep channel"));
    }

    @Test
    public void removingTheCameraJarRemovesItsChannelAndPuttingItBackRestoresIt() throws Exception {
        Path home = It.copyRuntime("samples-hot");
        Path out = home.resolve("stdout.txt");
        Path log = home.resolve("log/labhub.log");
        Process p = new ProcessBuilder(home.resolve("bin/labhub").toString())
                .redirectOutput(out.toFile()).redirectError(home.resolve("stderr.txt").toFile()).start();
        try (OutputStream stdin = p.getOutputStream()) {
            It.awaitCount(log, "frame-stats: reading 'camera1.frames'", 1, Duration.ofSeconds(60));
            Console console = new Console(stdin, out);
            console.awaitChannels("camera1.frames and lab.thermometer listed", true, false);

            Path jar;
            try (var files = Files.list(home.resolve("deploy"))) {
                jar = files.filter(f -> f.getFileName().toString().startsWith("labhub-sample-camera")).findFirst().orElseThrow();
            }
            Path parked = home.resolve(jar.getFileName() + ".parked");
            Files.move(jar, parked);
            It.awaitCount(log, "camera on 'camera1.frames' stopped", 1, Duration.ofSeconds(30));
            console.awaitChannels("camera1.frames gone", false, true);

            Files.copy(parked, jar);
            It.awaitCount(log, "camera on 'camera1.frames': 1024x1024", 2, Duration.ofSeconds(30));
            console.awaitChannels("camera1.frames back", true, true);
            // the consumer that ran all along saw the producer go and opened the channel again
            It.awaitCount(log, "frame-stats: reading 'camera1.frames'", 2, Duration.ofSeconds(30));
        } finally {
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    /** Drives the foreground runtime's Gogo console through stdin; output blocks are cut at echo markers. */
    private static final class Console {
        private final OutputStream stdin;
        private final Path out;
        private int marker;

        Console(OutputStream stdin, Path out) {
            this.stdin = stdin;
            this.out = out;
        }

        /**
         * Runs hub:channels until camera1.frames is (or is not) in the table, with a deadline. Once the
         * thermometer has been seen ({@code othersListed}), every table must still list it: removing the
         * camera must not disturb the other drivers. Before that (start-up) it is waited for instead.
         */
        void awaitChannels(String what, boolean present, boolean othersListed) throws IOException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            List<String> seen = new ArrayList<>();
            while (System.nanoTime() < deadline) {
                String table = run("hub:channels");
                seen.add(table);
                boolean listed = rates(table).containsKey("camera1.frames");
                boolean thermometer = rates(table).containsKey("lab.thermometer");
                if (othersListed) {
                    assertTrue("the other sample channels stay listed:\n" + table, thermometer);
                }
                if (listed == present && thermometer) {
                    return;
                }
            }
            throw new AssertionError("timed out waiting for: " + what + "; tables seen:\n" + String.join("\n---\n", seen));
        }

        String run(String command) throws IOException {
            int n = ++marker;
            String begin = String.format(Locale.ROOT, "mark-begin-%d", n);
            String end = String.format(Locale.ROOT, "mark-end-%d", n);
            stdin.write(("echo " + begin + "\n" + command + "\necho " + end + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
            It.awaitCount(out, end, 1, Duration.ofSeconds(60));
            String s = Files.readString(out);
            int from = s.lastIndexOf(begin);
            int to = s.lastIndexOf(end);
            assertFalse("markers out of order in\n" + s, from < 0 || to < from);
            return s.substring(from + begin.length(), to);
        }
    }
}
