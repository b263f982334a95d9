package io.labhub.transport.shm.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.Rule;
import org.junit.Test;

import io.labhub.api.ErrorCode;
import io.labhub.api.LabHubException;
import io.labhub.api.ShmFrame;
import io.labhub.api.ShmOptions;
import io.labhub.api.ShmPolicy;
import io.labhub.api.WaitStrategy;
import io.labhub.transport.shm.internal.platform.SegmentNames;

/** CRC32C catches corrupted payloads; the seqlock catches reads that raced a rewrite. */
public class FrameIntegrityTest {

    @Rule
    public final ShmTestSupport.SegmentDirectory shm = new ShmTestSupport.SegmentDirectory();

    @Test
    public void corruptedPayloadFailsItsCrc32cWithATypedError() throws Exception {
        String segment = SegmentNames.random();
        ShmOptions options = new ShmOptions(64, 4, ShmPolicy.LATEST, Duration.ofSeconds(1), WaitStrategy.BLOCKING, true, Map.of());
        try (RingProducer p = ShmTestSupport.producer(shm.platform(), segment, options, null);
             RingConsumer c = ShmTestSupport.consumer(shm.platform(), segment, null)) {
            p.publish(ShmChild.pattern(1, 40));
            p.publish(ShmChild.pattern(2, 40));
            ShmLayout.Geometry g = ShmLayout.geometry(64, 4, ShmTestSupport.FAST.consumerCapacity());
            try (ShmTestSupport.Mapped m = ShmTestSupport.map(shm.platform(), segment, true)) {
                MemorySegment file = m.segment;
                long payload = g.slotOffset(1) + ShmLayout.SLOT_HEADER_LENGTH;
                file.set(ValueLayout.JAVA_BYTE, payload + 20, (byte) ~file.get(ValueLayout.JAVA_BYTE, payload + 20));
            }
            LabHubException e = assertThrows(LabHubException.class, () -> c.read(Duration.ofSeconds(5)));
            assertEquals(ErrorCode.SEGMENT_INVALID, e.code());
            assertTrue(e.getMessage(), e.getMessage().contains("CRC32C"));
            assertEquals(1, c.counters().errors());
            // the consumer moves past the bad frame
            assertEquals(2, c.read(Duration.ofSeconds(5)).sequence());
        }
    }

    @Test
    public void aReaderRacingTheWriterNeverGetsAValidReleaseForTornData() throws Exception {
        String segment = SegmentNames.random();
        int size = 4096;
        ShmOptions options = new ShmOptions(size, 2, ShmPolicy.LATEST, Duration.ofSeconds(1), WaitStrategy.BLOCKING, false, Map.of());
        AtomicBoolean stop = new AtomicBoolean();
        try (RingProducer p = ShmTestSupport.producer(shm.platform(), segment, options, null);
             RingConsumer c = ShmTestSupport.consumer(shm.platform(), segment, null)) {
            Thread writer = new Thread(() -> {
                for (long s = 1; !stop.get(); s++) {
                    // written in place, byte by byte: a long window for a reader to race
                    try (var claim = p.claim(size)) {
                        MemorySegment slot = claim.segment();
                        slot.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, s);
                        for (int i = 8; i < size; i++) {
                            slot.set(ValueLayout.JAVA_BYTE, i, (byte) (s * 31 + i));
                        }
                        claim.commit(size);
                    }
                }
            }, "racing-writer");
            AtomicLong valid = new AtomicLong();
            AtomicLong torn = new AtomicLong();
            writer.start();
            try {
                long end = System.nanoTime() + Duration.ofMillis(1500).toNanos();
                while (System.nanoTime() - end < 0) {
                    Optional<ShmFrame> next = c.poll();
                    if (next.isEmpty()) {
                        Thread.onSpinWait();
                        continue;
                    }
                    ShmFrame f = next.get();
                    boolean intact = ShmChild.intact(f.segment(), f.sequence()); // reads every byte, zero copy
                    if (f.release()) {
                        assertTrue("frame " + f.sequence() + " released as valid but its bytes are inconsistent", intact);
                        valid.incrementAndGet();
                    } else {
                        torn.incrementAndGet();
                    }
                }
            } finally {
                stop.set(true);
                writer.join(10_000);
            }
            assertTrue("no frame was read at all", valid.get() > 0);
            org.slf4j.LoggerFactory.getLogger(getClass()).info("racing reads: {} valid, {} detected as torn", valid, torn);
            assertTrue("every invalid release is counted as an overrun",
                    ShmTestSupport.tableOverrunsAtLeast(shm.platform(), segment, torn.get()));
        }
    }
}
