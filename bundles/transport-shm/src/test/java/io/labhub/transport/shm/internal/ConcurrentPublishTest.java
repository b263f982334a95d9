package io.labhub.transport.shm.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.Rule;
import org.junit.Test;

import io.labhub.api.ShmFrame;
import io.labhub.api.ShmOptions;
import io.labhub.api.ShmPolicy;
import io.labhub.api.WaitStrategy;
import io.labhub.transport.shm.internal.platform.SegmentNames;

/**
 * Several threads publishing into one producer (the API allows it): each publish holds the producer's
 * {@link RingLock}, and a {@code reliable} ring of 16 slots makes them wait for the consumer inside it, so the lock
 * is contended all the time (spin, yield, park and unpark). Every frame must arrive whole and in one sequence:
 * consecutive numbers, none lost, each thread's own frames in its order.
 */
public class ConcurrentPublishTest {

    private static final WaitStrategy SPIN_THEN_BLOCK = new WaitStrategy(Duration.ofNanos(50_000), Duration.ofNanos(50_000));

    @Rule
    public final ShmTestSupport.SegmentDirectory shm = new ShmTestSupport.SegmentDirectory();

    @Test
    public void fourThreadsPublishingIntoOneReliableProducerLoseAndTearNoFrame() throws Exception {
        int threads = 4;
        int each = 20_000;
        String segment = SegmentNames.random();
        ShmOptions options = new ShmOptions(64, 16, ShmPolicy.RELIABLE, Duration.ofSeconds(30), SPIN_THEN_BLOCK, false,
                Map.of());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (RingProducer p = ShmTestSupport.producer(shm.platform(), segment, options, null);
             RingConsumer c = RingConsumer.open(shm.platform(), ShmTestSupport.CHANNEL, new RingConsumer.Endpoint(segment,
                     ShmLayout.Expectation.NONE), SPIN_THEN_BLOCK, ShmTestSupport.FAST, null, null, null)) {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long id = t;
                done.add(pool.submit(() -> {
                    byte[] b = new byte[24];
                    MemorySegment m = MemorySegment.ofArray(b);
                    start.await();
                    for (long i = 0; i < each; i++) {
                        m.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, id);
                        m.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, i);
                        m.set(ValueLayout.JAVA_LONG_UNALIGNED, 16, ~(id * 1_000_003L + i)); // torn frame check
                        p.publish(b);
                    }
                    return null;
                }));
            }
            start.countDown();
            long[] nextOf = new long[threads];
            for (long n = 1; n <= (long) threads * each; n++) {
                ShmFrame f = c.next(Duration.ofSeconds(30));
                MemorySegment s = f.segment();
                assertEquals("frame length", 24, s.byteSize());
                long id = s.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
                long i = s.get(ValueLayout.JAVA_LONG_UNALIGNED, 8);
                assertEquals("frame " + n + " whole", ~(id * 1_000_003L + i), s.get(ValueLayout.JAVA_LONG_UNALIGNED, 16));
                assertEquals("one sequence", n, f.sequence());
                assertEquals("nothing skipped", 0, f.skipped());
                assertEquals("thread " + id + "'s frames in its order", nextOf[(int) id], i);
                nextOf[(int) id] = i + 1;
                assertTrue(f.release());
            }
            for (Future<?> d : done) {
                d.get(60, TimeUnit.SECONDS);
            }
            for (int t = 0; t < threads; t++) {
                assertEquals("all of thread " + t + "'s frames", each, nextOf[t]);
            }
            assertEquals((long) threads * each, p.counters().messagesSent());
            assertEquals(0, c.counters().gaps());
            assertEquals(0, c.counters().errors());
        } finally {
            pool.shutdownNow();
        }
    }
}
