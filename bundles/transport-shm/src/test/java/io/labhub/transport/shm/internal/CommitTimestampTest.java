package io.labhub.transport.shm.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.Map;

import org.junit.Rule;
import org.junit.Test;

import io.labhub.api.ShmFrame;
import io.labhub.api.ShmOptions;
import io.labhub.api.ShmPolicy;
import io.labhub.api.WaitStrategy;
import io.labhub.transport.shm.internal.platform.SegmentNames;

/**
 * A frame's TIMESTAMP: the commit's clock by default, 0 from a producer without commit timestamps (over more than
 * one lap of the ring).
 */
public class CommitTimestampTest {

    @Rule
    public final ShmTestSupport.SegmentDirectory shm = new ShmTestSupport.SegmentDirectory();

    private static ShmOptions options() {
        return new ShmOptions(64, 4, ShmPolicy.LATEST, Duration.ofSeconds(1), WaitStrategy.BLOCKING, false, Map.of());
    }

    @Test
    public void aDefaultProducerStampsEveryFrameWithTheCommitsClock() {
        String segment = SegmentNames.random();
        try (RingProducer p = ShmTestSupport.producer(shm.platform(), segment, options(), null);
             RingConsumer c = ShmTestSupport.consumer(shm.platform(), segment, null)) {
            long before = System.currentTimeMillis() * 1_000_000L;
            p.publish(new byte[8]);
            long after = System.currentTimeMillis() * 1_000_000L + 1_000_000L;
            try (ShmFrame f = c.next(Duration.ofSeconds(5))) {
                assertTrue("stamped between " + before + " and " + after + ": " + f.timestampNanos(),
                        f.timestampNanos() >= before - 2_000_000L && f.timestampNanos() <= after + 2_000_000L);
            }
        }
    }

    @Test
    public void withoutCommitTimestampsEveryFrameSaysZero() {
        String segment = SegmentNames.random();
        try (RingProducer p = ShmTestSupport.producer(shm.platform(), segment, options().withCommitTimestamps(false), null);
             RingConsumer c = ShmTestSupport.consumer(shm.platform(), segment, null)) {
            for (int i = 0; i < 10; i++) {
                p.publish(new byte[] {(byte) i});
                try (ShmFrame f = c.next(Duration.ofSeconds(5))) {
                    assertEquals("frame " + i, 0L, f.timestampNanos());
                    assertEquals(i, f.segment().get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
                }
            }
        }
    }
}
