package io.labhub.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.labhub.testkit.Await;
import io.labhub.testkit.ChildJvm;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.Test;

/**
 * {@code bin/labhub --service}, as a service manager runs it: no console (its stdin closed at once does
 * not stop it), ready when the log says so, and SIGTERM stops it cleanly within a few seconds, with the
 * JVM's 143, the stop in the log and no shared-memory segment of its pid left in /dev/shm.
 */
public class ServiceModeProcessIT {

    /** A stop must end within this: the launcher's own hang limit is 30 s, a clean stop takes about one. */
    static final Duration STOP_LIMIT = Duration.ofSeconds(10);
    private static final long SEGMENT_MAGIC = 0x485342554842414CL; // "LABHUBSH", docs/shm-layout.md
    private static final int PRODUCER_PID = 40;

    @Test
    public void sigtermStopsTheServiceCleanlyAndLeavesNoSegmentBehind() throws Exception {
        Path home = copyRuntimeWithOwnPorts("service");
        Path log = home.resolve("log/labhub.log");
        try (ChildJvm lab = ChildJvm.command(home.resolve("bin/labhub").toString(), "--service").start()) {
            lab.stdin().close(); // a service has no input; end of input must not stop it
            It.awaitCount(log, "LabHub ready in", 1, Duration.ofSeconds(90));
            long pid = lab.pid(); // bin/labhub execs java: the same process
            Await.until("the camera's segment, made by pid " + pid, Duration.ofSeconds(30), () -> !segmentsOf(pid).isEmpty());
            assertTrue("still running after its stdin closed", lab.isAlive());

            lab.process().destroy(); // SIGTERM
            int exit = lab.awaitExit(STOP_LIMIT); // fails with the output when it takes longer
            String text = Files.readString(log);
            assertEquals(text, 143, exit);
            assertTrue(text, text.contains("LabHub stopping") && text.contains("LabHub stopped in"));
            assertEquals("segments of pid " + pid + " left in /dev/shm", List.of(), segmentsOf(pid));
            assertEquals("stdout and stderr go to the log, not to the service manager", "", lab.output().strip());
        }
    }

    /** A fresh runtime copy whose broker listens on ports free now (not the fixed 5570/5571). */
    static Path copyRuntimeWithOwnPorts(String name) throws IOException {
        Path home = It.copyRuntime(name);
        int port = It.freePort();
        int events = It.freePort();
        Files.writeString(home.resolve("conf/io.labhub.broker.cfg"),
                "endpoint = tcp://127.0.0.1:" + port + "\neventsEndpoint = tcp://127.0.0.1:" + events + "\n");
        Files.writeString(home.resolve("conf/io.labhub.core.cfg"), "broker.endpoint = tcp://127.0.0.1:" + port + "\n");
        return home;
    }

    /**
     * The labhub-* segments in /dev/shm whose header names {@code pid} as their producer (regular files only: a
     * benchmark's or another tool's labhub-* directory there is none of this test's business).
     */
    static List<String> segmentsOf(long pid) throws IOException {
        List<String> mine = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("/dev/shm"))) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("labhub-") && Files.isRegularFile(p)).toList()) {
                ByteBuffer header = ByteBuffer.allocate(PRODUCER_PID + 8).order(ByteOrder.LITTLE_ENDIAN);
                try (FileChannel ch = FileChannel.open(f)) {
                    while (header.hasRemaining() && ch.read(header) > 0) {
                        // read the first 48 bytes
                    }
                } catch (NoSuchFileException | java.nio.file.AccessDeniedException gone) {
                    continue; // removed meanwhile, or another user's
                }
                if (!header.hasRemaining() && header.getLong(0) == SEGMENT_MAGIC && header.getLong(PRODUCER_PID) == pid) {
                    mine.add(f.getFileName().toString());
                }
            }
        }
        return mine;
    }
}
