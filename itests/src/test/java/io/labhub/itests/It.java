package io.labhub.itests;

import io.labhub.testkit.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/** Paths and helpers shared by the integration tests (JDK classes only: also used inside Pax Exam's probe). */
final class It {

    private It() {
    }

    static Path featuresDir() {
        return Path.of(property("labhub.features.dir"));
    }

    static Path samplesDir() {
        return Path.of(property("labhub.samples.dir"));
    }

    static Path runtimeDir() {
        return Path.of(property("labhub.runtime.dir"));
    }

    static Path workDir() {
        return Path.of(property("labhub.work.dir"));
    }

    static Path sampleDriverJar() {
        return samplesDir().resolve("labhub-sample-driver.jar");
    }

    private static String property(String name) {
        String v = System.getProperty(name);
        if (v == null) {
            throw new IllegalStateException("system property " + name + " is not set (run the tests through Maven: mvn verify)");
        }
        return v;
    }

    /** Waits until {@code file} exists and contains {@code text} at least {@code count} times. */
    static void awaitCount(Path file, String text, int count, Duration timeout) {
        Await.until(count + "x '" + text + "' in " + file, timeout, () -> {
            try {
                if (!Files.exists(file)) {
                    return false;
                }
                String s = Files.readString(file);
                int n = 0;
                for (int i = s.indexOf(text); i >= 0; i = s.indexOf(text, i + 1)) {
                    n++;
                }
                return n >= count;
            } catch (IOException e) {
                return false;
            }
        });
    }

    /**
     * Writes a file that Felix FileInstall watches (a deploy/ .cfg) in one step: the content goes to a file
     * outside the watched directory, which is then renamed over the target, so FileInstall only ever sees
     * the old content or the new. Written in place, the file is empty between its truncation and its write:
     * WebAccessIT once saw its console restart on the defaults (127.0.0.1:8780, an empty configuration)
     * instead of the host it wrote, and never get the written one within 30 s. Likely: FileInstall's poll
     * read the empty file and applied it, and its config save-back (felix.fileinstall.enableConfigSave,
     * default true) then wrote that empty configuration over the content written just after.
     */
    static void writeWatched(Path target, String content) throws IOException {
        Path staging = Files.createDirectories(workDir().resolve("staging"));
        Path tmp = Files.createTempFile(staging, target.getFileName().toString(), ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** A fresh copy of the assembled runtime, so that a test can change deploy/ and conf/ freely. */
    static Path copyRuntime(String name) throws IOException {
        Path target = workDir().resolve(name);
        deleteTree(target);
        Path source = runtimeDir();
        if (!Files.isRegularFile(source.resolve("bin/labhub"))) {
            throw new IllegalStateException("no assembled runtime at " + source + " (mvn install builds it)");
        }
        try (Stream<Path> s = Files.walk(source)) {
            for (Path p : s.toList()) {
                Path rel = source.relativize(p);
                if (rel.startsWith("data") || rel.startsWith("log")) {
                    continue;
                }
                Path dest = target.resolve(rel.toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        // the web console on a port free at run time (Felix picks it), never the product's 8780: a test runtime must
        // not collide with a runtime running on this machine, nor with another test's
        Path web = target.resolve("conf/io.labhub.web.cfg");
        if (Files.exists(web)) {
            Files.writeString(web, Files.readString(web).replaceAll("(?m)^port\\s*=.*$", "port = 0"));
        }
        return target;
    }

    /** A TCP port free now on this machine, for a server a test starts (never a fixed default: two runs never collide). */
    static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
