package io.labhub.transport.shm.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import io.labhub.api.ChannelName;
import io.labhub.api.ErrorCode;
import io.labhub.api.FrameSnapshot;
import io.labhub.api.LabHubException;
import io.labhub.api.MessageTooLargeException;
import io.labhub.api.ShmOptions;
import io.labhub.api.ShmPolicy;
import io.labhub.api.ShmProducer;
import io.labhub.api.WaitStrategy;
import io.labhub.transport.shm.internal.platform.SegmentAccess;

/**
 * {@code ShmTransport.latest}: the newest committed frame copied as an observer (a preview), never joined,
 * never a copy the producer overwrote meanwhile.
 */
public class LatestFrameTest {

    private Path dir;
    private ShmTransportImpl transport;
    private InProcessRegistry registry;
    /** 8 slots and a short reliable timeout: a producer that waited for the observer would time out (counted). */
    private final ShmOptions reliable = ShmOptions.defaults().withSlots(256, 8).withPolicy(ShmPolicy.RELIABLE)
            .withReliableTimeout(Duration.ofMillis(200)).withWait(WaitStrategy.BLOCKING);

    @Before
    public void setUp() throws Exception {
        dir = ShmTestSupport.newDirectory();
        transport = new ShmTransportImpl(ShmTestSupport.platform(dir), ShmTestSupport.FAST, SegmentAccess.OWNER_ONLY);
        registry = new InProcessRegistry();
    }

    @After
    public void tearDown() throws Exception {
        transport.deactivate();
        assertEquals(List.of(), ShmTestSupport.removeDirectory(dir));
    }

    @Test
    public void theNewestFrameIsCopiedWithoutJoiningAndAReliableProducerNeverWaitsForIt() throws Exception {
        try (ShmProducer p = transport.createProducer(registry.context(ShmTestSupport.CHANNEL), reliable)) {
            assertEquals("nothing committed yet", Optional.empty(), transport.latest(ShmTestSupport.CHANNEL, 1024));
            for (int i = 1; i <= 100; i++) {
                byte[] frame = pattern(i, 17 + i);
                p.publish(frame);
                FrameSnapshot seen = transport.latest(ShmTestSupport.CHANNEL, 1024).orElseThrow();
                assertEquals(i, seen.sequence());
                assertArrayEquals("frame " + i, frame, seen.payload());
                assertTrue(seen.timestampNanos() > 0);
            }
            assertEquals("12 laps of an 8-slot reliable ring with an observer: no wait timed out", 0, p.counters().timeouts());
            assertEquals("observing is not attaching", 0, registry.attachCount(ShmTestSupport.CHANNEL));
            assertEquals("no entry of the consumer table was used", 0, table(segmentFile()).get(ValueLayout.JAVA_INT, ShmLayout.TABLE_HIGH_WATER));
            assertEquals(Optional.empty(), transport.latest(new ChannelName("test.absent"), 1024));
        }
        assertEquals("the producer closed, its segment is gone", Optional.empty(), transport.latest(ShmTestSupport.CHANNEL, 1024));
    }

    @Test
    public void aFrameLongerThanTheCallerAcceptsIsATypedError() throws Exception {
        try (ShmProducer p = transport.createProducer(registry.context(ShmTestSupport.CHANNEL), reliable)) {
            p.publish(pattern(1, 200));
            MessageTooLargeException e = assertThrows(MessageTooLargeException.class,
                    () -> transport.latest(ShmTestSupport.CHANNEL, 199));
            assertTrue(e.getMessage(), e.getMessage().contains("200 bytes"));
            assertEquals(200, transport.latest(ShmTestSupport.CHANNEL, 200).orElseThrow().payload().length);
        }
    }

    /** The producer's half-written slot (SEQUENCE = -s) as it looks mid-write: never handed out. */
    @Test
    public void aSlotBeingRewrittenIsNeverReturnedAndTheNextCommitIsReadAgain() throws Exception {
        try (ShmProducer p = transport.createProducer(registry.context(ShmTestSupport.CHANNEL), reliable)) {
            for (int i = 1; i <= 5; i++) {
                p.publish(pattern(i, 64));
            }
            try (Slot slot = Slot.of(segmentFile(), 5)) {
                slot.segment.set(ValueLayout.JAVA_LONG, ShmLayout.SLOT_SEQUENCE, -13L); // frame 13 being written there
                assertEquals(Optional.empty(), transport.latest(ShmTestSupport.CHANNEL, 1024));
                slot.segment.set(ValueLayout.JAVA_LONG, ShmLayout.SLOT_SEQUENCE, 5L);
            }
            assertEquals(5, transport.latest(ShmTestSupport.CHANNEL, 1024).orElseThrow().sequence());
            p.publish(pattern(6, 64));
            assertArrayEquals(pattern(6, 64), transport.latest(ShmTestSupport.CHANNEL, 1024).orElseThrow().payload());
        }
    }

    @Test
    public void aSlotWhoseLengthBreaksTheLayoutIsSegmentInvalid() throws Exception {
        try (ShmProducer p = transport.createProducer(registry.context(ShmTestSupport.CHANNEL), reliable)) {
            p.publish(pattern(1, 64));
            try (Slot slot = Slot.of(segmentFile(), 1)) {
                slot.segment.set(ValueLayout.JAVA_INT, ShmLayout.SLOT_LENGTH, 1 << 30);
            }
            LabHubException e = assertThrows(LabHubException.class, () -> transport.latest(ShmTestSupport.CHANNEL, 1 << 30));
            assertEquals(ErrorCode.SEGMENT_INVALID, e.code());
            p.publish(pattern(2, 64));
            assertEquals("the next frame reads again", 2, transport.latest(ShmTestSupport.CHANNEL, 1024).orElseThrow().sequence());
        }
    }

    /**
     * A producer that laps a 2-slot ring as fast as it can while the observer copies 64 KiB frames whose every
     * byte is the frame's sequence: a copy the producer overwrote half-way would mix two values. None may.
     */
    @Test
    public void aCopyOverwrittenMidReadIsNeverReturned() throws Exception {
        int size = 64 * 1024;
        ShmOptions lapping = ShmOptions.defaults().withSlots(size, 2).withPolicy(ShmPolicy.LATEST);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (ShmProducer p = transport.createProducer(registry.context(ShmTestSupport.CHANNEL), lapping)) {
            Thread writer = new Thread(() -> {
                byte[] frame = new byte[size];
                try {
                    for (long s = 1; !stop.get(); s++) {
                        java.util.Arrays.fill(frame, (byte) s);
                        p.publish(frame);
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "lapping-producer");
            writer.start();
            int copies = 0;
            int empties = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            try {
                while (copies < 300 && System.nanoTime() < deadline) {
                    Optional<FrameSnapshot> seen = transport.latest(ShmTestSupport.CHANNEL, size);
                    if (seen.isEmpty()) {
                        empties++;
                        continue;
                    }
                    byte want = (byte) seen.get().sequence();
                    byte[] payload = seen.get().payload();
                    for (int i = 0; i < payload.length; i++) {
                        if (payload[i] != want) {
                            throw new AssertionError("frame " + seen.get().sequence() + " copied torn: byte " + i + " is "
                                    + payload[i] + ", not " + want + " (" + copies + " good copies before)");
                        }
                    }
                    copies++;
                }
            } finally {
                stop.set(true);
                writer.join(10_000);
            }
            assertEquals(null, failure.get());
            assertFalse("the writer stopped", writer.isAlive());
            assertTrue("some copies came through within 20 s (" + copies + " copies, " + empties + " empty answers)", copies > 0);
        }
    }

    private static byte[] pattern(int sequence, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (sequence * 31 + i);
        }
        return b;
    }

    private Path segmentFile() {
        return dir.resolve(registry.info(ShmTestSupport.CHANNEL).endpoint());
    }

    private static MemorySegment table(Path file) throws Exception {
        try (FileChannel fc = FileChannel.open(file, StandardOpenOption.READ)) {
            return fc.map(FileChannel.MapMode.READ_ONLY, ShmLayout.TABLE_OFFSET, 64, Arena.ofAuto());
        }
    }

    /** Frame {@code sequence}'s slot, mapped read-write as a hostile or half-done writer would see it. */
    private record Slot(Arena arena, MemorySegment segment) implements AutoCloseable {
        static Slot of(Path file, long sequence) throws Exception {
            Arena arena = Arena.ofShared();
            try (FileChannel fc = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                MemorySegment head = fc.map(FileChannel.MapMode.READ_ONLY, 0, ShmLayout.HEADER_LENGTH, arena);
                long slotsOffset = head.get(ValueLayout.JAVA_INT, ShmLayout.SLOTS_OFFSET_OFFSET);
                int count = head.get(ValueLayout.JAVA_INT, ShmLayout.SLOT_COUNT_OFFSET);
                int stride = head.get(ValueLayout.JAVA_INT, ShmLayout.SLOT_STRIDE_OFFSET);
                long offset = slotsOffset + ((sequence - 1) % count) * stride;
                return new Slot(arena, fc.map(FileChannel.MapMode.READ_WRITE, offset, stride, arena));
            }
        }

        @Override
        public void close() {
            arena.close();
        }
    }
}
