package io.labhub.transport.shm.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import io.labhub.api.ChannelTimeoutException;
import io.labhub.api.ConsumerOptions;
import io.labhub.api.Message;
import io.labhub.api.ShmConsumer;
import io.labhub.api.ShmOptions;
import io.labhub.api.ShmPolicy;
import io.labhub.api.WaitStrategy;
import io.labhub.transport.shm.internal.platform.SegmentAccess;
import io.labhub.transport.shm.internal.platform.SegmentNames;
import io.labhub.transport.shm.internal.platform.ShmPlatform;

/** Real processes, really SIGKILLed. */
public class CrashTest {

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
        assertEquals("segments left in " + dir, List.of(), ShmTestSupport.removeDirectory(dir));
    }

    @Test
    public void producerKilledMidWriteIsNeverReadAsValidIsSeenLostAndARestartIsPickedUp() throws Exception {
        InProcessRegistry registry = new InProcessRegistry();
        ShmTransportImpl transport = new ShmTransportImpl(platform, ShmTestSupport.FAST, SegmentAccess.OWNER_ONLY);
        String first = SegmentNames.random();
        ShmConsumer consumer;
        InProcessRegistry.Context context = registry.context(ShmTestSupport.CHANNEL);
        try (ShmTestSupport.Child child = new ShmTestSupport.Child("producer-crash", dir.toString(), first, "3")) {
            assertEquals("CLAIMED 4", child.expect("CLAIMED", Duration.ofSeconds(30)));
            registry.register(ShmTestSupport.CHANNEL, first, Map.of(ShmTransportImpl.META_SLOT_SIZE, "64"));
            consumer = transport.openConsumer(context,
                    ConsumerOptions.DEFAULTS.withWait(WaitStrategy.BLOCKING));
            assertTrue(consumer.producerAlive());
            child.kill();
        }
        try {
            // the producer is gone: its pid is dead, and it never committed frame 4
            assertTrue("producer still seen alive", ShmTestSupport.await(() -> !consumer.producerAlive(), Duration.ofSeconds(10)));
            assertTrue(consumer.poll().isEmpty());
            try {
                Message m = consumer.read(Duration.ofMillis(200));
                throw new AssertionError("read frame " + m.sequence() + " from a dead producer");
            } catch (ChannelTimeoutException expected) {
                // nothing valid to read
            }
            // a new producer registers the channel again (new segment): the consumer follows it
            String second = SegmentNames.random();
            try (ShmTestSupport.Child restarted = new ShmTestSupport.Child("producer", dir.toString(), second)) {
                restarted.expect("READY", Duration.ofSeconds(30));
                registry.register(ShmTestSupport.CHANNEL, second, Map.of(ShmTransportImpl.META_SLOT_SIZE, "64"));
                Message m = consumer.read(Duration.ofSeconds(20));
                assertTrue(ShmChild.intact(java.lang.foreign.MemorySegment.ofArray(m.payload()), m.sequence()));
                assertEquals(1, consumer.counters().reconnects());
                assertTrue(consumer.producerAlive());
                assertFalse("the dead producer's segment should be gone once we left it",
                        ShmTestSupport.exists(platform, first));
                restarted.kill();
            }
        } finally {
            consumer.close();
            transport.deactivate();
        }
        assertEquals("attached once", 1, context.attaches.get());
        assertEquals("detached on close", 1, context.detaches.get());
        assertEquals(0, registry.attachCount(ShmTestSupport.CHANNEL));
    }

    @Test
    public void aProducerKilledWithoutConsumersIsCleanedUpByTheJanitor() throws Exception {
        org.junit.Assume.assumeTrue("skipped on Windows: a killed producer's named mapping goes with its last handle, "
                + "so there is nothing for the janitor to sweep", ShmTestSupport.lists(platform));
        String segment = SegmentNames.random();
        String live = SegmentNames.random();
        try (RingProducer alive = ShmTestSupport.producer(platform, live, ShmChild.options(ShmPolicy.LATEST), heartbeat);
             ShmTestSupport.Child child = new ShmTestSupport.Child("producer", dir.toString(), segment)) {
            child.expect("READY", Duration.ofSeconds(30));
            child.kill();
            assertTrue(ShmTestSupport.exists(platform, segment));
            assertEquals(1, SegmentJanitor.sweep(platform));
            assertFalse("the dead producer's segment is still there", ShmTestSupport.exists(platform, segment));
            assertTrue("a live producer's segment must stay", ShmTestSupport.exists(platform, live));
        }
    }

    @Test
    public void aStoppedConsumerWhoseHeartbeatStallsIsDroppedBeforeTheTimeout() throws Exception {
        String segment = SegmentNames.random();
        Duration timeout = Duration.ofSeconds(20);
        ShmOptions options = new ShmOptions(64, 4, ShmPolicy.RELIABLE, timeout, WaitStrategy.BLOCKING, false, Map.of());
        try (RingProducer producer = ShmTestSupport.producer(platform, segment, options, heartbeat);
             ShmTestSupport.Child child = new ShmTestSupport.Child("consumer", dir.toString(), segment)) {
            child.expect("JOINED", Duration.ofSeconds(30));
            for (int i = 1; i <= 4; i++) {
                producer.publish(ShmChild.pattern(i, 16));
            }
            // the process lives on but stops beating (SIGSTOP): only the heartbeat can tell
            assertEquals(0, new ProcessBuilder("kill", "-STOP", Long.toString(child.process.pid())).start().waitFor());
            try {
                long start = System.nanoTime();
                producer.publish(ShmChild.pattern(5, 16));
                long held = System.nanoTime() - start;
                assertTrue("held " + held / 1_000_000 + " ms: dropped by the timeout, not by the heartbeat",
                        held < timeout.toNanos() / 2);
                assertEquals(1, producer.counters().dropped());
                assertEquals(0, producer.counters().timeouts());
            } finally {
                child.kill();
            }
        }
    }

    @Test
    public void consumerKilledUnderReliableHoldsTheProducerAtMostTheTimeoutAndIsCountedDropped() throws Exception {
        String segment = SegmentNames.random();
        Duration timeout = Duration.ofSeconds(3);
        ShmOptions options = new ShmOptions(64, 4, ShmPolicy.RELIABLE, timeout, WaitStrategy.BLOCKING, false, Map.of());
        try (RingProducer producer = ShmTestSupport.producer(platform, segment, options, heartbeat);
             ShmTestSupport.Child child = new ShmTestSupport.Child("consumer", dir.toString(), segment)) {
            child.expect("JOINED", Duration.ofSeconds(30));
            for (int i = 1; i <= 4; i++) {
                producer.publish(ShmChild.pattern(i, 16)); // the ring is now full for that consumer
            }
            child.kill();
            long start = System.nanoTime();
            for (int i = 5; i <= 20; i++) {
                producer.publish(ShmChild.pattern(i, 16));
            }
            long held = System.nanoTime() - start;
            assertTrue("held back " + held / 1_000_000 + " ms, more than the timeout", held < timeout.toNanos() + 2_000_000_000L);
            assertEquals(1, producer.counters().dropped());
            assertEquals(20, producer.counters().messagesSent());
        }
    }
}
