package io.labhub.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.labhub.testkit.ChildJvm;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Issue 12, finding 7: one runtime per home. A second runtime (another process, or another LabHub in this
 * JVM) in the same home refuses to start, names the pid of the first, and changes nothing of it; the
 * lock of a killed runtime is taken over.
 */
public class HomeLockTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    /** Holds the home lock of {@code args[0]} until its stdin closes. */
    public static final class Holder {
        public static void main(String[] args) throws Exception {
            try (HomeLock lock = HomeLock.acquire(Path.of(args[0]))) {
                System.out.println("locked " + lock.file());
                System.out.flush();
                while (System.in.read() >= 0) {
                    // wait for the parent to close our stdin
                }
            }
        }
    }

    /** A child JVM holding the lock of {@code home}: started once it says so (the test fails with its output otherwise). */
    private static ChildJvm holder(Path home) throws Exception {
        return ChildJvm.main(Holder.class).args(home.toString()).ready("locked ").start();
    }

    @Test
    public void secondRuntimeInTheSameHomeIsRefusedWithThePidAndTakesOverAfterTheFirstDies() throws Exception {
        Path home = tmp.newFolder("home").toPath();
        ChildJvm first = holder(home);
        try {
            HomeLock.HomeInUseException e = assertThrows(HomeLock.HomeInUseException.class, () -> HomeLock.acquire(home));
            assertEquals(first.pid(), e.pid());
            assertEquals("a LabHub runtime (pid " + first.pid() + ") already runs in " + home
                    + "; stop it or use another home", e.getMessage());

            // bin/labhub (here Main.run) beside it: exit 4 with that message, and nothing written in HOME/log
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int exit = Main.run(new String[]{"--home", home.toString(), "-c", "lb"}, new PrintStream(new ByteArrayOutputStream()),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(Main.HOME_IN_USE, exit);
            assertTrue(err.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)
                    .contains("a LabHub runtime (pid " + first.pid() + ") already runs in"));
            assertTrue("the refused runtime created no log", !Files.exists(home.resolve("log")));
            assertEquals(first.pid() + "\n", Files.readString(home.resolve(HomeLock.FILE)));
        } finally {
            first.kill(); // SIGKILL, waits until it is gone: the lock file stays behind, the lock goes with the process
        }
        assertTrue(Files.exists(home.resolve(HomeLock.FILE)));
        try (HomeLock taken = HomeLock.acquire(home)) {
            assertEquals(ProcessHandle.current().pid() + "\n", Files.readString(taken.file()));
        }
    }

    @Test
    public void twoRuntimesInOneJvmAndTheSameHomeAreRefusedToo() throws Exception {
        Path home = tmp.newFolder("home2").toPath();
        try (HomeLock first = HomeLock.acquire(home)) {
            HomeLock.HomeInUseException e = assertThrows(HomeLock.HomeInUseException.class, () -> HomeLock.acquire(home));
            assertEquals(ProcessHandle.current().pid(), e.pid());
        }
        HomeLock.acquire(home).close(); // released by close
        assertEquals(List.of(ProcessHandle.current().pid() + ""), Files.readAllLines(home.resolve(HomeLock.FILE)));
    }
}
