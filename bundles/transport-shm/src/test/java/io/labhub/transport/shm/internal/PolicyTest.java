package io.labhub.transport.shm.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import io.labhub.api.Message;
import io.labhub.api.ShmFrame;
import io.labhub.api.ShmOptions;
import io.labhub.api.ShmPolicy;
import io.labhub.api.WaitStrategy;
import io.labhub.transport.shm.internal.platform.SegmentNames;
import io.labhub.transport.shm.internal.platform.ShmPlatform;

/** LATEST never waits and counts skips; RELIABLE waits for a consumer, at most the timeout. */
public class PolicyTest {

    private Path dir;
    private ShmPlatform platform;
    private Heartbeat heartbeat;

    @Before
    public void setUp() throws Exception {
        dir = ShmTestSupport.newDirectory();
        platform = ShmTestSupport.platform(dir);
        heartbeat = new Heartbeat(ShmTestSupport.FAST.heartbeatPeriod());
    }

    @After
    public void tearDown() throws Exception {
        heartbeat.close();
        assertEquals(List.of(), ShmTestSupport.removeDirectory(dir));
    }

    private static ShmOptions options(ShmPolicy policy, Duration timeout) {
        return new ShmOptions(64, 4, policy, timeout, WaitStrategy.BLOCKING, false, Map.of());
    }

    @Test
    public void latestProducerOverrunsASlowConsumerWhichCountsTheSkips() {
        String segment = SegmentNames.random();
        try (RingProducer p = ShmTestSupport.producer(platform, segment, options(ShmPolicy.LATEST, Duration.ofSeconds(1)), heartbeat);
             RingConsumer c = ShmTestSupport.consumer(platform, segment, heartbeat)) {
            for (int i = 1; i <= 10; i++) {
                p.publish(ShmChild.pattern(i, 32));
            }
            // ring of 4: frames 7..10 remain; 1..6 are lost
            Message first = c.read(Duration.ofSeconds(5));
            assertEquals(7, first.sequence());
            assertEquals(6, first.skipped());
            assertEquals(8, c.read(Duration.ofSeconds(5)).sequence());
            assertEquals(6, c.counters().gaps());
            assertEquals(10, p.counters().messagesSent());
            assertEquals(0, p.counters().timeouts());
        }
    }

    @Test
    public void reliableProducerWaitsForAReadingConsumerAndLosesNothing() throws Exception {
        String segment = SegmentNames.random();
        int total = 2000;
        try (RingProducer p = ShmTestSupport.producer(platform, segment, options(ShmPolicy.RELIABLE, Duration.ofSeconds(10)), heartbeat);
             RingConsumer c = ShmTestSupport.consumer(platform, segment, heartbeat)) {
            Thread writer = new Thread(() -> {
                for (int i = 1; i <= total; i++) {
                    p.publish(ShmChild.pattern(i, 64));
                }
            });
            writer.start();
            for (long expected = 1; expected <= total; expected++) {
                ShmFrame f = c.next(Duration.ofSeconds(10));
                assertEquals(expected, f.sequence());
                assertEquals(0, f.skipped());
                assertTrue(ShmChild.intact(f.segment(), expected));
                assertTrue(f.release());
            }
            writer.join(10_000);
            assertEquals(0, p.counters().dropped());
            assertEquals(0, c.counters().gaps());
        }
    }

    @Test
    public void reliableProducerBlocksOnAStoppedConsumerForTheTimeoutThenDropsIt() {
        String segment = SegmentNames.random();
        Duration timeout = Duration.ofMillis(400);
        try (RingProducer p = ShmTestSupport.producer(platform, segment, options(ShmPolicy.RELIABLE, timeout), heartbeat);
             RingConsumer c = ShmTestSupport.consumer(platform, segment, heartbeat)) {
            for (int i = 1; i <= 4; i++) {
                p.publish(ShmChild.pattern(i, 8)); // fills the ring: the consumer read nothing
            }
            long start = System.nanoTime();
            p.publish(ShmChild.pattern(5, 8)); // must wait for the consumer, then give up on it
            long waited = System.nanoTime() - start;
            assertTrue("returned after " + waited / 1_000_000 + " ms, before the timeout", waited >= timeout.toNanos());
            assertEquals(1, p.counters().dropped());
            assertEquals(1, p.counters().timeouts());
            for (int i = 6; i <= 12; i++) {
                p.publish(ShmChild.pattern(i, 8)); // the dropped consumer no longer holds it back
            }
            assertEquals(1, p.counters().dropped());
            // the dropped consumer notices, rejoins at the newest frame and counts what it lost
            Message m = c.read(Duration.ofSeconds(5));
            assertTrue("rejoined at " + m.sequence(), m.sequence() >= 12);
            assertTrue(m.skipped() > 0);
            assertEquals(1, c.counters().dropped());
        }
    }
}
