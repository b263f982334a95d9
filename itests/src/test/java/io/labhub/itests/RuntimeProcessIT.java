package io.labhub.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.Test;

/** The assembled runtime, run as the user runs it: {@code bin/labhub} in its own JVM. */
public class RuntimeProcessIT {

    private static final Pattern BUNDLE_LINE = Pattern.compile("^\\s*\\d+\\|.*");

    record Run(int exit, String out, String err) {
    }

    private static Run run(Path home, Map<String, String> env, String... args) throws Exception {
        Path out = Files.createTempFile(It.workDir(), "out", ".txt");
        Path err = Files.createTempFile(It.workDir(), "err", ".txt");
        List<String> command = new java.util.ArrayList<>(List.of(home.resolve("bin/labhub").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("bin/labhub " + String.join(" ", args) + " did not finish within 180 s");
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    public void lbListsEveryBundleActiveAndExitsZero() throws Exception {
        Path home = It.copyRuntime("proc-lb");
        Run r = run(home, Map.of(), "-c", "lb");
        assertEquals(r.err, 0, r.exit);
        List<String> bundles = r.out.lines().filter(l -> BUNDLE_LINE.matcher(l).matches()).toList();
        assertTrue(r.out, bundles.size() > 15);
        for (String line : bundles) {
            if (line.contains("shared-memory transport, Linux")) {
                assertTrue("Linux fragment not attached: " + line, line.contains("|Resolved"));
            } else if (line.contains("shared-memory transport, Windows")) {
                assertTrue("Windows fragment resolved on Linux: " + line, line.contains("|Installed"));
            } else {
                assertTrue("not active: " + line, line.contains("|Active"));
            }
        }
        for (String expected : List.of("LabHub API", "LabHub core", "LabHub validation", "LabHub sample driver", "Gogo JLine Shell")) { // the console is Gogo on JLine (issue 16)
            assertTrue(expected + " missing in\n" + r.out, r.out.contains(expected));
        }
        assertTrue("log file written", Files.readString(home.resolve("log/labhub.log")).contains("sample driver 'demo-instrument' ready"));
    }

    @Test
    public void failingCommandStopsAndExitsOne() throws Exception {
        Path home = It.copyRuntime("proc-fail");
        Run r = run(home, Map.of(), "-c", "echo first; no-such-command; echo never");
        assertEquals(r.out + r.err, 1, r.exit);
        assertTrue(r.out, r.out.contains("first"));
        assertTrue(r.out, !r.out.contains("never"));
        assertTrue(r.err, r.err.contains("command failed: no-such-command"));
    }

    @Test
    public void badUsageExitsTwoWithUsage() throws Exception {
        Run r = run(It.runtimeDir(), Map.of(), "--bogus");
        assertEquals(2, r.exit);
        assertTrue(r.err, r.err.contains("unknown argument '--bogus'") && r.err.contains("usage: labhub"));
    }

    @Test
    public void unknownFeatureExitsThree() throws Exception {
        Path home = It.copyRuntime("proc-feature");
        Run r = run(home, Map.of(), "--features", "boot,nope", "-c", "lb");
        assertEquals(r.err, 3, r.exit);
        assertTrue(r.err, r.err.contains("unknown feature 'nope'"));
    }

    @Test
    public void brokenDriverMakesCommandModeFail() throws Exception {
        Path home = It.copyRuntime("proc-broken");
        // A bundle whose import cannot be satisfied: it installs but never becomes active.
        Path jar = home.resolve("deploy/broken.jar");
        java.util.jar.Manifest mf = new java.util.jar.Manifest();
        mf.getMainAttributes().putValue("Manifest-Version", "1.0");
        mf.getMainAttributes().putValue("Bundle-ManifestVersion", "2");
        mf.getMainAttributes().putValue("Bundle-SymbolicName", "broken.driver");
        mf.getMainAttributes().putValue("Import-Package", "no.such.pkg");
        try (OutputStream o = Files.newOutputStream(jar); var j = new java.util.jar.JarOutputStream(o, mf)) {
            j.flush();
        }
        Run r = run(home, Map.of(), "--timeout", "5", "-c", "lb");
        assertEquals(r.err, 3, r.exit);
        assertTrue(r.err, r.err.contains("broken.driver") && r.err.contains("not ready"));
    }

    @Test
    public void brokerAloneRunsFromTheBrokerFeatures() throws Exception {
        Path home = It.copyRuntime("proc-broker-only");
        try (var jars = Files.list(home.resolve("deploy"))) { // no drivers: they would need the Hub
            for (Path j : jars.toList()) {
                Files.delete(j);
            }
        }
        Run r = run(home, Map.of(), "--features", "boot,framework,base,broker,shell", "-c", "lb; scr:list");
        assertEquals(r.err, 0, r.exit);
        assertTrue(r.out, r.out.contains("LabHub broker") && !r.out.contains("LabHub core"));
        assertTrue(r.out, r.out.contains("BrokerComponent") && r.out.contains("State:ACTIVE"));
        assertTrue(Files.readString(home.resolve("log/labhub.log")).contains("broker listening on"));
    }

    @Test
    public void unreachableBrokerNeverBlocksDrivers() throws Exception {
        Path home = It.copyRuntime("proc-no-broker");
        Files.delete(home.resolve("conf/io.labhub.broker.cfg")); // no embedded broker, nobody on the Hub's endpoint
        String nobody = "tcp://127.0.0.1:" + It.freePort(); // free now: no broker answers there
        Files.writeString(home.resolve("conf/io.labhub.core.cfg"), "broker.endpoint = " + nobody + "\n");
        Run r = run(home, Map.of(), "-c", "lb");
        assertEquals(r.err, 0, r.exit); // every bundle active and every component satisfied, the driver included
        String log = Files.readString(home.resolve("log/labhub.log"));
        assertTrue(log, log.contains("sample driver 'demo-instrument' ready"));
        assertTrue(log, log.contains("Hub started: broker at " + nobody));
    }

    @Test
    public void saysClearlyWhenNoJava25IsInstalled() throws Exception {
        Run r = run(It.runtimeDir(), Map.of("PATH", "/usr/bin:/bin", "JAVA_HOME", "/nonexistent", "LABHUB_JAVA", "",
                "LABHUB_JDK_SEARCH", "/nonexistent/*/bin/java"), "-c", "lb");
        assertEquals(r.err, 2, r.exit);
        assertTrue(r.err, r.err.contains("no Java 25 or newer found"));
        assertTrue(r.err, r.err.contains("JAVA_HOME"));
    }

    /** The bundles are Java 25 class files (osgi.ee JavaSE 25): a JDK 17-24 is refused before Felix is started. */
    @Test
    public void refusesAJavaOlderThan25NamingIt() throws Exception {
        Path old = Path.of("/usr/lib/jvm/java-17-openjdk-amd64/bin/java");
        org.junit.Assume.assumeTrue("a JDK 17 installed at " + old, Files.isExecutable(old));
        Run r = run(It.runtimeDir(), Map.of("PATH", "/usr/bin:/bin", "JAVA_HOME", "/nonexistent", "LABHUB_JAVA", old.toString(),
                "LABHUB_JDK_SEARCH", "/nonexistent/*/bin/java"), "-c", "lb");
        assertEquals(r.err, 2, r.exit);
        assertTrue(r.err, r.err.contains("no Java 25 or newer found") && r.err.contains("osgi.ee JavaSE 25"));
        assertTrue(r.err, r.err.contains("all too old") && r.err.contains(old + " (Java 17)"));
    }

    @Test
    public void foregroundRuntimeHotDeploysReconfiguresAndExitsOnEndOfInput() throws Exception {
        Path home = It.copyRuntime("proc-fg");
        Path out = home.resolve("stdout.txt");
        Process p = new ProcessBuilder(home.resolve("bin/labhub").toString())
                .redirectOutput(out.toFile()).redirectError(home.resolve("stderr.txt").toFile()).start();
        try {
            Path log = home.resolve("log/labhub.log");
            It.awaitCount(log, "sample driver 'demo-instrument' ready", 1, Duration.ofSeconds(60));

            Path jar = home.resolve("deploy/labhub-sample-driver-0.1.0-SNAPSHOT.jar");
            assertTrue(jar + " missing", Files.exists(jar));
            Path parked = home.resolve(jar.getFileName() + ".parked");
            Files.move(jar, parked);
            It.awaitCount(log, "sample driver 'demo-instrument' stopped", 1, Duration.ofSeconds(20));
            It.awaitCount(log, "Uninstalling bundle", 1, Duration.ofSeconds(20));

            long t0 = System.nanoTime();
            Files.copy(parked, jar);
            It.awaitCount(log, "sample driver 'demo-instrument' ready", 2, Duration.ofSeconds(20));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            System.out.println("hot deploy: driver active " + ms + " ms after the jar was copied into deploy/");

            Files.writeString(home.resolve("conf/io.labhub.sample.driver.cfg"), "instrument.name = renamed\n");
            It.awaitCount(log, "reconfigured: instrument 'renamed'", 1, Duration.ofSeconds(20));

            OutputStream stdin = p.getOutputStream();
            stdin.write("lb\n".getBytes(StandardCharsets.UTF_8));
            stdin.flush();
            It.awaitCount(out, "LabHub sample driver", 1, Duration.ofSeconds(20));
            stdin.close(); // end of input: the console ends and the framework stops
            assertTrue("runtime did not exit after end of input", p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue());
        } finally {
            p.destroyForcibly();
        }
    }

    /**
     * The default runtime serves the web console (issue 17): the page, and the sample instruments in its channel list,
     * on the port of conf/io.labhub.web.cfg (here one free now, chosen by the test), on loopback only.
     */
    @Test
    public void theDefaultRuntimeServesTheWebConsoleWithTheSamples() throws Exception {
        Path home = It.copyRuntime("proc-web");
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path cfg = home.resolve("conf/io.labhub.web.cfg");
        assertTrue("the runtime ships the console's configuration", Files.exists(cfg));
        Files.writeString(cfg, Files.readString(cfg).replaceAll("(?m)^port\\s*=.*$", "port = " + port));
        Process p = new ProcessBuilder(home.resolve("bin/labhub").toString())
                .redirectOutput(home.resolve("stdout.txt").toFile()).redirectError(home.resolve("stderr.txt").toFile()).start();
        try {
            It.awaitCount(home.resolve("log/labhub.log"), "web console on http://127.0.0.1:" + port + "/", 1, Duration.ofSeconds(60));
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            java.net.URI base = java.net.URI.create("http://127.0.0.1:" + port + "/");
            String[] channels = {""};
            io.labhub.testkit.Await.until("the samples in the console's channel list", Duration.ofSeconds(60), () -> {
                try {
                    var r = http.send(java.net.http.HttpRequest.newBuilder(base.resolve("api/channels")).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
                    channels[0] = r.statusCode() + " " + r.body();
                    return r.statusCode() == 200 && r.body().contains("camera1.frames") && r.body().contains("lab.thermometer")
                            && r.body().contains("stage.x");
                } catch (IOException e) {
                    channels[0] = e.toString();
                    return false;
                }
            });
            var page = http.send(java.net.http.HttpRequest.newBuilder(base).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode());
            assertTrue(page.body(), page.body().toLowerCase(java.util.Locale.ROOT).contains("<html"));
            OutputStream stdin = p.getOutputStream();
            stdin.close(); // end of input: the runtime stops
            assertTrue("runtime did not exit after end of input", p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue());
        } finally {
            p.destroyForcibly();
        }
    }
}
