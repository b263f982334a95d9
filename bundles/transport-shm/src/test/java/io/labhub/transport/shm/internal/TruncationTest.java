package io.labhub.transport.shm.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import io.labhub.api.ChannelName;
import io.labhub.api.ChannelTimeoutException;
import io.labhub.api.ConsumerOptions;
import io.labhub.api.ErrorCode;
import io.labhub.api.LabHubException;
import io.labhub.api.ShmConsumer;
import io.labhub.api.ShmOptions;
import io.labhub.api.ShmProducer;
import io.labhub.api.WaitStrategy;
import io.labhub.transport.shm.internal.platform.SegmentAccess;
import io.labhub.transport.shm.internal.platform.SegmentNames;
import io.labhub.transport.shm.internal.platform.ShmPlatform;

/**
 * Issue 12, finding 3: a segment file truncated (really, with ftruncate) under a live producer or consumer
 * is a typed SEGMENT_INVALID, the channel is closed and unregistered, every other channel of the transport
 * (and its one heartbeat thread) lives on, and the sweep removes truncated files nobody uses.
 */
public class TruncationTest {

    private static final ChannelName A = new ChannelName("test.a");
    private static final ChannelName B = new ChannelName("test.b");

    private Path dir;
    private ShmPlatform platform;
    private ShmTransportImpl transport;
    private InProcessRegistry registry;
    private final ShmOptions options = ShmOptions.defaults().withSlots(256, 8).withWait(WaitStrategy.BLOCKING);

    @Before
    public void setUp() throws Exception {
        dir = ShmTestSupport.newDirectory();
        platform = ShmTestSupport.platform(dir);
        transport = new ShmTransportImpl(platform, ShmTestSupport.FAST, SegmentAccess.OWNER_ONLY);
        registry = new InProcessRegistry();
    }

    @After
    public void tearDown() throws Exception {
        transport.deactivate();
        assertEquals(List.of(), ShmTestSupport.removeDirectory(dir));
    }

    private static void truncate(Path file, long size) throws IOException {
        try (FileChannel fc = FileChannel.open(file, StandardOpenOption.WRITE)) {
            fc.truncate(size);
        }
    }

    /** Ten bytes, rw------- like every segment file. */
    private static void ownerOnlyFile(Path file) throws IOException {
        Files.write(file, new byte[10]);
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }

    private static long producerHeartbeat(Path file) {
        try (FileChannel fc = FileChannel.open(file, StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
            var head = fc.map(FileChannel.MapMode.READ_ONLY, 0, ShmLayout.HEADER_LENGTH, arena);
            return (long) ShmLayout.LONG.getVolatile(head, ShmLayout.PRODUCER_HEARTBEAT_OFFSET);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Whether {@code call} fails with SEGMENT_INVALID (false while it still works or times out). */
    private static boolean segmentInvalid(Supplier<?> call) {
        try {
            call.get();
            return false;
        } catch (ChannelTimeoutException stillWaiting) {
            return false;
        } catch (LabHubException e) {
            if (e.code() == ErrorCode.SEGMENT_INVALID) {
                return true;
            }
            throw e;
        }
    }

    /** The second channel still delivers, and the shared heartbeat thread still beats its producer. */
    private void assertStillWorks(ShmProducer p, ShmConsumer c, Path file) {
        long beat = producerHeartbeat(file);
        assertTrue("the heartbeat thread stopped beating the other channel",
                ShmTestSupport.await(() -> producerHeartbeat(file) >= beat + 5, Duration.ofSeconds(5)));
        long first = -1;
        for (int i = 0; i < 50; i++) {
            long s = p.publish(ShmChild.pattern(i, 64));
            first = first < 0 ? s : first;
            assertEquals(s, c.read(Duration.ofSeconds(5)).sequence());
        }
        assertTrue(c.producerAlive());
        assertEquals(0, c.counters().gaps());
    }

    @Test
    public void aLiveProducersSegmentTruncatedToZeroIsClosedUnregisteredAndRemovedWhileAnotherChannelWorks() throws Exception {
        InProcessRegistry.Context producerA = registry.context(A);
        ShmProducer pA = transport.createProducer(producerA, options);
        ShmProducer pB = transport.createProducer(registry.context(B), options);
        InProcessRegistry.Context consumerA = registry.context(A);
        ShmConsumer cA = transport.openConsumer(consumerA, ConsumerOptions.DEFAULTS);
        ShmConsumer cB = transport.openConsumer(registry.context(B), ConsumerOptions.DEFAULTS);
        try {
            pA.publish(new byte[] {1});
            assertEquals(1, cA.read(Duration.ofSeconds(5)).payload()[0]);
            Path fileA = dir.resolve(registry.info(A).endpoint());
            Path fileB = dir.resolve(registry.info(B).endpoint());

            truncate(fileA, 0);

            assertTrue("the producer never reported the truncation as SEGMENT_INVALID",
                    ShmTestSupport.await(() -> segmentInvalid(() -> pA.publish(new byte[] {2})), Duration.ofSeconds(5)));
            assertFalse(pA.isOpen());
            assertEquals("the producer's channel is unregistered", 1, producerA.closes.get());
            assertTrue("the truncated segment file stays in the directory",
                    ShmTestSupport.await(() -> !Files.exists(fileA), Duration.ofSeconds(5)));
            assertTrue("the consumer never reported the truncation as SEGMENT_INVALID",
                    ShmTestSupport.await(() -> segmentInvalid(() -> cA.poll()), Duration.ofSeconds(5)));
            assertFalse(cA.isOpen());
            assertEquals("the consumer detached", 1, consumerA.detaches.get());
            assertEquals(1, consumerA.closes.get());
            assertEquals(ErrorCode.SEGMENT_INVALID,
                    org.junit.Assert.assertThrows(LabHubException.class, () -> pA.publish(new byte[] {3})).code());

            assertStillWorks(pB, cB, fileB);
        } finally {
            cA.close();
            pA.close();
            cB.close();
            pB.close();
        }
    }

    @Test
    public void aConsumersSegmentTruncatedByItsProducerProcessIsSegmentInvalidAndDetached() throws Exception {
        String segment = SegmentNames.random();
        Path file = dir.resolve(segment);
        try (ShmTestSupport.Child child = new ShmTestSupport.Child("producer", dir.toString(), segment)) {
            child.expect("READY", Duration.ofSeconds(30));
            registry.register(A, segment, Map.of(ShmTransportImpl.META_SLOT_SIZE, "64"));
            InProcessRegistry.Context consumerA = registry.context(A);
            ShmConsumer c = transport.openConsumer(consumerA, ConsumerOptions.DEFAULTS.withWait(WaitStrategy.BLOCKING));
            ShmProducer pB = transport.createProducer(registry.context(B), options);
            ShmConsumer cB = transport.openConsumer(registry.context(B), ConsumerOptions.DEFAULTS);
            try {
                c.read(Duration.ofSeconds(10));

                truncate(file, 100); // a few bytes: not even the header is left

                assertTrue("the consumer never reported the truncation as SEGMENT_INVALID", ShmTestSupport.await(
                        () -> segmentInvalid(() -> c.read(Duration.ofMillis(100))), Duration.ofSeconds(10)));
                assertFalse(c.isOpen());
                assertEquals("the consumer detached", 1, consumerA.detaches.get());
                assertEquals(1, consumerA.closes.get());

                assertStillWorks(pB, cB, dir.resolve(registry.info(B).endpoint()));
            } finally {
                c.close();
                cB.close();
                pB.close();
            }
            child.kill();
        }
        SegmentJanitor.sweep(platform); // whatever the dead producer left
        assertFalse(Files.exists(file));
    }

    @Test
    public void theSweepRemovesFilesThatDoNotValidateOnceNoProcessUsesThem() throws Exception {
        String killed = SegmentNames.random();
        String heldOpen = SegmentNames.random();
        String orphan = SegmentNames.random();
        String live = SegmentNames.random();
        try (RingProducer alive = ShmTestSupport.producer(platform, live, ShmChild.options(io.labhub.api.ShmPolicy.LATEST), null)) {
            try (ShmTestSupport.Child child = new ShmTestSupport.Child("producer", dir.toString(), killed)) {
                child.expect("READY", Duration.ofSeconds(30));
                child.kill();
            }
            truncate(dir.resolve(killed), 0); // a SIGKILLed producer's segment, truncated to nothing
            ownerOnlyFile(dir.resolve(orphan)); // a few bytes, nobody has it open or mapped
            ownerOnlyFile(dir.resolve(heldOpen));
            try (FileChannel held = FileChannel.open(dir.resolve(heldOpen), StandardOpenOption.READ)) {
                assertEquals(2, SegmentJanitor.sweep(platform));
                assertFalse("a dead producer's truncated segment stays", Files.exists(dir.resolve(killed)));
                assertFalse("an unused file that does not validate stays", Files.exists(dir.resolve(orphan)));
                assertTrue("a file a process holds open was removed", Files.exists(dir.resolve(heldOpen)));
                assertTrue("a live producer's segment was removed", Files.exists(dir.resolve(live)));
                assertTrue(held.isOpen());
            }
            assertEquals(1, SegmentJanitor.sweep(platform));
            assertFalse(Files.exists(dir.resolve(heldOpen)));
            assertTrue(Files.exists(dir.resolve(live)));
        }
    }
}
