package io.labhub.transport.shm.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.Rule;
import org.junit.Test;

import io.labhub.api.ShmFrame;
import io.labhub.api.ShmOptions;
import io.labhub.api.ShmPolicy;
import io.labhub.api.WaitStrategy;
import io.labhub.transport.shm.internal.platform.SegmentNames;

/**
 * The read and publish fast paths: slot offsets kept without a division (producer) or with a mask
 * (consumer, power-of-two rings) must agree with the layout for every ring size, including rings
 * whose slot count is not a power of two, and a publish whose copy fails must leave nothing behind.
 */
public class RingHotPathTest {

    @Rule
    public final ShmTestSupport.SegmentDirectory shm = new ShmTestSupport.SegmentDirectory();

    private static ShmOptions options(int slots, ShmPolicy policy) {
        return new ShmOptions(64, slots, policy, Duration.ofSeconds(5), WaitStrategy.BLOCKING, false, Map.of());
    }

    private static byte[] payload(long sequence) {
        byte[] b = new byte[16];
        MemorySegment.ofArray(b).set(ValueLayout.JAVA_LONG_UNALIGNED, 0, sequence);
        MemorySegment.ofArray(b).set(ValueLayout.JAVA_LONG_UNALIGNED, 8, ~sequence);
        return b;
    }

    private static void assertFrame(ShmFrame frame, long sequence, long skipped) {
        assertEquals(sequence, frame.sequence());
        assertEquals(skipped, frame.skipped());
        assertEquals(16, frame.segment().byteSize());
        assertEquals(sequence, frame.segment().get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
        assertEquals(~sequence, frame.segment().get(ValueLayout.JAVA_LONG_UNALIGNED, 8));
        assertTrue(frame.release());
    }

    @Test
    public void everyRingSizeWrapsInOrderAndCountsSkips() {
        for (int slots : new int[] {1, 2, 3, 4, 5, 7, 8, 12}) {
            String segment = SegmentNames.random();
            try (RingProducer p = ShmTestSupport.producer(shm.platform(), segment, options(slots, ShmPolicy.LATEST),
                    null);
                 RingConsumer c = ShmTestSupport.consumer(shm.platform(), segment, null)) {
                long s = 0;
                // one at a time, several times round the ring: each frame from its own slot
                for (int i = 0; i < 4 * slots + 3; i++) {
                    assertEquals(++s, p.publish(payload(s)));
                    assertFrame(c.next(Duration.ofSeconds(5)), s, 0);
                }
                // a claim/commit in between uses the same slot as publish would have
                try (var claim = p.claim(16)) {
                    MemorySegment.copy(MemorySegment.ofArray(payload(++s)), 0, claim.segment(), 0, 16);
                    claim.commit(16);
                    assertEquals(s, claim.sequence());
                }
                assertFrame(c.next(Duration.ofSeconds(5)), s, 0);
                // overrun the reader by more than a ring: it skips to the oldest frame still there
                long first = s + 1;
                for (int i = 0; i < 2 * slots + 1; i++) {
                    p.publish(payload(++s));
                }
                long oldest = s - slots + 1;
                assertFrame(c.next(Duration.ofSeconds(5)), oldest, oldest - first);
                for (long q = oldest + 1; q <= s; q++) {
                    assertFrame(c.next(Duration.ofSeconds(5)), q, 0);
                }
                assertTrue("ring of " + slots, c.poll().isEmpty());
                assertEquals(oldest - first, c.counters().gaps());
                assertEquals(s, p.counters().messagesSent());
            }
        }
    }

    @Test
    public void reliableRingOfOddSizeNeverOverwritesAnUnreadFrame() throws Exception {
        String segment = SegmentNames.random();
        try (RingProducer p = ShmTestSupport.producer(shm.platform(), segment, options(3, ShmPolicy.RELIABLE), null);
             RingConsumer c = ShmTestSupport.consumer(shm.platform(), segment, null)) {
            int n = 2_000;
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                for (long s = 1; s <= n; s++) {
                    p.publish(payload(s));
                }
            });
            for (long s = 1; s <= n; s++) {
                assertFrame(c.next(Duration.ofSeconds(10)), s, 0);
            }
            writer.get(30, TimeUnit.SECONDS);
            assertEquals(0, c.counters().gaps());
        }
    }

    @Test
    public void aPublishWhoseCopyFailsPublishesNothingAndFreesTheProducer() throws Exception {
        String segment = SegmentNames.random();
        try (RingProducer p = ShmTestSupport.producer(shm.platform(), segment, options(4, ShmPolicy.LATEST), null);
             RingConsumer c = ShmTestSupport.consumer(shm.platform(), segment, null)) {
            MemorySegment gone;
            try (Arena arena = Arena.ofConfined()) {
                gone = arena.allocate(16);
            }
            assertThrows(IllegalStateException.class, () -> p.publish(gone));
            assertTrue(c.poll().isEmpty());
            // the claim was ended: another thread can publish at once, with the sequence the failed one had
            long s = CompletableFuture.supplyAsync(() -> p.publish(payload(1))).get(10, TimeUnit.SECONDS);
            assertEquals(1, s);
            assertFrame(c.next(Duration.ofSeconds(5)), 1, 0);
        }
    }

    @Test
    public void aSpinningConsumerReportsAWriteSequenceTheSlotsNeverHeldAndLosesNothing() throws Exception {
        String segment = SegmentNames.random();
        ShmLayout.Geometry g = ShmLayout.geometry(64, 4, ShmTestSupport.FAST.consumerCapacity());
        WaitStrategy spinOnly = new WaitStrategy(Duration.ofSeconds(5), Duration.ZERO);
        try (RingProducer p = ShmTestSupport.producer(shm.platform(), segment, options(4, ShmPolicy.LATEST), null);
             RingConsumer c = RingConsumer.open(shm.platform(), ShmTestSupport.CHANNEL,
                     new RingConsumer.Endpoint(segment, ShmLayout.Expectation.NONE), spinOnly, ShmTestSupport.FAST, null, null, null)) {
            try (var fc = java.nio.channels.FileChannel.open(shm.dir().resolve(segment), java.nio.file.StandardOpenOption.READ,
                    java.nio.file.StandardOpenOption.WRITE); Arena arena = Arena.ofConfined()) {
                MemorySegment file = fc.map(java.nio.channels.FileChannel.MapMode.READ_WRITE, 0, g.totalSize(), arena);
                file.set(ValueLayout.JAVA_LONG_UNALIGNED, ShmLayout.WRITE_SEQUENCE_OFFSET, 1L); // frame 1 never written
            }
            // while spinning, the polls of WRITE_SEQUENCE see frame 1 committed; its slot never held it: a corrupt
            // header, reported as such (not a timeout, not a silent skip), and the consumer does not move
            io.labhub.api.LabHubException e = assertThrows(io.labhub.api.LabHubException.class, () -> c.next(Duration.ofMillis(200)));
            assertEquals(io.labhub.api.ErrorCode.SEGMENT_INVALID, e.code());
            assertEquals(1, c.counters().errors());
            p.publish(payload(1)); // the real frame 1 (the commit also writes WRITE_SEQUENCE again)
            p.publish(payload(2));
            assertFrame(c.next(Duration.ofSeconds(5)), 1, 0);
            assertFrame(c.next(Duration.ofSeconds(5)), 2, 0);
            assertEquals(1, c.counters().errors());
        }
    }
}
