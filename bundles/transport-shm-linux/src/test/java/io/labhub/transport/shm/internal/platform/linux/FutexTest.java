package io.labhub.transport.shm.internal.platform.linux;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import io.labhub.transport.shm.internal.platform.ShmPlatform;
import io.labhub.transport.shm.internal.platform.ShmPlatforms;

/** The futex downcall itself, on a word of a shared file mapping. */
public class FutexTest {

    private final Futex futex = new Futex();
    private Path file;
    private Arena arena;
    private MemorySegment a;
    private MemorySegment b;

    @Before
    public void setUp() throws Exception {
        Path dir = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));
        file = Files.createTempFile(dir, "labhub-futex-test", ".bin");
        arena = Arena.ofShared();
        try (FileChannel fc = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            // two separate mappings of the same page: different addresses, one physical word,
            // as between two processes
            a = fc.map(FileChannel.MapMode.READ_WRITE, 0, 4096, arena);
            b = fc.map(FileChannel.MapMode.READ_WRITE, 0, 4096, arena);
        }
    }

    @After
    public void tearDown() throws Exception {
        arena.close();
        Files.deleteIfExists(file);
    }

    @Test
    public void theLinuxPlatformIsTheOneLoadedHere() {
        ShmPlatform platform = ShmPlatforms.load(file.getParent());
        assertEquals("linux-futex", platform.id());
        assertTrue(platform.blocksInKernel());
    }

    @Test
    public void aChangedValueReturnsAtOnceWithEagain() {
        a.set(ValueLayout.JAVA_INT, 64, 5);
        assertEquals(Futex.Outcome.VALUE_CHANGED, futex.await(a.address() + 64, 4, Duration.ofSeconds(30).toNanos()));
    }

    @Test
    public void oneThreadsScratchMemoryServesEveryCallWithItsOwnOutcome() {
        // the timespec and errno area are reused per thread: each call must still see its own timeout and errno
        a.set(ValueLayout.JAVA_INT, 64, 5);
        for (int i = 0; i < 3; i++) {
            assertEquals(Futex.Outcome.VALUE_CHANGED, futex.await(a.address() + 64, 4, Duration.ofSeconds(30).toNanos()));
            long start = System.nanoTime();
            assertEquals(Futex.Outcome.TIMED_OUT, futex.await(a.address() + 64, 5, Duration.ofMillis(20).toNanos()));
            assertTrue(System.nanoTime() - start >= Duration.ofMillis(19).toNanos());
            assertEquals(0, futex.wake(b.address() + 64, Integer.MAX_VALUE));
        }
    }

    @Test
    public void aWaitEndsAtItsTimeout() {
        long start = System.nanoTime();
        assertEquals(Futex.Outcome.TIMED_OUT, futex.await(a.address() + 64, 0, Duration.ofMillis(200).toNanos()));
        long waited = System.nanoTime() - start;
        assertTrue("woke after " + waited / 1_000_000 + " ms", waited >= Duration.ofMillis(199).toNanos());
    }

    @Test
    public void aWakeThroughAnotherMappingReachesTheSleeper() throws Exception {
        assertNotEquals(a.address(), b.address());
        CompletableFuture<Futex.Outcome> sleeper = CompletableFuture.supplyAsync(
                () -> futex.await(a.address() + 128, 0, Duration.ofSeconds(30).toNanos()));
        // keep waking until the sleeper is counted as woken: proves it was asleep on the shared word
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        int woken = 0;
        while (woken == 0 && System.nanoTime() < deadline) {
            woken = futex.wake(b.address() + 128, Integer.MAX_VALUE);
            if (woken == 0) {
                Thread.onSpinWait();
            }
        }
        assertEquals(1, woken);
        assertEquals(Futex.Outcome.WOKEN, sleeper.get(10, TimeUnit.SECONDS));
        assertEquals("nobody is left to wake", 0, futex.wake(b.address() + 128, Integer.MAX_VALUE));
    }

    @Test
    public void syscallNumbers() {
        assertEquals(202, Futex.syscallNumber("amd64"));
        assertEquals(98, Futex.syscallNumber("aarch64"));
        assertThrows(UnsupportedOperationException.class, () -> Futex.syscallNumber("sparc"));
    }
}
