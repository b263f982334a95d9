package io.labhub.transport.shm.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import io.labhub.api.ChannelName;
import io.labhub.api.WaitStrategy;
import io.labhub.testkit.Await;
import io.labhub.testkit.ChildJvm;
import io.labhub.transport.shm.internal.platform.SegmentAccess;
import io.labhub.transport.shm.internal.platform.SegmentNames;
import io.labhub.transport.shm.internal.platform.ShmPlatform;
import io.labhub.transport.shm.internal.platform.ShmPlatforms;

/** Shared helpers: a private tmpfs directory per test class, short timeouts, child JVMs. */
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

    /** Whether the table's overrun counter of the segment file is at least {@code n}. */
    public static boolean tableOverrunsAtLeast(Path file, long n) throws IOException {
        try (java.nio.channels.FileChannel fc = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ);
             java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            var table = fc.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, ShmLayout.TABLE_OFFSET, 64, arena);
            return table.get(java.lang.foreign.ValueLayout.JAVA_LONG, ShmLayout.TABLE_OVERRUNS) >= n;
        }
    }

    /** How many consumer entries of the segment file have their WAITING flag set to asleep (1). */
    public static int consumersWaiting(Path file) throws IOException {
        try (java.nio.channels.FileChannel fc = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ);
             java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            var head = fc.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, ShmLayout.HEADER_LENGTH, arena);
            ShmLayout.Geometry g = ShmLayout.validate(file.getFileName().toString(), head, fc.size(),
                    ShmLayout.Expectation.NONE).geometry();
            var all = fc.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, g.slotsOffset(), arena);
            int n = 0;
            for (int i = 0; i < g.consumerCapacity(); i++) {
                if ((int) ShmLayout.INT.getVolatile(all, g.entryOffset(i) + ShmLayout.ENTRY_WAITING) == ShmLayout.WAITING_ASLEEP) {
                    n++;
                }
            }
            return n;
        }
    }

    /** Whether any consumer entry of the segment file has its WAITING flag set (someone sleeps). */
    public static boolean anyConsumerWaiting(Path file) throws IOException {
        try (java.nio.channels.FileChannel fc = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ);
             java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            var head = fc.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, ShmLayout.HEADER_LENGTH, arena);
            ShmLayout.Geometry g = ShmLayout.validate(file.getFileName().toString(), head, fc.size(),
                    ShmLayout.Expectation.NONE).geometry();
            var all = fc.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, g.slotsOffset(), arena);
            for (int i = 0; i < g.consumerCapacity(); i++) {
                if ((int) ShmLayout.INT.getVolatile(all, g.entryOffset(i) + ShmLayout.ENTRY_WAITING) != 0) {
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
