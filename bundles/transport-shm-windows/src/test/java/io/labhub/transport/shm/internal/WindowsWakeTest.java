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

import org.junit.Assume;
import org.junit.Test;

import io.labhub.api.ShmFrame;
import io.labhub.api.ShmOptions;
import io.labhub.api.ShmPolicy;
import io.labhub.api.WaitStrategy;
import io.labhub.transport.shm.internal.platform.SegmentNames;
import io.labhub.transport.shm.internal.platform.ShmPlatform;

/**
 * Windows only (skips elsewhere with a message): two consumers blocked on their own auto-reset events are
 * both woken by every commit well within the block slice. With layout 2's one manual-reset event per channel,
 * one waiter's ResetEvent could swallow the other's wake, which then slept out its slice (100 ms).
 */
public class WindowsWakeTest {

    private static final Duration SLICE = Duration.ofMillis(100);

    @Test
    public void twoBlockedConsumersAreWokenWellWithinTheBlockSlice() throws Exception {
        Assume.assumeTrue("skipped: the named-event wake runs only on Windows (os.name is "
                + System.getProperty("os.name") + ")", System.getProperty("os.name", "").startsWith("Windows"));
        Path dir = ShmTestSupport.newDirectory();
        ShmPlatform platform = ShmTestSupport.platform(dir);
        String segment = SegmentNames.random();
        RingSettings settings = new RingSettings(ShmTestSupport.FAST.heartbeatPeriod(), ShmTestSupport.FAST.livenessTimeout(),
                64, WaitStrategy.BLOCKING, SLICE);
        long worst = 0;
        try (RingProducer producer = ShmTestSupport.producer(platform, segment, new ShmOptions(64, 16, ShmPolicy.LATEST,
                Duration.ofSeconds(1), WaitStrategy.BLOCKING, false, Map.of()), null)) {
            List<RingConsumer> consumers = List.of(open(platform, segment, settings), open(platform, segment, settings));
            try {
                for (int round = 1; round <= 50; round++) {
                    List<CompletableFuture<Long>> got = new ArrayList<>();
                    for (RingConsumer c : consumers) {
                        got.add(CompletableFuture.supplyAsync(() -> {
                            ShmFrame f = c.next(Duration.ofSeconds(10));
                            f.release();
                            return System.nanoTime();
                        }));
                    }
                    assertTrue("both consumers sleep", ShmTestSupport.await(
                            () -> ShmTestSupport.consumersWaiting(platform, segment) == 2, Duration.ofSeconds(5)));
                    long committed = System.nanoTime();
                    producer.publish(new byte[] {(byte) round});
                    for (CompletableFuture<Long> g : got) {
                        worst = Math.max(worst, g.get(10, TimeUnit.SECONDS) - committed);
                    }
                }
            } finally {
                for (RingConsumer c : consumers) {
                    c.close();
                }
            }
        }
        assertTrue("worst wake latency " + worst / 1000 + " us is not well under the " + SLICE.toMillis() + " ms slice",
                worst < SLICE.toNanos() / 2);
        assertEquals(List.of(), ShmTestSupport.removeDirectory(dir));
    }

    private static RingConsumer open(ShmPlatform platform, String segment, RingSettings settings) {
        return RingConsumer.open(platform, ShmTestSupport.CHANNEL, new RingConsumer.Endpoint(segment,
                ShmLayout.Expectation.NONE), WaitStrategy.BLOCKING, settings, null, null, null);
    }
}
