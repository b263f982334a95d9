package io.labhub.transport.shm.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import io.labhub.api.ChannelNotFoundException;
import io.labhub.api.ErrorCode;
import io.labhub.api.LabHubException;
import io.labhub.api.ShmOptions;
import io.labhub.api.ShmPolicy;
import io.labhub.api.WaitStrategy;
import io.labhub.transport.shm.internal.ShmLayout.Expectation;
import io.labhub.transport.shm.internal.platform.SegmentNames;
import io.labhub.transport.shm.internal.platform.ShmPlatform;

/** Every kind of bad segment gives a SEGMENT_INVALID error naming the problem; nothing leaks. */
public class SegmentValidationTest {

    private Path dir;
    private ShmPlatform platform;
    private long descriptorsBefore;
    private RingProducer producer;
    private byte[] good;

    @Before
    public void setUp() throws Exception {
        dir = ShmTestSupport.newDirectory();
        platform = ShmTestSupport.platform(dir);
        String segment = SegmentNames.random();
        producer = ShmTestSupport.producer(platform, segment, new ShmOptions(64, 4, ShmPolicy.LATEST,
                Duration.ofSeconds(1), WaitStrategy.BLOCKING, false, Map.of()), null);
        producer.publish(new byte[] {1, 2, 3});
        good = Files.readAllBytes(dir.resolve(segment));
        descriptorsBefore = ShmTestSupport.openDescriptors();
    }

    @After
    public void tearDown() throws Exception {
        assertEquals("file descriptors leaked", descriptorsBefore, ShmTestSupport.openDescriptors());
        producer.close();
        ShmTestSupport.removeDirectory(dir);
    }

    private String write(byte[] content) throws Exception {
        String name = SegmentNames.random();
        Files.write(dir.resolve(name), content);
        return name;
    }

    private String variant(Consumer<MemorySegment> change) throws Exception {
        byte[] copy = good.clone();
        change.accept(MemorySegment.ofArray(copy));
        return write(copy);
    }

    private LabHubException refused(String name, Expectation expected) {
        LabHubException e = assertThrows(LabHubException.class, () -> RingConsumer.open(platform,
                ShmTestSupport.CHANNEL, new RingConsumer.Endpoint(name, expected), WaitStrategy.BLOCKING,
                ShmTestSupport.FAST, null, null, null));
        assertEquals(e.getMessage(), ErrorCode.SEGMENT_INVALID, e.code());
        return e;
    }

    private void assertRefused(String name, String why) {
        LabHubException e = refused(name, Expectation.NONE);
        assertTrue("message '" + e.getMessage() + "' does not say " + why, e.getMessage().contains(why));
    }

    @Test
    public void theGoodCopyOpens() throws Exception {
        String name = write(good);
        try (RingConsumer c = RingConsumer.open(platform, ShmTestSupport.CHANNEL, new RingConsumer.Endpoint(name,
                new Expectation(64, 4, ShmLayout.LAYOUT_VERSION)), WaitStrategy.BLOCKING, ShmTestSupport.FAST, null, null, null)) {
            assertEquals(name, c.segmentName());
        }
    }

    @Test
    public void truncatedHeader() throws Exception {
        assertRefused(write(new byte[100]), "truncated");
        assertRefused(write(new byte[0]), "truncated");
    }

    @Test
    public void truncatedSlots() throws Exception {
        assertRefused(write(java.util.Arrays.copyOf(good, good.length / 2 + 8)), "truncated");
    }

    @Test
    public void foreignFileOfRandomBytes() throws Exception {
        byte[] random = new byte[good.length];
        new Random(42).nextBytes(random);
        assertRefused(write(random), "foreign");
    }

    @Test
    public void wrongLayoutVersion() throws Exception {
        assertRefused(variant(s -> s.set(ValueLayout.JAVA_INT_UNALIGNED, ShmLayout.LAYOUT_VERSION_OFFSET, 99)), "layout version 99");
    }

    @Test
    public void magicNotYetPublished() throws Exception {
        assertRefused(variant(s -> s.set(ValueLayout.JAVA_LONG_UNALIGNED, ShmLayout.MAGIC_OFFSET, 0L)), "magic not published");
    }

    @Test
    public void slotSizeTheConsumerDidNotExpect() throws Exception {
        LabHubException e = refused(write(good), new Expectation(128, 4, ShmLayout.LAYOUT_VERSION));
        assertTrue(e.getMessage(), e.getMessage().contains("slot size 64, but 128"));
        e = refused(write(good), new Expectation(64, 8, ShmLayout.LAYOUT_VERSION));
        assertTrue(e.getMessage(), e.getMessage().contains("slot count 4, but 8"));
    }

    @Test
    public void hostileSizesInTheHeader() throws Exception {
        assertRefused(variant(s -> s.set(ValueLayout.JAVA_INT_UNALIGNED, ShmLayout.SLOT_COUNT_OFFSET, -1)), "impossible sizes");
        assertRefused(variant(s -> s.set(ValueLayout.JAVA_INT_UNALIGNED, ShmLayout.SLOT_SIZE_OFFSET, Integer.MAX_VALUE)), "impossible sizes");
        assertRefused(variant(s -> s.set(ValueLayout.JAVA_INT_UNALIGNED, ShmLayout.SLOT_COUNT_OFFSET, 1 << 19)), "truncated");
        assertRefused(variant(s -> s.set(ValueLayout.JAVA_INT_UNALIGNED, ShmLayout.SLOT_STRIDE_OFFSET, 8)), "stride");
    }

    @Test
    public void aSlotLengthBeyondTheSlotIsAnErrorNotAnOutOfBoundsRead() throws Exception {
        ShmLayout.Geometry g = ShmLayout.geometry(64, 4, ShmTestSupport.FAST.consumerCapacity());
        String name = write(good);
        try (RingConsumer c = RingConsumer.open(platform, ShmTestSupport.CHANNEL, new RingConsumer.Endpoint(name,
                Expectation.NONE), WaitStrategy.BLOCKING, ShmTestSupport.FAST, null, null, null)) {
            // the consumer joined at frame 1; make frame 2 with an absurd length appear
            try (var fc = java.nio.channels.FileChannel.open(dir.resolve(name), java.nio.file.StandardOpenOption.READ,
                    java.nio.file.StandardOpenOption.WRITE); var arena = java.lang.foreign.Arena.ofConfined()) {
                MemorySegment file = fc.map(java.nio.channels.FileChannel.MapMode.READ_WRITE, 0, g.totalSize(), arena);
                long slot = g.slotOffset(2);
                file.set(ValueLayout.JAVA_INT_UNALIGNED, slot + ShmLayout.SLOT_LENGTH, 1 << 30);
                file.set(ValueLayout.JAVA_LONG_UNALIGNED, slot + ShmLayout.SLOT_SEQUENCE, 2L);
                file.set(ValueLayout.JAVA_LONG_UNALIGNED, ShmLayout.WRITE_SEQUENCE_OFFSET, 2L);
            }
            LabHubException e = assertThrows(LabHubException.class, () -> c.read(Duration.ofSeconds(2)));
            assertEquals(ErrorCode.SEGMENT_INVALID, e.code());
            assertTrue(e.getMessage(), e.getMessage().contains("impossible length"));
        }
    }

    @Test
    public void aWriteSequenceAheadOfTheSlotsDoesNotHangTheConsumer() throws Exception {
        String name = producer.segmentName();
        ShmLayout.Geometry g = ShmLayout.geometry(64, 4, ShmTestSupport.FAST.consumerCapacity());
        try (RingConsumer c = ShmTestSupport.consumer(platform, name, null)) {
            try (var fc = java.nio.channels.FileChannel.open(dir.resolve(name), java.nio.file.StandardOpenOption.READ,
                    java.nio.file.StandardOpenOption.WRITE); var arena = java.lang.foreign.Arena.ofConfined()) {
                MemorySegment file = fc.map(java.nio.channels.FileChannel.MapMode.READ_WRITE, 0, g.totalSize(), arena);
                file.set(ValueLayout.JAVA_LONG_UNALIGNED, ShmLayout.WRITE_SEQUENCE_OFFSET, 2L); // frame 2 was never written
            }
            // a typed error instead of a stall or a silent skip; the consumer stays where it was
            assertEquals(ErrorCode.SEGMENT_INVALID, assertThrows(LabHubException.class, c::poll).code());
            assertEquals(1, c.counters().errors());
            producer.publish(new byte[] {2}); // the real frame 2
            producer.publish(new byte[] {3});
            assertEquals(2, c.read(Duration.ofSeconds(5)).sequence());
            assertEquals(3, c.read(Duration.ofSeconds(5)).sequence());
            assertEquals(0, c.counters().gaps());
        }
    }

    @Test
    public void missingSegmentAndBadNames() {
        assertThrows(ChannelNotFoundException.class, () -> RingConsumer.open(platform, ShmTestSupport.CHANNEL,
                new RingConsumer.Endpoint(SegmentNames.random(), Expectation.NONE), WaitStrategy.BLOCKING,
                ShmTestSupport.FAST, null, null, null));
        assertRefused("../../etc/passwd", "not a LabHub segment name");
        assertRefused("labhub-XYZ", "not a LabHub segment name");
    }
}
