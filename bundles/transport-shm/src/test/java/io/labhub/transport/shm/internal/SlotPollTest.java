package io.labhub.transport.shm.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.Rule;
import org.junit.Test;

import io.labhub.api.ChannelTimeoutException;
import io.labhub.api.ShmClaim;
import io.labhub.api.ShmFrame;
import io.labhub.api.ShmOptions;
import io.labhub.api.ShmPolicy;
import io.labhub.api.WaitStrategy;
import io.labhub.transport.shm.internal.platform.SegmentNames;

/**
 * A reader waiting at the producer's heels polls the next frame's slot, not the header (SlotReader#pollSlot,
 * docs/shm-layout.md "Read protocol"): every value that slot can hold must lead to the right frame. "Not yet"
 * (never written, the previous lap, frame being written or an aborted claim) keeps it waiting without an
 * error; a newer lap sends it to the general path, which skips and counts; a value no producer writes neither
 * stalls it nor loses the frame that then comes.
 */
public class SlotPollTest {

    /** Spins for as long as any wait here lasts: every wait is the slot poll, then one look at the deadline. */
    private static final WaitStrategy SPIN = new WaitStrategy(Duration.ofSeconds(30), Duration.ZERO);

    @Rule
    public final ShmTestSupport.SegmentDirectory shm = new ShmTestSupport.SegmentDirectory();

    private static ShmOptions options(int slots) {
        return new ShmOptions(64, slots, ShmPolicy.LATEST, Duration.ofSeconds(5), SPIN, false, Map.of());
    }

    private RingConsumer spinningConsumer(String segment) {
        return RingConsumer.open(shm.platform(), ShmTestSupport.CHANNEL, new RingConsumer.Endpoint(segment,
                ShmLayout.Expectation.NONE), SPIN, ShmTestSupport.FAST, null, null, null);
    }

    private static byte[] payload(long n) {
        byte[] b = new byte[16];
        MemorySegment.ofArray(b).set(ValueLayout.JAVA_LONG_UNALIGNED, 0, n);
        MemorySegment.ofArray(b).set(ValueLayout.JAVA_LONG_UNALIGNED, 8, ~n);
        return b;
    }

    private static long check(ShmFrame frame) {
        long n = frame.segment().get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
        assertEquals("payload of frame " + frame.sequence(), ~n, frame.segment().get(ValueLayout.JAVA_LONG_UNALIGNED, 8));
        assertTrue(frame.release());
        return n;
    }

    @Test
    public void repliesOverManyLapsOfASmallRingArriveInOrderWithNothingSkipped() throws Exception {
        String ping = SegmentNames.random();
        String pong = SegmentNames.random();
        int exchanges = 2000; // 500 laps of each 4-slot ring: every wait sees the previous lap's frame first
        try (RingProducer pingOut = ShmTestSupport.producer(shm.platform(), ping, options(4), null);
             RingProducer pongOut = ShmTestSupport.producer(shm.platform(), pong, options(4), null);
             RingConsumer pingIn = spinningConsumer(ping);
             RingConsumer pongIn = spinningConsumer(pong)) {
            CompletableFuture<Long> echo = CompletableFuture.supplyAsync(() -> {
                long echoed = 0;
                for (int i = 0; i < exchanges; i++) {
                    ShmFrame f = pingIn.next(Duration.ofSeconds(10));
                    pongOut.publish(payload(check(f)));
                    echoed++;
                }
                return echoed;
            });
            for (long n = 1; n <= exchanges; n++) {
                pingOut.publish(payload(n));
                ShmFrame reply = pongIn.next(Duration.ofSeconds(10));
                assertEquals(n, reply.sequence());
                assertEquals(0, reply.skipped());
                assertEquals(n, check(reply));
            }
            assertEquals(exchanges, (long) echo.get(30, TimeUnit.SECONDS));
            for (RingConsumer c : List.of(pingIn, pongIn)) {
                assertEquals(exchanges, c.counters().messagesReceived());
                assertEquals(0, c.counters().gaps());
                assertEquals(0, c.counters().errors());
            }
        }
    }

    @Test
    public void aReaderTheProducerLappedBeforeItLookedSkipsToTheOldestFrameAndCountsTheGap() {
        String segment = SegmentNames.random();
        try (RingProducer p = ShmTestSupport.producer(shm.platform(), segment, options(4), null);
             RingConsumer c = spinningConsumer(segment)) {
            for (long n = 1; n <= 6; n++) {
                p.publish(payload(n)); // frame 1's slot now holds frame 5: a newer lap, not "not yet"
            }
            ShmFrame f = c.next(Duration.ofSeconds(10));
            assertEquals(3, f.sequence());
            assertEquals(2, f.skipped());
            assertEquals(3, check(f));
            assertEquals(2, c.counters().gaps());
            assertEquals(0, c.counters().errors());
        }
    }

    @Test
    public void anAbortedClaimIsNotYetAFrameAndTheNextCommitIsRead() {
        String segment = SegmentNames.random();
        try (RingProducer p = ShmTestSupport.producer(shm.platform(), segment, options(4), null);
             RingConsumer c = spinningConsumer(segment)) {
            ShmClaim claim = p.claim(16);
            claim.segment().fill((byte) 7);
            claim.abort(); // slot 0 keeps -1: "frame 1 being written"
            assertThrows(ChannelTimeoutException.class, () -> c.next(Duration.ofMillis(100)));
            assertEquals(0, c.counters().errors());
            p.publish(payload(41));
            ShmFrame f = c.next(Duration.ofSeconds(10));
            assertEquals(1, f.sequence());
            assertEquals(41, check(f));
            assertEquals(0, c.counters().gaps());
        }
    }

    @Test
    public void aSlotValueNoProducerWritesNeitherStallsTheReaderNorLosesTheFrameThatComes() throws Exception {
        String segment = SegmentNames.random();
        try (RingProducer p = ShmTestSupport.producer(shm.platform(), segment, options(4), null);
             RingConsumer c = spinningConsumer(segment);
             ShmTestSupport.Mapped raw = ShmTestSupport.map(shm.platform(), segment, true)) {
            long slot0 = raw.geometry().slotsOffset();
            raw.segment.set(ValueLayout.JAVA_LONG_UNALIGNED, slot0 + ShmLayout.SLOT_SEQUENCE, 999L);
            // the slot poll hands 999 to the general path, which sees WRITE_SEQUENCE 0: nothing yet, no error
            assertThrows(ChannelTimeoutException.class, () -> c.next(Duration.ofMillis(100)));
            assertEquals(0, c.counters().errors());
            CompletableFuture<ShmFrame> waiting = CompletableFuture.supplyAsync(() -> c.next(Duration.ofSeconds(10)));
            p.publish(payload(5)); // frame 1 overwrites the hostile value
            ShmFrame f = waiting.get(20, TimeUnit.SECONDS);
            assertEquals(1, f.sequence());
            assertEquals(5, check(f));
            assertEquals(0, c.counters().gaps());
        }
    }
}
