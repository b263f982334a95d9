package io.labhub.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.labhub.itests.fatal.ThrowingActivator;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.Test;

/**
 * Issue 12, findings 5 (process part) and 7 (runtime part), with real {@code bin/labhub} processes: the
 * build ships no key; a second runtime in the same home refuses to start and leaves the first alone; an
 * uncaught Error in a driver thread stops the runtime with a non-zero status, logged in log/labhub.log.
 */
public class RuntimeHardeningProcessIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    public void theAssembledRuntimeShipsNoKey() throws Exception {
        try (Stream<Path> files = Files.walk(It.runtimeDir())) {
            List<String> keys = files.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().matches("labhub\\.(key|pub)|allowed_keys|.*\\.key"))
                    .map(Path::toString).toList();
            assertEquals("key material in the assembled runtime", List.of(), keys);
        }
        assertFalse(Files.exists(It.runtimeDir().resolve("conf/keys")));
    }

    @Test
    public void secondRuntimeInTheSameHomeRefusesAndLeavesTheFirstAlone() throws Exception {
        Path home = It.copyRuntime("proc-home-lock");
        Path log = home.resolve("log/labhub.log");
        Process first = AdmissionProcessIT.start(home);
        try {
            It.awaitCount(log, "sample driver 'demo-instrument' ready", 1, WAIT);
            String logBefore = Files.readString(log);

            Path out = Files.createTempFile(It.workDir(), "second", ".out");
            Path err = Files.createTempFile(It.workDir(), "second", ".err");
            Process second = new ProcessBuilder(home.resolve("bin/labhub").toString(), "-c", "lb")
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertTrue("the second runtime did not exit", second.waitFor(60, TimeUnit.SECONDS));
            String error = Files.readString(err);
            assertEquals(error, 4, second.exitValue());
            assertTrue(error, error.contains("labhub: a LabHub runtime (pid " + first.pid() + ") already runs in "));
            assertTrue(error, error.contains(home.getFileName() + "; stop it or use another home"));

            assertTrue("the first runtime still runs", first.isAlive());
            String logAfter = Files.readString(log);
            assertTrue("the second runtime wrote nothing into the first one's log:\n" + logAfter.substring(logBefore.length()),
                    logAfter.startsWith(logBefore) && !logAfter.substring(logBefore.length()).contains("stopped"));

            first.destroy(); // SIGTERM: stops cleanly
            assertTrue("SIGTERM did not stop the runtime", first.waitFor(60, TimeUnit.SECONDS));
            It.awaitCount(log, "sample driver 'demo-instrument' stopped", 1, Duration.ofSeconds(5));
        } finally {
            first.destroyForcibly();
            first.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    public void anUncaughtErrorInADriverThreadStopsTheRuntimeWithStatusFive() throws Exception {
        Path home = It.copyRuntime("proc-fatal");
        Path jar = home.resolve("deploy/oom-driver.jar");
        Manifest mf = new Manifest();
        mf.getMainAttributes().putValue("Manifest-Version", "1.0");
        mf.getMainAttributes().putValue("Bundle-ManifestVersion", "2");
        mf.getMainAttributes().putValue("Bundle-SymbolicName", "test.oom.driver");
        mf.getMainAttributes().putValue("Bundle-Activator", ThrowingActivator.class.getName());
        mf.getMainAttributes().putValue("Import-Package", "org.osgi.framework");
        String entry = ThrowingActivator.class.getName().replace('.', '/') + ".class";
        try (OutputStream o = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(o, mf);
             var clazz = ThrowingActivator.class.getClassLoader().getResourceAsStream(entry)) {
            j.putNextEntry(new JarEntry(entry));
            clazz.transferTo(j);
            j.closeEntry();
        }
        Process p = AdmissionProcessIT.start(home);
        try {
            assertTrue("the runtime did not stop after the error", p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(Files.readString(home.resolve("stderr.txt")), 5, p.exitValue());
            String log = Files.readString(home.resolve("log/labhub.log"));
            assertTrue(log, log.contains("uncaught java.lang.OutOfMemoryError in thread 'labhub-test-oom'; stopping the runtime"));
            assertTrue(log, log.contains("thrown by the test driver to simulate an exhausted heap"));
        } finally {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
