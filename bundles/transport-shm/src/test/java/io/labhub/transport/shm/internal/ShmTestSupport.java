package io.labhub.transport.shm.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import org.junit.Assert;
import org.junit.rules.ExternalResource;

import io.labhub.api.ChannelName;
import io.labhub.api.WaitStrategy;
import io.labhub.testkit.Await;
import io.labhub.testkit.ChildJvm;
import io.labhub.api.ChannelNotFoundException;
import io.labhub.transport.shm.internal.platform.SegmentAccess;
import io.labhub.transport.shm.internal.platform.ShmHandle;
import io.labhub.transport.shm.internal.platform.SegmentNames;
import io.labhub.transport.shm.internal.platform.ShmPlatform;
import io.labhub.transport.shm.internal.platform.ShmPlatforms;

/**
 * Shared helpers: a private tmpfs directory per test class, short timeouts, child JVMs, and access to a
 * segment's words through the platform SPI ({@link #map}), never through its file, so the scenario tests run
 * on every platform (transport-shm-windows runs them on Windows).
 */
public final class ShmTestSupport {

    public static final ChannelName CHANNEL = new ChannelName("test.frames");
    /** Short liveness so that crash tests finish quickly. */
    public static final RingSettings FAST = new RingSettings(Duration.ofMillis(20), Duration.ofMillis(300), 64,
            WaitStrategy.DEFAULT, Duration.ofMillis(50));

    private ShmTestSupport() {
    }

    /** A fresh directory on tmpfs (/dev/shm) when there is one, so tests use real shared memory. */
    public static Path newDirectory() throws IOException {
        Path shm = Path.of("/dev/shm");
        Path base = Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
        return Files.createDirectory(base.resolve("labhub-test-" + SegmentNames.random().substring(7, 19)));
    }

    public static ShmPlatform platform(Path dir) {
        return ShmPlatforms.load(dir);
    }

    /**
     * The segment directory of one test, as a JUnit rule ({@code @Rule public final ShmTestSupport.SegmentDirectory
     * segments = new ShmTestSupport.SegmentDirectory();}): a fresh {@link #newDirectory()} and its {@link #platform}
     * before each test; after it, and after the test's own {@code @After} methods (which close its channels), the
     * check that no segment file was left behind, and the directory's removal.
     */
    public static final class SegmentDirectory extends ExternalResource {
        private Path dir;
        private ShmPlatform platform;

        @Override
        protected void before() throws IOException {
            dir = newDirectory();
            platform = ShmTestSupport.platform(dir);
        }

        @Override
        protected void after() {
            List<String> left;
            try {
                left = removeDirectory(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Assert.assertEquals("segment files left behind", List.of(), left);
        }

        public Path dir() {
            return dir;
        }

        public ShmPlatform platform() {
            return platform;
        }
    }

    public static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Deletes the directory; @return the names that were still in it */
    public static List<String> removeDirectory(Path dir) throws IOException {
        List<String> left = listing(dir);
        for (String name : left) {
            Files.deleteIfExists(dir.resolve(name));
        }
        Files.deleteIfExists(dir);
        return left;
    }

    public static RingProducer producer(ShmPlatform platform, String segment, io.labhub.api.ShmOptions options,
                                        Heartbeat heartbeat) {
        return RingProducer.create(platform, CHANNEL, segment, options, FAST, SegmentAccess.OWNER_ONLY, heartbeat, null);
    }

    public static RingConsumer consumer(ShmPlatform platform, String segment, Heartbeat heartbeat) {
        return RingConsumer.open(platform, CHANNEL, new RingConsumer.Endpoint(segment, ShmLayout.Expectation.NONE),
                WaitStrategy.BLOCKING, FAST, heartbeat, null, null);
    }

    /** Polls {@code condition} until it holds or {@code timeout} passes (the test kit's {@link Await#within}). */
    public static boolean await(BooleanSupplier condition, Duration timeout) {
        return Await.within("a shm test condition", timeout, condition::getAsBoolean);
    }

    /**
     * Segment {@code name} opened and mapped whole through the platform SPI (not as a file), so the tests that
     * peek at or poke into a segment run unchanged on every platform (named mappings on Windows).
     */
    public static final class Mapped implements AutoCloseable {
        public final ShmHandle handle;
        public final MemorySegment segment;

        Mapped(ShmHandle handle, MemorySegment segment) {
            this.handle = handle;
            this.segment = segment;
        }

        /** The validated geometry of the segment. */
        public ShmLayout.Geometry geometry() {
            return ShmLayout.validate(handle.name(), segment, handle.size(), ShmLayout.Expectation.NONE).geometry();
        }

        @Override
        public void close() {
            handle.close();
        }
    }

    public static Mapped map(ShmPlatform platform, String segment, boolean writable) {
        ShmHandle h = platform.open(segment);
        try {
            // the header first, then exactly the layout's size (Windows reports a page-rounded size)
            MemorySegment head = h.map(0, ShmLayout.HEADER_LENGTH, false);
            long total = ShmLayout.validate(segment, head, h.size(), ShmLayout.Expectation.NONE).geometry().totalSize();
            return new Mapped(h, h.map(0, total, writable));
        } catch (RuntimeException e) {
            h.close();
            throw e;
        }
    }

    /**
     * Whether segment {@code name} can still be opened: on file platforms its file exists, on Windows some
     * process still holds the mapping (it goes with its last handle).
     */
    public static boolean exists(ShmPlatform platform, String segment) {
        try (ShmHandle h = platform.open(segment)) {
            return h != null;
        } catch (ChannelNotFoundException gone) {
            return false;
        }
    }

    /** Whether the platform can list segments (file platforms; Windows cannot, so its janitor has nothing to do). */
    public static boolean lists(ShmPlatform platform) {
        return !(platform.getClass().getName().equals(ShmPlatforms.WINDOWS_CLASS));
    }

    /** Whether the table's overrun counter of the segment is at least {@code n}. */
    public static boolean tableOverrunsAtLeast(ShmPlatform platform, String segment, long n) {
        try (Mapped m = map(platform, segment, false)) {
            return (long) ShmLayout.LONG.getVolatile(m.segment, ShmLayout.TABLE_OFFSET + ShmLayout.TABLE_OVERRUNS) >= n;
        }
    }

    /**
     * The last frame committed to the segment: WRITE_SEQUENCE, or the frame after it when its slot already holds
     * it (a producer killed between its slot's SEQUENCE store and its WRITE_SEQUENCE store: the frame is whole,
     * docs/shm-layout.md "Commit protocol").
     */
    public static long lastCommitted(ShmPlatform platform, String segment) {
        try (Mapped m = map(platform, segment, false)) {
            long written = ShmLayout.writeSequenceVolatile(m.segment);
            long after = m.geometry().slotOffset(written + 1);
            return ShmLayout.slotSequenceAcquire(m.segment, after) == written + 1 ? written + 1 : written;
        }
    }

    /** How many consumer entries of the segment have their WAITING flag set to asleep (1). */
    public static int consumersWaiting(ShmPlatform platform, String segment) {
        try (Mapped m = map(platform, segment, false)) {
            ShmLayout.Geometry g = m.geometry();
            int n = 0;
            for (int i = 0; i < g.consumerCapacity(); i++) {
                if ((int) ShmLayout.INT.getVolatile(m.segment, g.entryOffset(i) + ShmLayout.ENTRY_WAITING) == ShmLayout.WAITING_ASLEEP) {
                    n++;
                }
            }
            return n;
        }
    }

    /** Whether any consumer entry of the segment has its WAITING flag set (someone sleeps or is being woken). */
    public static boolean anyConsumerWaiting(ShmPlatform platform, String segment) {
        try (Mapped m = map(platform, segment, false)) {
            ShmLayout.Geometry g = m.geometry();
            for (int i = 0; i < g.consumerCapacity(); i++) {
                if ((int) ShmLayout.INT.getVolatile(m.segment, g.entryOffset(i) + ShmLayout.ENTRY_WAITING) != 0) {
                    return true;
                }
            }
            return false;
        }
    }

    public static long openDescriptors() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    /**
     * A JVM running {@link ShmChild} with the test class path (the test kit's {@link ChildJvm}); its stdout is
     * read in order by {@link #expect}, stderr goes to the test's.
     */
    public static final class Child implements AutoCloseable {
        public final Process process;
        private final ChildJvm jvm;

        public Child(String... args) throws IOException {
            jvm = ChildJvm.main(ShmChild.class).jvmArgs("-Xshare:auto", "-XX:TieredStopAtLevel=1").args(args)
                    .inheritStderr().start();
            process = jvm.process();
        }

        /** Waits for a line starting with {@code prefix}, after the last one expected; @return it */
        public String expect(String prefix, Duration timeout) {
            return jvm.awaitLine(prefix, timeout);
        }

        /** SIGKILL, and wait until the process is really gone. */
        public void kill() {
            jvm.kill();
        }

        @Override
        public void close() {
            jvm.close();
        }
    }
}
