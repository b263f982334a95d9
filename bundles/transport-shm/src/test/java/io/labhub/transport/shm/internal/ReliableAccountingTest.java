package io.labhub.transport.shm.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import io.labhub.api.Message;
import io.labhub.api.ShmOptions;
import io.labhub.api.ShmPolicy;
import io.labhub.api.WaitStrategy;
import io.labhub.transport.shm.internal.platform.SegmentNames;
import io.labhub.transport.shm.internal.platform.ShmPlatform;

/**
 * Issue 12, finding 1: under {@code reliable} every frame is either delivered to every live consumer or
 * counted as a drop/timeout on both sides, whenever the consumer joined: late joiners (the producer had
 * committed more than a ring's worth alone), joiners while the ring is full, a consumer that leaves and
 * comes back, many consumers.
 */
public class ReliableAccountingTest {

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

    private static ShmOptions reliable(int slots, Duration timeout) {
        return new ShmOptions(64, slots, ShmPolicy.RELIABLE, timeout, WaitStrategy.BLOCKING, false, Map.of());
    }

    private static void publish(RingProducer p, long from, long to) {
        for (long i = from; i <= to; i++) {
            assertEquals(i, p.publish(ShmChild.pattern(i, 64)));
        }
    }

    /** Reads until frame {@code last}; every frame must be {@code from..last} in order, intact, none skipped. */
    private static CompletableFuture<Long> readAll(RingConsumer c, long from, long last, long workNanos) {
        return CompletableFuture.supplyAsync(() -> {
            for (long expected = from; expected <= last; expected++) {
                Message m = c.read(Duration.ofSeconds(20));
                if (m.sequence() != expected || m.skipped() != 0
                        || !ShmChild.intact(java.lang.foreign.MemorySegment.ofArray(m.payload()), expected)) {
                    throw new AssertionError("expected frame " + expected + " intact, got " + m.sequence() + " after skipping "
                            + m.skipped());
                }
                if (workNanos > 0) {
                    LockSupport.parkNanos(workNanos); // a slow consumer: work per frame, not synchronisation
                }
            }
            return c.counters().gaps();
        }, task -> new Thread(task, "reader").start()); // one thread each: the common pool may have a single worker
    }

    @Test
    public void aLateJoinerThatDoesNotReadHoldsTheProducerAndItsLossIsCountedOnBothSides() {
        String segment = SegmentNames.random();
        try (RingProducer p = ShmTestSupport.producer(platform, segment, reliable(8, Duration.ofMillis(300)), heartbeat)) {
            publish(p, 1, 20); // alone: nobody to wait for
            try (RingConsumer c = ShmTestSupport.consumer(platform, segment, heartbeat)) {
                publish(p, 21, 50); // the consumer reads nothing: the producer must wait for it, then give up on it
                assertEquals(50, p.counters().messagesSent());
                assertEquals("the producer must wait for the late joiner and time out", 1, p.counters().timeouts());
                assertEquals("the producer must count the consumer it gave up on", 1, p.counters().dropped());
                long received = 0;
                long skipped = 0;
                long last = 0;
                while (last < 50) {
                    Message m = c.read(Duration.ofSeconds(5));
                    assertTrue(ShmChild.intact(java.lang.foreign.MemorySegment.ofArray(m.payload()), m.sequence()));
                    received++;
                    skipped += m.skipped();
                    last = m.sequence();
                }
                assertEquals("frames 21..50: each received or counted skipped", 30, received + skipped);
                assertEquals(skipped, c.counters().gaps());
                assertEquals("the consumer knows it was dropped", 1, c.counters().dropped());
            }
        }
    }

    @Test
    public void aLateJoinerThatReadsSlowlyGetsEveryFrame() throws Exception {
        String segment = SegmentNames.random();
        try (RingProducer p = ShmTestSupport.producer(platform, segment, reliable(8, Duration.ofSeconds(10)), heartbeat)) {
            publish(p, 1, 20);
            try (RingConsumer c = ShmTestSupport.consumer(platform, segment, heartbeat)) {
                CompletableFuture<Long> reader = readAll(c, 21, 220, 200_000);
                publish(p, 21, 220);
                assertEquals(Long.valueOf(0), reader.get(60, TimeUnit.SECONDS));
                assertEquals(0, p.counters().dropped());
                assertEquals(0, p.counters().timeouts());
            }
        }
    }

    @Test
    public void aJoinerWhileTheRingIsFullGetsEveryFrameAfterItsJoin() throws Exception {
        String segment = SegmentNames.random();
        try (RingProducer p = ShmTestSupport.producer(platform, segment, reliable(8, Duration.ofSeconds(10)), heartbeat);
             RingConsumer a = ShmTestSupport.consumer(platform, segment, heartbeat)) {
            publish(p, 1, 8); // full for a, which has read nothing
            Thread writer = new Thread(() -> publish(p, 9, 400), "writer");
            writer.start();
            assertTrue("the writer never blocked on the full ring", ShmTestSupport.await(
                    () -> writer.getState() == Thread.State.TIMED_WAITING, Duration.ofSeconds(10)));
            try (RingConsumer b = ShmTestSupport.consumer(platform, segment, heartbeat)) {
                assertEquals("the ring was full when b joined", 8, p.counters().messagesSent());
                CompletableFuture<Long> ra = readAll(a, 1, 400, 0);
                CompletableFuture<Long> rb = readAll(b, 9, 400, 0);
                assertEquals(Long.valueOf(0), ra.get(60, TimeUnit.SECONDS));
                assertEquals(Long.valueOf(0), rb.get(60, TimeUnit.SECONDS));
                writer.join(10_000);
                assertEquals(400, p.counters().messagesSent());
                assertEquals(0, p.counters().dropped());
            }
        }
    }

    @Test
    public void aConsumerThatLeavesAndComesBackLosesNothingAfterItsReturn() throws Exception {
        String segment = SegmentNames.random();
        try (RingProducer p = ShmTestSupport.producer(platform, segment, reliable(8, Duration.ofSeconds(10)), heartbeat)) {
            try (RingConsumer first = ShmTestSupport.consumer(platform, segment, heartbeat)) {
                CompletableFuture<Long> r = readAll(first, 1, 4, 0);
                publish(p, 1, 4);
                assertEquals(Long.valueOf(0), r.get(30, TimeUnit.SECONDS));
            }
            publish(p, 5, 30); // nobody attached: more than a ring's worth
            try (RingConsumer again = ShmTestSupport.consumer(platform, segment, heartbeat)) {
                CompletableFuture<Long> r = readAll(again, 31, 130, 200_000);
                publish(p, 31, 130);
                assertEquals(Long.valueOf(0), r.get(60, TimeUnit.SECONDS));
                assertEquals(0, p.counters().dropped());
                assertEquals(0, p.counters().timeouts());
            }
        }
    }

    @Test
    public void eightConsumersEachReceiveEverySequence() throws Exception {
        String segment = SegmentNames.random();
        try (RingProducer p = ShmTestSupport.producer(platform, segment, reliable(8, Duration.ofSeconds(10)), heartbeat)) {
            publish(p, 1, 20);
            List<RingConsumer> consumers = new ArrayList<>();
            List<CompletableFuture<Long>> readers = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    consumers.add(ShmTestSupport.consumer(platform, segment, heartbeat));
                }
                for (RingConsumer c : consumers) {
                    readers.add(readAll(c, 21, 2020, 0));
                }
                publish(p, 21, 2020);
                for (CompletableFuture<Long> r : readers) {
                    assertEquals(Long.valueOf(0), r.get(60, TimeUnit.SECONDS));
                }
                assertEquals(0, p.counters().dropped());
                assertEquals(0, p.counters().timeouts());
            } finally {
                consumers.forEach(RingConsumer::close);
            }
        }
    }
}
