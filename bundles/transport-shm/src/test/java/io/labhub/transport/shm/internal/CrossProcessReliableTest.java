package io.labhub.transport.shm.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

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
import io.labhub.transport.shm.internal.platform.ShmPlatform;
import io.labhub.transport.shm.internal.platform.SegmentNames;

/**
 * A producer JVM and this consumer exchange 100,000 frames of 4 KiB under reliable: every sequence arrives.
 * A consumer JVM that joins late and is paused with SIGSTOP loses nothing (issue 12, finding 1).
 */
public class CrossProcessReliableTest {

    @Test
    public void aLateConsumerJvmPausedWithSigstopUnderReliableLosesNothingOrBothSidesCountIt() throws Exception {
        Path dir = ShmTestSupport.newDirectory();
        String segment = SegmentNames.random();
        long alone = 20;
        long last = alone + 3000;
        // liveness well above the pause: a 0.5 s stop is a slow consumer, not a dead one
        RingSettings settings = ShmTestSupport.FAST.withLiveness(Duration.ofMillis(20), Duration.ofSeconds(3));
        Heartbeat heartbeat = new Heartbeat(settings.heartbeatPeriod());
        List<String> left;
        io.labhub.api.ShmOptions options = new io.labhub.api.ShmOptions(64, 8, io.labhub.api.ShmPolicy.RELIABLE,
                Duration.ofSeconds(10), WaitStrategy.BLOCKING, false, Map.of());
        try (RingProducer p = RingProducer.create(ShmTestSupport.platform(dir), ShmTestSupport.CHANNEL, segment, options,
                settings, SegmentAccess.OWNER_ONLY, heartbeat, null)) {
            for (long i = 1; i <= alone; i++) {
                p.publish(ShmChild.pattern(i, 64)); // before anyone is attached: more than a ring's worth
            }
            try (ShmTestSupport.Child child = new ShmTestSupport.Child("reading-consumer", dir.toString(), segment,
                    Long.toString(last))) {
                child.expect("JOINED", Duration.ofSeconds(30));
                Thread writer = new Thread(() -> {
                    for (long i = alone + 1; i <= last; i++) {
                        p.publish(ShmChild.pattern(i, 64));
                    }
                }, "writer");
                writer.start();
                child.expect("READING", Duration.ofSeconds(30));
                long pid = child.process.pid();
                assertEquals(0, new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start().waitFor());
                long sentBefore = p.counters().messagesSent();
                Thread.sleep(500); // the pause under test, not a synchronisation
                long sentDuring = p.counters().messagesSent() - sentBefore;
                assertEquals(0, new ProcessBuilder("kill", "-CONT", Long.toString(pid)).start().waitFor());
                String done = child.expect("DONE", Duration.ofSeconds(60));
                writer.join(30_000);
                Map<String, Long> r = fields(done);
                long dropped = p.counters().dropped();
                System.out.println("SIGSTOP 0.5 s under reliable: " + done + "; producer sent=" + p.counters().messagesSent()
                        + " dropped=" + dropped + " timeouts=" + p.counters().timeouts() + " sent during the pause="
                        + sentDuring);
                assertEquals(alone + 1, (long) r.get("first"));
                assertEquals(last, (long) r.get("last"));
                assertEquals(0, (long) r.get("broken"));
                assertEquals("every frame after the join is received or counted skipped", last - alone,
                        r.get("received") + r.get("skipped"));
                if (dropped == 0) {
                    assertEquals("the producer counted no drop, so the consumer must have lost nothing", 0, (long) r.get("skipped"));
                    assertEquals(0, (long) r.get("gaps"));
                    assertEquals(0, p.counters().timeouts());
                } else {
                    assertTrue("the producer dropped the consumer: it must know", r.get("dropped") > 0);
                    assertEquals(r.get("skipped"), r.get("gaps"));
                }
                child.process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
            }
        } finally {
            heartbeat.close();
            left = ShmTestSupport.removeDirectory(dir); // also when an assertion failed (which then propagates)
        }
        assertEquals(List.of(), left);
    }

    @Test
    public void aReliableProducerJvmKilledMidStreamLeavesEveryCommittedFrameReadable() throws Exception {
        Path dir = ShmTestSupport.newDirectory();
        String segment = SegmentNames.random();
        int size = 64;
        Heartbeat heartbeat = new Heartbeat(ShmTestSupport.FAST.heartbeatPeriod());
        List<String> left;
        try (ShmTestSupport.Child producer = new ShmTestSupport.Child("reliable-producer", dir.toString(), segment,
                Integer.toString(Integer.MAX_VALUE), Integer.toString(size))) {
            producer.expect("READY", Duration.ofSeconds(30));
            ShmPlatform consumerPlatform = ShmTestSupport.platform(dir);
            try (RingConsumer consumer = ShmTestSupport.consumer(consumerPlatform, segment, heartbeat)) {
                producer.process.getOutputStream().write("GO\n".getBytes(StandardCharsets.US_ASCII));
                producer.process.getOutputStream().flush();
                long expected = 1;
                for (; expected <= 2000; expected++) {
                    assertFrame(consumer.read(Duration.ofSeconds(20)), expected, size);
                }
                producer.kill(); // SIGKILL in the middle of the stream
                while (true) {
                    Message m;
                    try {
                        m = consumer.read(Duration.ofMillis(500));
                    } catch (io.labhub.api.ChannelTimeoutException nothingMore) {
                        break;
                    }
                    assertFrame(m, expected++, size);
                }
                long committed = ShmTestSupport.lastCommitted(consumerPlatform, segment);
                System.out.println("reliable producer SIGKILLed after >= 2000 frames: " + committed + " committed, "
                        + consumer.counters().messagesReceived() + " read, gaps " + consumer.counters().gaps());
                assertEquals("every committed frame was read", committed, expected - 1);
                assertEquals(0, consumer.counters().gaps());
                assertTrue("the consumer must see the producer gone",
                        ShmTestSupport.await(() -> !consumer.producerAlive(), Duration.ofSeconds(10)));
            }
        } finally {
            heartbeat.close();
            left = ShmTestSupport.removeDirectory(dir);
        }
        assertEquals("the last one out (the consumer) removes the dead producer's segment", List.of(), left);
    }

    private static void assertFrame(Message m, long expected, int size) {
        MemorySegment p = MemorySegment.ofArray(m.payload());
        if (m.sequence() != expected || m.skipped() != 0 || m.payload().length != size
                || p.get(ValueLayout.JAVA_LONG_UNALIGNED, 0) != expected || p.get(ValueLayout.JAVA_LONG_UNALIGNED, size - 8) != ~expected) {
            throw new AssertionError("expected frame " + expected + " intact, got " + m.sequence() + " skipped " + m.skipped());
        }
    }

    private static Map<String, Long> fields(String line) {
        Map<String, Long> out = new java.util.HashMap<>();
        for (String part : line.split(" ")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                out.put(part.substring(0, eq), Long.parseLong(part.substring(eq + 1)));
            }
        }
        return out;
    }

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
