package io.labhub.transport.shm.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import io.labhub.api.ChannelClosedException;
import io.labhub.api.ErrorCode;
import io.labhub.api.LabHubException;
import io.labhub.api.Message;
import io.labhub.api.ShmFrame;
import io.labhub.api.ShmOptions;
import io.labhub.api.ShmPolicy;
import io.labhub.api.WaitStrategy;
import io.labhub.transport.shm.internal.platform.SegmentNames;
import io.labhub.transport.shm.internal.platform.ShmPlatform;

/**
 * Issue 12, finding 2: a process of the same user can write the consumer table (and, with its own mapping,
 * the header). Garbage in a shared word or in another consumer's entry must not make a consumer sleep
 * through commits, and an impossible WRITE_SEQUENCE is a typed SEGMENT_INVALID, not a silent stall.
 * The "hostile process" here is a read-write mapping of the segment file made by the test itself.
 */
public class HostileTableTest {

    /** The word at table offset 0: layout 1's shared WAITERS count, which decided wake-ups. */
    private static final long OLD_WAITERS = ShmLayout.TABLE_OFFSET;

    private Path dir;
    private ShmPlatform platform;
    private String segment;
    private RingProducer producer;
    private Arena arena;
    private MemorySegment hostile;
    private ShmLayout.Geometry g;

    @Before
    public void setUp() throws Exception {
        dir = ShmTestSupport.newDirectory();
        platform = ShmTestSupport.platform(dir);
        segment = SegmentNames.random();
        producer = ShmTestSupport.producer(platform, segment, new ShmOptions(64, 8, ShmPolicy.LATEST,
                Duration.ofSeconds(1), WaitStrategy.BLOCKING, false, Map.of()), null);
        g = ShmLayout.geometry(64, 8, ShmTestSupport.FAST.consumerCapacity());
        arena = Arena.ofShared();
        try (FileChannel fc = FileChannel.open(dir.resolve(segment), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            hostile = fc.map(FileChannel.MapMode.READ_WRITE, 0, g.totalSize(), arena);
        }
    }

    @After
    public void tearDown() throws Exception {
        arena.close();
        producer.close();
        assertEquals(List.of(), ShmTestSupport.removeDirectory(dir));
    }

    private RingConsumer consumer(Duration blockSlice) {
        RingSettings settings = new RingSettings(ShmTestSupport.FAST.heartbeatPeriod(), ShmTestSupport.FAST.livenessTimeout(),
                ShmTestSupport.FAST.consumerCapacity(), WaitStrategy.BLOCKING, blockSlice);
        return RingConsumer.open(platform, ShmTestSupport.CHANNEL, new RingConsumer.Endpoint(segment, ShmLayout.Expectation.NONE),
                WaitStrategy.BLOCKING, settings, null, null, null);
    }

    private int waitingFlag(int entry) {
        return (int) ShmLayout.INT.getVolatile(hostile, g.entryOffset(entry) + ShmLayout.ENTRY_WAITING);
    }

    @Test
    public void garbageInSharedWordsOrAnotherEntryNeverKeepsASleepingConsumerFromItsFrames() throws Exception {
        // one kernel wait may last a minute: only a real wake can deliver a frame within the 5 s deadline
        try (RingConsumer sleeper = consumer(Duration.ofSeconds(60));
             RingConsumer other = consumer(Duration.ofSeconds(60))) {
            AtomicLong delivered = new AtomicLong();
            Thread reader = new Thread(() -> {
                try {
                    while (true) {
                        ShmFrame f = sleeper.next(Duration.ofSeconds(60));
                        f.release();
                        delivered.incrementAndGet();
                    }
                } catch (ChannelClosedException closed) {
                    // end of test
                }
            }, "sleeper");
            reader.start();
            Map<String, IntConsumer> poisons = new LinkedHashMap<>();
            poisons.put("old WAITERS = -1", n -> ShmLayout.INT.setVolatile(hostile, OLD_WAITERS, -1));
            poisons.put("old WAITERS one too low", n -> ShmLayout.INT.getAndAdd(hostile, OLD_WAITERS, -1));
            poisons.put("old WAITERS = MIN_VALUE", n -> ShmLayout.INT.setVolatile(hostile, OLD_WAITERS, Integer.MIN_VALUE));
            poisons.put("old WAITERS = 0", n -> ShmLayout.INT.setVolatile(hostile, OLD_WAITERS, 0));
            poisons.put("other entry's flag = garbage", n -> ShmLayout.INT.setVolatile(hostile,
                    g.entryOffset(1) + ShmLayout.ENTRY_WAITING, 0xDEADBEEF));
            poisons.put("other entry's flag = 0", n -> ShmLayout.INT.setVolatile(hostile,
                    g.entryOffset(1) + ShmLayout.ENTRY_WAITING, 0));
            poisons.put("HIGH_WATER = 0", n -> ShmLayout.INT.setVolatile(hostile,
                    ShmLayout.TABLE_OFFSET + ShmLayout.TABLE_HIGH_WATER, 0));
            poisons.put("HIGH_WATER = -1", n -> ShmLayout.INT.setVolatile(hostile,
                    ShmLayout.TABLE_OFFSET + ShmLayout.TABLE_HIGH_WATER, -1));
            long sent = 0;
            int rounds = 3;
            for (Map.Entry<String, IntConsumer> poison : poisons.entrySet()) {
                for (int round = 0; round < rounds; round++) {
                    assertTrue("the consumer never went to sleep (" + poison.getKey() + ")",
                            ShmTestSupport.await(() -> waitingFlag(0) != 0, Duration.ofSeconds(10)));
                    poison.getValue().accept(round);
                    producer.publish(new byte[] {(byte) sent});
                    long expected = ++sent;
                    assertTrue("after " + poison.getKey() + ": " + delivered.get() + " of " + expected
                            + " frames delivered within 5 s", ShmTestSupport.await(() -> delivered.get() == expected,
                            Duration.ofSeconds(5)));
                }
            }
            assertEquals(poisons.size() * rounds, delivered.get());
            assertEquals(0, sleeper.counters().timeouts());
            sleeper.close();
            reader.join(10_000);
        }
    }

    @Test
    public void anImpossibleWriteSequenceIsSegmentInvalidAndTheConsumerRecoversWithTheNextCommit() {
        try (RingConsumer c = consumer(Duration.ofMillis(50))) {
            for (int i = 1; i <= 5; i++) {
                producer.publish(ShmChild.pattern(i, 16));
            }
            for (int i = 1; i <= 5; i++) {
                assertEquals(i, c.read(Duration.ofSeconds(5)).sequence());
            }
            long writeSequence = ShmLayout.WRITE_SEQUENCE_OFFSET;
            ShmLayout.LONG.setVolatile(hostile, writeSequence, 1_000_000L);
            assertEquals(ErrorCode.SEGMENT_INVALID, assertThrows(LabHubException.class, c::poll).code());
            assertEquals(ErrorCode.SEGMENT_INVALID, assertThrows(LabHubException.class, c::latest).code());
            LabHubException e = assertThrows(LabHubException.class, () -> c.next(Duration.ofMillis(300)));
            assertEquals("a jump beyond the slots is not a timeout: " + e, ErrorCode.SEGMENT_INVALID, e.code());
            producer.publish(ShmChild.pattern(6, 16)); // the producer's next commit writes the true value again
            Message m = c.read(Duration.ofSeconds(5));
            assertEquals(6, m.sequence());
            assertEquals(0, m.skipped());

            ShmLayout.LONG.setVolatile(hostile, writeSequence, 7L); // off by one: frame 7 is not committed
            assertEquals(ErrorCode.SEGMENT_INVALID, assertThrows(LabHubException.class, c::poll).code());
            producer.publish(ShmChild.pattern(7, 16));
            m = c.read(Duration.ofSeconds(5));
            assertEquals(7, m.sequence());
            assertEquals(0, m.skipped());
            assertTrue(ShmChild.intact(MemorySegment.ofArray(m.payload()), 7));
            assertEquals(0, c.counters().gaps());
            assertTrue(c.counters().errors() >= 4);
            assertEquals(ValueLayout.JAVA_LONG.byteSize(), 8);
        }
    }
}
