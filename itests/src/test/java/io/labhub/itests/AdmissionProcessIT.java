package io.labhub.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.labhub.testkit.Await;
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
        int brokerPort = It.freePort();
        int eventsPort = It.freePort();
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
            Await.until("lab.thermometer of B discoverable from A", ADMITTED_WITHIN, () -> {
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

    /**
     * Issue 12, finding 7: runtime C is a copy of runtime B's folder taken after B's first start, so it
     * carries B's key pair. The broker refuses C with KEY_IN_USE while B runs (C logs it with the remedy,
     * B keeps its session), and admits C once B has stopped; C never takes B's identity over while B lives.
     */
    @Test
    public void aCopiedRuntimeWithTheSameKeyIsRefusedWhileTheOriginalRuns() throws Exception {
        int brokerPort = It.freePort();
        int eventsPort = It.freePort();
        Path a = It.copyRuntime("identity-a");
        Path b = It.copyRuntime("identity-b");
        clearDeploy(a);
        clearDeploy(b);
        Files.copy(sample(It.runtimeDir(), "thermometer"), b.resolve("deploy/thermometer.jar"));
        Files.writeString(a.resolve("conf/io.labhub.broker.cfg"), "endpoint = tcp://127.0.0.1:" + brokerPort
                + "\neventsEndpoint = tcp://127.0.0.1:" + eventsPort + "\n");
        Files.writeString(a.resolve("conf/io.labhub.core.cfg"), "broker.endpoint = tcp://127.0.0.1:" + brokerPort + "\n");
        Files.delete(b.resolve("conf/io.labhub.broker.cfg"));
        Process pa = start(a);
        Process pb = null;
        Process pc = null;
        try {
            It.awaitCount(a.resolve("log/labhub.log"), "broker listening on", 1, WAIT);
            Files.writeString(b.resolve("conf/io.labhub.core.cfg"), "broker.endpoint = tcp://127.0.0.1:" + brokerPort
                    + "\nbroker.publicKey = " + key(a) + "\n");
            pb = start(b);
            String keyB = key(b);
            Files.writeString(a.resolve("conf/keys/allowed_keys"), keyB + "\n", java.nio.file.StandardOpenOption.APPEND);
            It.awaitCount(b.resolve("log/labhub.log"), "connected to broker tcp://127.0.0.1:" + brokerPort, 1, WAIT);

            Path c = It.workDir().resolve("identity-c"); // cp -r of B's folder, keys included, without its log
            It.deleteTree(c);
            copyTree(b, c);
            pc = start(c);
            Path logC = c.resolve("log/labhub.log");
            It.awaitCount(logC, "refuses this runtime's key " + keyB + ": KEY_IN_USE", 1, WAIT);
            assertTrue(Files.readString(logC), Files.readString(logC).contains("delete its conf/keys/ directory"));
            assertTrue("B still runs", pb.isAlive());
            String logB = Files.readString(b.resolve("log/labhub.log"));
            assertTrue("B kept its session: " + logB, !logB.contains("does not know this client any more"));

            pb.destroy(); // SIGTERM: the original goes away
            assertTrue(pb.waitFor(60, TimeUnit.SECONDS));
            It.awaitCount(logC, "connected to broker tcp://127.0.0.1:" + brokerPort, 1, WAIT);
        } finally {
            for (Process p : new Process[] {pc, pb, pa}) {
                if (p != null) {
                    p.destroy();
                    if (!p.waitFor(60, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                }
            }
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path rel = from.relativize(p);
                if (rel.startsWith("log") || rel.startsWith("data") || rel.startsWith("run")) {
                    continue;
                }
                Path dest = to.resolve(rel.toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    static Process start(Path home) throws IOException {
        return new ProcessBuilder(home.resolve("bin/labhub").toString())
                .redirectOutput(home.resolve("stdout.txt").toFile())
                .redirectError(home.resolve("stderr.txt").toFile()).start();
    }

    static String key(Path home) throws IOException {
        Path pub = home.resolve("conf/keys/labhub.pub");
        Await.until(pub + " written", WAIT, () -> Files.exists(pub));
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

}
