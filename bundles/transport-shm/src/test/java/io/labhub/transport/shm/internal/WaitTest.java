package io.labhub.transport.shm.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import io.labhub.api.ChannelClosedException;
import io.labhub.api.ChannelTimeoutException;
import io.labhub.api.ShmFrame;
import io.labhub.api.ShmOptions;
import io.labhub.api.ShmPolicy;
import io.labhub.api.WaitStrategy;
import io.labhub.transport.shm.internal.platform.SegmentNames;
import io.labhub.transport.shm.internal.platform.ShmPlatform;

/** Blocking reads: woken by a commit, ended by their deadline, ended by close. Runs on whichever platform loads. */
public class WaitTest {

    private Path dir;
    private ShmPlatform platform;
    private String segment;
    private RingProducer producer;
    private RingConsumer consumer;

    @Before
    public void setUp() throws Exception {
        dir = ShmTestSupport.newDirectory();
        platform = ShmTestSupport.platform(dir);
        segment = SegmentNames.random();
        producer = ShmTestSupport.producer(platform, segment, new ShmOptions(64, 4, ShmPolicy.LATEST,
                Duration.ofSeconds(1), WaitStrategy.BLOCKING, false, Map.of()), null);
        // one kernel wait may last a minute: only a real wake (or the deadline) can end it in time
        RingSettings longSlices = new RingSettings(ShmTestSupport.FAST.heartbeatPeriod(), ShmTestSupport.FAST.livenessTimeout(),
                64, WaitStrategy.BLOCKING, Duration.ofSeconds(60));
        consumer = RingConsumer.open(platform, ShmTestSupport.CHANNEL, new RingConsumer.Endpoint(segment,
                ShmLayout.Expectation.NONE), WaitStrategy.BLOCKING, longSlices, null, null, null);
    }

    @After
    public void tearDown() throws Exception {
        consumer.close();
        producer.close();
        assertEquals(List.of(), ShmTestSupport.removeDirectory(dir));
    }

    private void awaitSleeper() {
        assertTrue("consumer never announced that it sleeps", ShmTestSupport.await(() -> {
            return ShmTestSupport.anyConsumerWaiting(platform, segment);
        }, Duration.ofSeconds(10)));
    }

    @Test
    public void aBlockedConsumerIsWokenByACommit() throws Exception {
        CompletableFuture<Long> got = CompletableFuture.supplyAsync(() -> {
            ShmFrame f = consumer.next(Duration.ofSeconds(30));
            f.release();
            return f.sequence();
        });
        awaitSleeper();
        producer.publish(new byte[] {42});
        assertEquals(Long.valueOf(1), got.get(20, TimeUnit.SECONDS));
        assertEquals(0, consumer.counters().timeouts());
    }

    @Test
    public void aBlockedWaitEndsAtItsDeadline() {
        long start = System.nanoTime();
        try {
            consumer.next(Duration.ofMillis(300));
            throw new AssertionError("a frame appeared from nowhere");
        } catch (ChannelTimeoutException expected) {
            long waited = System.nanoTime() - start;
            assertTrue("gave up after " + waited / 1_000_000 + " ms", waited >= Duration.ofMillis(300).toNanos());
        }
        assertEquals(1, consumer.counters().timeouts());
    }

    @Test
    public void closeWakesABlockedRead() throws Exception {
        CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
            try {
                consumer.next(Duration.ofSeconds(60));
                return null;
            } catch (RuntimeException e) {
                return e;
            }
        });
        awaitSleeper();
        consumer.close();
        Throwable t = outcome.get(20, TimeUnit.SECONDS);
        assertTrue("expected ChannelClosedException, got " + t, t instanceof ChannelClosedException);
    }
}
