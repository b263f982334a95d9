package io.labhub.transport.shm.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import io.labhub.api.ChannelCounters;
import io.labhub.api.ChannelName;
import io.labhub.api.ConsumerOptions;
import io.labhub.api.ShmConsumer;
import io.labhub.api.ShmOptions;
import io.labhub.api.ShmPolicy;
import io.labhub.api.ShmProducer;
import io.labhub.api.WaitStrategy;
import io.labhub.transport.shm.internal.platform.SegmentAccess;

/** {@code ShmTransport.observe}: a producer's counters read from its segment header without taking part. */
public class ObserveTest {

    private Path dir;
    private ShmTransportImpl transport;
    private InProcessRegistry registry;
    /** 8 slots and a short reliable timeout: a producer that waited for the observer would time out (counted). */
    private final ShmOptions reliable = ShmOptions.defaults().withSlots(64, 8).withPolicy(ShmPolicy.RELIABLE)
            .withReliableTimeout(Duration.ofMillis(200)).withWait(WaitStrategy.BLOCKING);

    @Before
    public void setUp() throws Exception {
        dir = ShmTestSupport.newDirectory();
        transport = new ShmTransportImpl(ShmTestSupport.platform(dir), ShmTestSupport.FAST, SegmentAccess.OWNER_ONLY);
        registry = new InProcessRegistry();
    }

    @After
    public void tearDown() throws Exception {
        transport.deactivate();
        assertEquals(List.of(), ShmTestSupport.removeDirectory(dir));
    }

    @Test
    public void aReliableProducerNeverWaitsForAnObserverAndItsCountersAreRead() throws Exception {
        try (ShmProducer p = transport.createProducer(registry.context(ShmTestSupport.CHANNEL), reliable)) {
            assertEquals(Optional.of(0L), transport.observe(ShmTestSupport.CHANNEL).map(ChannelCounters::messagesSent));
            for (int i = 0; i < 100; i++) {
                p.publish(new byte[10]);
                ChannelCounters seen = transport.observe(ShmTestSupport.CHANNEL).orElseThrow();
                assertEquals(i + 1, seen.messagesSent());
            }
            ChannelCounters seen = transport.observe(ShmTestSupport.CHANNEL).orElseThrow();
            assertEquals(100, seen.messagesSent());
            assertEquals(1000, seen.bytesSent());
            assertEquals("12 laps of an 8-slot ring with an observer: no reliable wait timed out", 0, seen.timeouts());
            assertEquals(0, p.counters().timeouts());
            assertEquals("nobody to drop", 0, seen.dropped());
            assertEquals("observing is not attaching", 0, registry.attachCount(ShmTestSupport.CHANNEL));
            assertEquals("no entry of the consumer table was used", 0, highWater(segmentFile()));
        }
        assertEquals(Optional.empty(), transport.observe(ShmTestSupport.CHANNEL));
    }

    @Test
    public void anotherTransportOnTheHostFindsTheSegmentByTheNameInItsHeader() throws Exception {
        ShmTransportImpl other = new ShmTransportImpl(ShmTestSupport.platform(dir), ShmTestSupport.FAST, SegmentAccess.OWNER_ONLY);
        try (ShmProducer p = transport.createProducer(registry.context(ShmTestSupport.CHANNEL), reliable)) {
            try (ShmProducer unrelated = transport.createProducer(registry.context(new ChannelName("test.other")), reliable)) {
                unrelated.publish(new byte[3]);
                ShmConsumer c = transport.openConsumer(registry.context(ShmTestSupport.CHANNEL), ConsumerOptions.DEFAULTS);
                for (int i = 0; i < 20; i++) {
                    p.publish(new byte[5]);
                    c.read(Duration.ofSeconds(5));
                }
                c.close();
                ChannelCounters seen = other.observe(ShmTestSupport.CHANNEL).orElseThrow();
                assertEquals(20, seen.messagesSent());
                assertEquals(100, seen.bytesSent());
                assertEquals(1, other.observe(new ChannelName("test.other")).orElseThrow().messagesSent());
                assertFalse(other.observe(new ChannelName("test.absent")).isPresent());
                assertEquals("the observer's scan left the attach count alone", 0, registry.attachCount(ShmTestSupport.CHANNEL));
            }
        } finally {
            other.deactivate();
        }
        assertTrue("the producer closed, its segment is gone", other.observe(ShmTestSupport.CHANNEL).isEmpty());
    }

    private Path segmentFile() {
        return dir.resolve(registry.info(ShmTestSupport.CHANNEL).endpoint());
    }

    private static int highWater(Path file) throws Exception {
        try (FileChannel fc = FileChannel.open(file, StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
            var table = fc.map(FileChannel.MapMode.READ_ONLY, ShmLayout.TABLE_OFFSET, 64, arena);
            return table.get(ValueLayout.JAVA_INT, ShmLayout.TABLE_HIGH_WATER);
        }
    }
}
