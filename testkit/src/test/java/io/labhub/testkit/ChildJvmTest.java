package io.labhub.testkit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class ChildJvmTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    /** Prints its arguments, "READY", echoes stdin, exits with 3 at the end of input. */
    public static final class Echo {
        public static void main(String[] args) throws Exception {
            for (String a : args) {
                System.out.println("arg " + a);
            }
            System.err.println("to stderr");
            System.out.println("READY " + ProcessHandle.current().pid());
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in));
            for (String l; (l = in.readLine()) != null; ) {
                System.out.println("echo " + l);
            }
            System.exit(3);
        }
    }

    @Test
    public void startsWithTheClassPathWaitsForReadinessCapturesOutputAndExitCode() throws Exception {
        Path log = tmp.getRoot().toPath().resolve("child.log");
        try (ChildJvm child = ChildJvm.main(Echo.class).args("a", "b").log(log).ready("READY ").start()) {
            assertEquals("READY " + child.pid(), child.ready());
            assertTrue(child.lines().containsAll(java.util.List.of("arg a", "arg b", "to stderr")));
            child.send("hello\n");
            assertEquals("echo hello", child.awaitLine("echo ", WAIT));
            child.stdin().close();
            assertEquals(3, child.awaitExit(WAIT));
            assertTrue(Files.readString(log).contains("echo hello\n"));
        }
    }

    @Test
    public void killEndsTheChildAndAMissingLineFailsWithItsOutput() throws Exception {
        try (ChildJvm child = ChildJvm.main(Echo.class).inheritStderr().ready("READY ").start()) {
            AssertionError e = assertThrows(AssertionError.class, () -> child.awaitLine("never", Duration.ofMillis(100)));
            assertTrue(e.getMessage(), e.getMessage().contains("timed out after 100 ms before printing a line starting with 'never'"));
            child.kill();
            assertFalse(child.isAlive());
            e = assertThrows(AssertionError.class, () -> child.awaitLine("never", WAIT));
            assertTrue(e.getMessage(), e.getMessage().contains(" ended before printing"));
        }
    }

    @Test
    public void aChildThatEndsBeforeItsReadinessLineFailsTheStart() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> ChildJvm.command("sh", "-c", "echo bye").ready("READY").start());
        assertTrue(e.getMessage(), e.getMessage().contains("sh ended before printing") && e.getMessage().contains("bye"));
    }
}
