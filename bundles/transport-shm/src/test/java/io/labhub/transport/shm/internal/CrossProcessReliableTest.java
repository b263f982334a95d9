package io.labhub.transport.shm.internal;

import static org.junit.Assert.assertEquals;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.Test;

import io.labhub.api.ConsumerOptions;
import io.labhub.api.Message;
import io.labhub.api.ShmConsumer;
import io.labhub.api.WaitStrategy;
import io.labhub.transport.shm.internal.platform.SegmentAccess;
import io.labhub.transport.shm.internal.platform.SegmentNames;

/** A producer JVM and this consumer exchange 100,000 frames of 4 KiB under reliable: every sequence arrives. */
public class CrossProcessReliableTest {

    @Test
    public void hundredThousandFramesOf4KiBAllArriveInOrder() throws Exception {
        int count = 100_000;
        int size = 4096;
        Path dir = ShmTestSupport.newDirectory();
        ShmTransportImpl transport = new ShmTransportImpl(ShmTestSupport.platform(dir), ShmTestSupport.FAST, SegmentAccess.OWNER_ONLY);
        InProcessRegistry registry = new InProcessRegistry();
        String segment = SegmentNames.random();
        try (ShmTestSupport.Child producer = new ShmTestSupport.Child("reliable-producer", dir.toString(), segment,
                Integer.toString(count), Integer.toString(size))) {
            producer.expect("READY", Duration.ofSeconds(30));
            registry.register(ShmTestSupport.CHANNEL, segment, Map.of(ShmTransportImpl.META_SLOT_SIZE, Integer.toString(size)));
            try (ShmConsumer consumer = transport.openConsumer(registry.context(ShmTestSupport.CHANNEL),
                    ConsumerOptions.DEFAULTS.withWait(WaitStrategy.DEFAULT))) {
                producer.process.getOutputStream().write("GO\n".getBytes(StandardCharsets.US_ASCII));
                producer.process.getOutputStream().flush();
                for (long expected = 1; expected <= count; expected++) {
                    Message m = consumer.read(Duration.ofSeconds(20));
                    if (m.sequence() != expected || m.skipped() != 0 || m.payload().length != size) {
                        throw new AssertionError("expected frame " + expected + ", got " + m.sequence() + " skipped "
                                + m.skipped() + " length " + m.payload().length);
                    }
                    MemorySegment p = MemorySegment.ofArray(m.payload());
                    if (p.get(ValueLayout.JAVA_LONG_UNALIGNED, 0) != expected
                            || p.get(ValueLayout.JAVA_LONG_UNALIGNED, size - 8) != ~expected) {
                        throw new AssertionError("frame " + expected + " has foreign content");
                    }
                }
                assertEquals("DONE " + count + " dropped=0", producer.expect("DONE", Duration.ofSeconds(30)));
                assertEquals(count, consumer.counters().messagesReceived());
                assertEquals(0, consumer.counters().gaps());
            }
            producer.process.waitFor();
        } finally {
            transport.deactivate();
        }
        assertEquals(List.of(), ShmTestSupport.removeDirectory(dir));
    }
}
