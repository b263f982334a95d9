package io.labhub.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/**
 * Issue 12, finding 6, as the operator meets it: runtime B is started against runtime A's broker before
 * B's key is allowed there; the operator takes 10 s, then types {@code hub:allow KEY} in A's console; B's
 * channel is discoverable from A a few seconds later. Two {@code bin/labhub} processes.
 */
public class AdmissionProcessIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Allow-list reload (0.5 s) + the broker client's longest re-admission back-off (2 s) + a margin. */
    private static final Duration ADMITTED_WITHIN = Duration.ofSeconds(15);

    @Test
    public void runtimeStartedBeforeItsKeyWasAllowedGetsInAfterHubAllow() throws Exception {
        int brokerPort = freePort();
        int eventsPort = freePort();
        Path a = It.copyRuntime("admission-a");
        Path b = It.copyRuntime("admission-b");
        clearDeploy(a); // A: the broker and the console only
        clearDeploy(b);
        Files.copy(sample(It.runtimeDir(), "thermometer"), b.resolve("deploy/thermometer.jar")); // B: one channel
        Files.writeString(a.resolve("conf/io.labhub.broker.cfg"), "endpoint = tcp://127.0.0.1:" + brokerPort
                + "\neventsEndpoint = tcp://127.0.0.1:" + eventsPort + "\n");
        Files.writeString(a.resolve("conf/io.labhub.core.cfg"), "broker.endpoint = tcp://127.0.0.1:" + brokerPort + "\n");
        Files.delete(b.resolve("conf/io.labhub.broker.cfg"));

        Process pa = start(a);
        Process pb = null;
        try {
            It.awaitCount(a.resolve("log/labhub.log"), "broker listening on", 1, WAIT);
            String keyA = key(a);
            Files.writeString(b.resolve("conf/io.labhub.core.cfg"), "broker.endpoint = tcp://127.0.0.1:" + brokerPort
                    + "\nbroker.publicKey = " + keyA + "\n");
            pb = start(b);
            Path logB = b.resolve("log/labhub.log");
            It.awaitCount(logB, "refused by the broker at tcp://127.0.0.1:" + brokerPort, 1, WAIT);
            String keyB = key(b);

            Thread.sleep(10_000); // the operator's pause between start and hub:allow (not a synchronisation)
            assertTrue("B still runs", pb.isAlive());

            OutputStream console = pa.getOutputStream();
            console.write(("hub:allow '" + keyB + "'\n").getBytes(StandardCharsets.US_ASCII));
            console.flush();
            long allowedAt = System.nanoTime();
            It.awaitCount(a.resolve("log/labhub.log"), "Allowed client key " + keyB, 1, WAIT);
            It.awaitCount(logB, "connected to broker tcp://127.0.0.1:" + brokerPort, 1, ADMITTED_WITHIN);
            Path outA = a.resolve("stdout.txt");
            It.await("lab.thermometer of B discoverable from A", ADMITTED_WITHIN, () -> {
                try {
                    console.write("hub:info lab.thermometer\n".getBytes(StandardCharsets.US_ASCII));
                    console.flush();
                    return Files.readString(outA).contains(keyB);
                } catch (IOException e) {
                    return false;
                }
            });
            System.out.printf("admission: B's channel discoverable %d ms after hub:allow%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - allowedAt));
            console.close(); // end of input: A stops
            assertTrue(pa.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, pa.exitValue());
        } finally {
            if (pb != null) {
                pb.destroy(); // SIGTERM: B stops cleanly
                if (!pb.waitFor(60, TimeUnit.SECONDS)) {
                    pb.destroyForcibly();
                }
            }
            pa.destroyForcibly();
            pa.waitFor(30, TimeUnit.SECONDS);
        }
    }

    static Process start(Path home) throws IOException {
        return new ProcessBuilder(home.resolve("bin/labhub").toString())
                .redirectOutput(home.resolve("stdout.txt").toFile())
                .redirectError(home.resolve("stderr.txt").toFile()).start();
    }

    static String key(Path home) throws IOException {
        Path pub = home.resolve("conf/keys/labhub.pub");
        It.await(pub + " written", WAIT, () -> Files.exists(pub));
        return Files.readAllLines(pub).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).findFirst().orElseThrow();
    }

    static void clearDeploy(Path home) throws IOException {
        try (var jars = Files.list(home.resolve("deploy"))) {
            for (Path j : jars.toList()) {
                Files.delete(j);
            }
        }
    }

    private static Path sample(Path runtime, String name) throws IOException {
        try (var jars = Files.list(runtime.resolve("deploy"))) {
            return jars.filter(j -> j.getFileName().toString().contains(name)).findFirst().orElseThrow();
        }
    }

    static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
