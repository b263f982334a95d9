package io.labhub.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.labhub.testkit.Await;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Issue 16, item 1: {@code bin/labhub-cli} against a running runtime (run-time ports, its console on a pipe), as an
 * operator uses it: each test runs the real script in its own process and reads its stdout, stderr and exit status.
 */
public class CliProcessIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path home;
    private static Process runtime;
    private static OutputStream console;
    /** The allowed client's keys (admitted by pasting its own {@code key} line into the console). */
    private static Path keys;
    private static int brokerPort;

    record Run(int exit, String out, String err, long millis) {
        String errLine() {
            List<String> lines = err.lines().toList();
            assertEquals("exactly one line on stderr: " + err, 1, lines.size());
            return lines.get(0);
        }
    }

    @BeforeClass
    public static void startRuntime() throws Exception {
        brokerPort = It.freePort();
        int eventsPort = It.freePort();
        home = It.copyRuntime("cli-hub");
        Files.writeString(home.resolve("conf/io.labhub.broker.cfg"), "endpoint = tcp://127.0.0.1:" + brokerPort
                + "\neventsEndpoint = tcp://127.0.0.1:" + eventsPort + "\n");
        Files.writeString(home.resolve("conf/io.labhub.core.cfg"), "broker.endpoint = tcp://127.0.0.1:" + brokerPort + "\n");
        runtime = AdmissionProcessIT.start(home);
        console = runtime.getOutputStream();
        keys = It.workDir().resolve("cli-keys");
        It.deleteTree(keys);
        It.awaitCount(home.resolve("log/labhub.log"), "broker listening on", 1, WAIT);

        // The key line, pasted into the hub's console as printed, admits this client (Gogo parses $ [ ] { } in keys).
        Run key = cli(keys, "key");
        assertEquals(key.err, 0, key.exit);
        String line = key.out.strip();
        assertTrue(line, line.startsWith("hub:allow '") && line.endsWith("'"));
        type(line);
        String publicKey = line.substring("hub:allow '".length(), line.length() - 1);
        It.awaitCount(home.resolve("log/labhub.log"), "Allowed client key " + publicKey, 1, WAIT);
        Await.until("the samples' channels listed", WAIT, () -> {
            Run r = cli(keys, "channels");
            return r.exit == 0 && r.out.contains("lab.thermometer") && r.out.contains("stage.x")
                    && r.out.contains("camera1.frames");
        });
    }

    @AfterClass
    public static void stopRuntime() throws Exception {
        if (runtime != null) {
            console.close(); // end of input: the runtime stops
            if (!runtime.waitFor(60, TimeUnit.SECONDS)) {
                runtime.destroyForcibly();
            }
        }
    }

    @Test
    public void channelsPlainAndJson() throws Exception {
        Run plain = cli(keys, "channels");
        assertEquals(plain.err, 0, plain.exit);
        assertTrue(plain.out, plain.out.lines().findFirst().orElseThrow().matches("NAME\\s+KIND\\s+PRODUCER\\s+CONSUMERS\\s+STATE"));
        assertTrue(plain.out, Pattern.compile("(?m)^lab\\.thermometer\\s+pubsub\\s+\\S+\\s+\\d+\\s+active$").matcher(plain.out).find());
        assertTrue(plain.out, Pattern.compile("(?m)^stage\\.x\\s+reqrep\\s").matcher(plain.out).find());

        Run json = cli(keys, "channels", "--json");
        assertEquals(json.err, 0, json.exit);
        JsonNode channels = JSON.readTree(json.out).get("channels");
        List<String> names = new ArrayList<>();
        channels.forEach(c -> names.add(c.get("name").asText()));
        assertTrue(names.toString(), names.containsAll(List.of("camera1.frames", "lab.thermometer", "stage.x")));
        for (JsonNode c : channels) {
            if (c.get("name").asText().equals("camera1.frames")) {
                assertEquals("shm", c.get("kind").asText());
                assertEquals("active", c.get("state").asText());
            }
        }
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            best = Math.min(best, cli(keys, "channels").millis);
        }
        System.out.println("labhub-cli channels: " + plain.millis + " ms (first), best of 5 more " + best + " ms");
    }

    @Test
    public void infoOfTheThermometer() throws Exception {
        Run r = cli(keys, "info", "lab.thermometer");
        assertEquals(r.err, 0, r.exit);
        assertTrue(r.out, Pattern.compile("(?m)^kind\\s+pubsub$").matcher(r.out).find());
        assertTrue(r.out, Pattern.compile("(?m)^metadata\\.unit\\s+celsius$").matcher(r.out).find());
        assertTrue(r.out, Pattern.compile("(?m)^endpoint\\s+tcp://").matcher(r.out).find());
        Run json = cli(keys, "info", "lab.thermometer", "--json");
        assertEquals(json.err, 0, json.exit);
        JsonNode c = JSON.readTree(json.out);
        assertEquals("lab.thermometer", c.get("name").asText());
        assertEquals("celsius", c.get("metadata").get("unit").asText());
        assertEquals(40, c.get("serverKey").asText().length());
    }

    @Test
    public void tailOfTheThermometerPrintsNMessages() throws Exception {
        Run r = cli(keys, "tail", "lab.thermometer", "4");
        assertEquals(r.err, 0, r.exit);
        List<String> lines = r.out.lines().toList();
        assertEquals(r.out, 4, lines.size());
        for (String l : lines) {
            assertTrue(l, l.matches("#\\d+ \\S+Z \\{\"sensor\":\"lab-1\",\"celsius\":.*"));
        }
        Run json = cli(keys, "tail", "lab.thermometer", "2", "--json");
        assertEquals(json.err, 0, json.exit);
        List<String> objects = json.out.lines().toList();
        assertEquals(json.out, 2, objects.size());
        for (String o : objects) {
            JsonNode m = JSON.readTree(o);
            assertTrue(o, m.get("sequence").asLong() > 0);
            assertTrue(o, JSON.readTree(m.get("text").asText()).has("celsius"));
        }
        Run frames = cli(keys, "tail", "camera1.frames", "2");
        assertEquals(frames.err, 0, frames.exit);
        assertTrue(frames.out, frames.out.lines().allMatch(l -> l.matches("#\\d+ \\S+Z \\d+ bytes.*")));
        // the camera's schema (issue 15): each frame's fields decoded, the pixel array summarised
        Run typed = cli(keys, "tail", "camera1.frames", "1", "--json");
        assertEquals(typed.err, 0, typed.exit);
        JsonNode fields = JSON.readTree(typed.out).get("fields");
        assertEquals(typed.out, 1024, fields.get("width").asInt());
        assertEquals(typed.out, "u16[1024,1024]", fields.get("pixels").asText());
    }

    @Test
    public void requestToTheStageMovesThenReportsThePosition() throws Exception {
        Run move = cli(keys, "request", "stage.x", "move 7.5");
        assertEquals(move.err, 0, move.exit);
        assertTrue(move.out, move.out.startsWith("moved to 7.500 mm"));
        Run position = cli(keys, "request", "stage.x", "position", "--json");
        assertEquals(position.err, 0, position.exit);
        assertEquals(position.out, "position 7.500 mm", JSON.readTree(position.out).get("text").asText());
    }

    @Test
    public void publishedMessagesAreTailedFromTheRuntimeSide() throws Exception {
        Path out = home.resolve("publish.out");
        Path err = home.resolve("publish.err");
        // PUB/SUB delivers only to subscribers already connected: repeat until the hub's tail has connected.
        Process publish = command(keys, "publish", "cli.words", "alpha", "beta", "--repeat", "100", "--interval", "50ms")
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            It.awaitCount(out, "published #1 on cli.words", 1, WAIT); // registered before the first publish
            type("hub:tail cli.words 3 20s");
            Path stdout = home.resolve("stdout.txt");
            Await.until("three messages of cli.words in the console", Duration.ofSeconds(30), () -> {
                String s = Files.readString(stdout);
                return Pattern.compile("#\\d+ \\S+Z (alpha|beta)").matcher(s).results().count() >= 3;
            });
            assertTrue(publish.waitFor(60, TimeUnit.SECONDS));
            assertEquals(Files.readString(err), 0, publish.exitValue());
            assertTrue(Files.readString(out).contains("published #200 on cli.words"));
        } finally {
            publish.destroyForcibly();
        }
        // closing the publisher unregistered the channel
        Await.until("cli.words gone", WAIT, () -> {
            Run r = cli(keys, "channels");
            return r.exit == 0 && !r.out.contains("cli.words");
        });
    }

    @Test
    public void unknownChannelFailsAtOnceWithItsCode() throws Exception {
        for (String verb : List.of("info", "tail", "request")) {
            Run r = verb.equals("request") ? cli(keys, verb, "no.such.channel", "x") : cli(keys, verb, "no.such.channel");
            assertEquals(r.err, 1, r.exit);
            assertTrue(r.err, r.errLine().startsWith("labhub-cli: CHANNEL_NOT_FOUND: "));
            assertTrue(verb + " took " + r.millis + " ms", r.millis < 5_000); // tail's deadline is 10 s
        }
        Run kind = cli(keys, "tail", "stage.x");
        assertEquals(kind.err, 1, kind.exit);
        assertTrue(kind.err, kind.errLine().startsWith("labhub-cli: INVALID_ARGUMENT: 'stage.x' is a reqrep channel"));
    }

    @Test
    public void unreachableBrokerExitsThreeWithinSeconds() throws Exception {
        int nobody = It.freePort();
        Run r = cli(keys, "channels", "--broker", "tcp://127.0.0.1:" + nobody);
        assertEquals(r.err, 3, r.exit);
        assertTrue(r.err, r.errLine().startsWith("labhub-cli: BROKER_UNAVAILABLE: cannot reach the hub's broker at tcp://127.0.0.1:" + nobody));
        assertTrue("took " + r.millis + " ms", r.millis < 5_000);
    }

    @Test
    public void aKeyNotAllowedExitsFourWithTheLineToPaste() throws Exception {
        Path stranger = It.workDir().resolve("cli-keys-stranger");
        It.deleteTree(stranger);
        String publicKey = JSON.readTree(cli(stranger, "key", "--json").out).get("publicKey").asText();
        Run r = cli(stranger, "info", "lab.thermometer");
        assertEquals(r.err, 4, r.exit);
        String line = r.errLine();
        assertTrue(line, line.startsWith("labhub-cli: AUTH_FAILED: "));
        String paste = "hub:allow '" + publicKey + "'";
        assertTrue(line, line.endsWith("paste into the hub's console: " + paste));
        assertTrue("took " + r.millis + " ms", r.millis < 5_000);

        type(paste); // the line as printed, into the console: admitted
        Await.until("the stranger admitted", Duration.ofSeconds(20), () -> cli(stranger, "info", "lab.thermometer").exit == 0);
    }

    @Test
    public void badUsageExitsTwo() throws Exception {
        for (String[] args : List.of(new String[] {"frobnicate"}, new String[] {"tail"}, new String[] {},
                new String[] {"tail", "lab.thermometer", "many"}, new String[] {"channels", "--bogus"})) {
            Run r = cli(keys, args);
            assertEquals(String.join(" ", args) + ": " + r.err, 2, r.exit);
            assertTrue(r.err, r.errLine().startsWith("labhub-cli: USAGE: "));
        }
        Run help = cli(keys, "--help");
        assertEquals(0, help.exit);
        assertTrue(help.out, help.out.startsWith("usage: labhub-cli"));
    }

    // ---------------------------------------------------------------- helpers

    private static void type(String line) throws IOException {
        console.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        console.flush();
    }

    private static ProcessBuilder command(Path keyDir, String... args) {
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/labhub-cli").toString(), "--keys", keyDir.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        // the CDS archive of this distribution's copy, not the user's cache
        pb.environment().put("LABHUB_CLI_CACHE", It.workDir().resolve("cli-cache").toString());
        return pb;
    }

    private static Run cli(Path keyDir, String... args) throws Exception {
        Path out = Files.createTempFile(It.workDir(), "cli", ".out");
        Path err = Files.createTempFile(It.workDir(), "cli", ".err");
        long t0 = System.nanoTime();
        Process p = command(keyDir, args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("labhub-cli " + String.join(" ", args) + " did not finish within 60 s");
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err), millis);
    }
}
