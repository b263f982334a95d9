package io.labhub.transport.shm.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import io.labhub.api.ShmFrame;
import io.labhub.api.ShmOptions;
import io.labhub.api.ShmPolicy;
import io.labhub.api.WaitStrategy;
import io.labhub.transport.shm.internal.platform.SegmentNames;
import io.labhub.transport.shm.internal.platform.ShmPlatform;

/**
 * Many blocked consumers, one commit: the producer wakes one of them and the woken ones wake the rest (the
 * forwarding tree of layout 3). Every kernel wait may last a minute, so only the tree can deliver the frame
 * to all of them in time. Runs on whichever platform loads (futex in transport-shm-linux).
 */
public class MultiWakeTest {

    private static final int CONSUMERS = 12;

    private Path dir;
    private ShmPlatform platform;
    private String segment;
    private RingProducer producer;
    private final List<RingConsumer> consumers = new ArrayList<>();
    private ExecutorService threads;

    @Before
    public void setUp() throws Exception {
        dir = ShmTestSupport.newDirectory();
        platform = ShmTestSupport.platform(dir);
        segment = SegmentNames.random();
        producer = ShmTestSupport.producer(platform, segment, new ShmOptions(64, 16, ShmPolicy.LATEST,
                Duration.ofSeconds(1), WaitStrategy.BLOCKING, false, Map.of()), null);
        RingSettings longSlices = new RingSettings(ShmTestSupport.FAST.heartbeatPeriod(), ShmTestSupport.FAST.livenessTimeout(),
                64, WaitStrategy.BLOCKING, Duration.ofSeconds(60));
        for (int i = 0; i < CONSUMERS; i++) {
            consumers.add(RingConsumer.open(platform, ShmTestSupport.CHANNEL, new RingConsumer.Endpoint(segment,
                    ShmLayout.Expectation.NONE), WaitStrategy.BLOCKING, longSlices, null, null, null));
        }
        threads = Executors.newFixedThreadPool(CONSUMERS);
    }

    @After
    public void tearDown() throws Exception {
        for (RingConsumer c : consumers) {
            c.close();
        }
        producer.close();
        threads.shutdownNow();
        assertEquals(List.of(), ShmTestSupport.removeDirectory(dir));
    }

    private int sleepers() {
        return ShmTestSupport.consumersWaiting(platform, segment);
    }

    @Test
    public void oneCommitReachesEveryBlockedConsumerThroughTheForwarders() throws Exception {
        for (int round = 1; round <= 3; round++) {
            List<CompletableFuture<Long>> got = new ArrayList<>();
            for (RingConsumer c : consumers) {
                got.add(CompletableFuture.supplyAsync(() -> {
                    ShmFrame f = c.next(Duration.ofSeconds(30));
                    f.release();
                    return f.sequence();
                }, threads));
            }
            assertTrue("not every consumer went to sleep", ShmTestSupport.await(() -> sleepers() == CONSUMERS,
                    Duration.ofSeconds(10)));
            producer.publish(new byte[] {(byte) round});
            for (CompletableFuture<Long> g : got) {
                assertEquals(Long.valueOf(round), g.get(20, TimeUnit.SECONDS));
            }
        }
    }
}
