package io.labhub.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.labhub.testkit.Await;
import io.labhub.testkit.ChildJvm;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/**
 * Status and logs (issue 16 item 4), in a real runtime: a broker that cannot bind its port fails its
 * component's activation; log/labhub.log says so with the reason, and hub:status at the console shows that
 * component FAILED with the same reason while the rest is ONLINE or OFFLINE. And remotely: a {@code --service}
 * runtime (no shell) with a driver whose activation fails serves the same status on {@code hub.status.NODE}, and
 * {@code labhub-cli status} prints it and exits 1.
 */
public class StatusProcessIT {

    private static boolean brokerFailed(String status) {
        return status.lines().anyMatch(l -> l.contains("BrokerComponent") && l.contains("FAILED") && l.contains("Address already in use"));
    }

    private static boolean driverOnline(String status) {
        return status.lines().anyMatch(l -> l.contains("sample-driver") && l.contains("ONLINE"));
    }

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    record Run(int exit, String out, String err) {
    }

    @Test
    public void labhubCliStatusShowsAServiceRuntimesFailedDriverAndExitsOne() throws Exception {
        Path home = ServiceModeProcessIT.copyRuntimeWithOwnPorts("status-cli-service");
        Files.writeString(home.resolve("conf/io.labhub.core.cfg"), "node = itnode\n", java.nio.file.StandardOpenOption.APPEND);
        // deliberately failing driver: the stage's activate offers a channel whose name the Hub refuses
        Files.writeString(home.resolve("conf/io.labhub.sample.stage.cfg"), "channel = stage..bad\n");
        Path keys = It.workDir().resolve("status-cli-keys");
        It.deleteTree(keys);
        Path log = home.resolve("log/labhub.log");
        try (ChildJvm lab = ChildJvm.command(home.resolve("bin/labhub").toString(), "--service").start()) {
            lab.stdin().close();
            // never "ready": a failed component keeps readiness back (the launcher says "running but not ready")
            It.awaitCount(log, "status served on hub.status.itnode", 1, Duration.ofSeconds(90));
            assertEquals(0, cli(home, keys, "allow").exit); // on the hub's host: its allow-list file, reloaded in 0.5 s

            Run[] last = new Run[1];
            Await.until("labhub-cli status shows the stage FAILED", WAIT, () -> {
                last[0] = cli(home, keys, "status");
                return last[0].out.lines().anyMatch(l -> l.startsWith("itnode") && l.contains("StageDriver") && l.contains("FAILED"));
            });
            Run plain = last[0];
            assertEquals(plain.err, 1, plain.exit);
            assertTrue(plain.out, plain.out.lines().findFirst().orElseThrow().matches("NODE\\s+BUNDLE\\s+COMPONENT\\s+STATUS\\s+DETAIL"));
            assertTrue(plain.out, plain.out.lines().anyMatch(l -> l.contains("StatusChannel") && l.contains("ONLINE")));
            assertTrue(plain.out, plain.out.lines().anyMatch(l -> l.startsWith("itnode: ") && l.contains(" 1 failed")));
            assertTrue(plain.err, plain.err.strip().startsWith("labhub-cli: FAILED: ") && plain.err.strip().lines().count() == 1);

            Run json = cli(home, keys, "status", "--json", "--node", "itnode");
            assertEquals(json.err, 1, json.exit);
            JsonNode node = JSON.readTree(json.out).get("nodes").get(0);
            assertEquals("itnode", node.get("node").asText());
            assertEquals(1, node.get("failed").asInt());
            List<String> failed = new ArrayList<>();
            node.get("components").forEach(c -> {
                if (c.get("status").asText().equals("FAILED")) {
                    failed.add(c.get("component").asText() + ": " + c.get("detail").asText());
                }
            });
            assertEquals(failed.toString(), 1, failed.size());
            assertTrue(failed.toString(), failed.get(0).startsWith("io.labhub.sample.stage.StageDriver: ") && failed.get(0).contains("stage..bad"));

            Run none = cli(home, keys, "status", "--node", "nosuch");
            assertEquals(none.err, 1, none.exit);
            assertTrue(none.err, none.err.startsWith("labhub-cli: CHANNEL_NOT_FOUND: "));

            lab.process().destroy(); // SIGTERM
            assertEquals(143, lab.awaitExit(ServiceModeProcessIT.STOP_LIMIT));
        }
    }

    private static Run cli(Path home, Path keys, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/labhub-cli").toString(), "--keys", keys.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("LABHUB_CLI_CACHE", It.workDir().resolve("cli-cache").toString());
        Path out = Files.createTempFile(It.workDir(), "status", ".out");
        Path err = Files.createTempFile(It.workDir(), "status", ".err");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("labhub-cli " + String.join(" ", args) + " did not finish within 60 s");
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    public void aBrokerThatCannotBindIsFailedInHubStatusAndInTheLog() throws Exception {
        Path home = It.copyRuntime("status-bind-failure");
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Files.writeString(home.resolve("conf/io.labhub.broker.cfg"),
                    "endpoint = tcp://127.0.0.1:" + port + "\neventsEndpoint = tcp://127.0.0.1:" + port + "\n");
            Files.writeString(home.resolve("conf/io.labhub.core.cfg"), "broker.endpoint = tcp://127.0.0.1:" + port + "\n");
            Path out = home.resolve("stdout.txt");
            Path log = home.resolve("log/labhub.log");
            Process p = new ProcessBuilder(home.resolve("bin/labhub").toString())
                    .redirectOutput(out.toFile()).redirectError(home.resolve("stderr.txt").toFile()).start();
            try (OutputStream stdin = p.getOutputStream()) {
                It.awaitCount(log, "component io.labhub.broker.internal.BrokerComponent of io.labhub.broker", 1, WAIT);
                String logged = Files.readString(log);
                assertTrue(logged, logged.contains("FAILED to activate") && logged.contains("Address already in use"));

                // asked again (after each answer) until the deploy/ drivers have started: OFFLINE before
                String status = "";
                for (int asked = 1; !(brokerFailed(status) && driverOnline(status)); asked++) {
                    assertTrue("hub:status asked " + asked + " times:\n" + status, asked <= 60);
                    stdin.write("hub:status\n".getBytes(StandardCharsets.UTF_8));
                    stdin.flush();
                    It.awaitCount(out, " online, ", asked, WAIT); // its summary line
                    status = Files.readString(out);
                }
            }
            assertTrue("runtime did not exit after end of input", p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue());
        }
    }
}
