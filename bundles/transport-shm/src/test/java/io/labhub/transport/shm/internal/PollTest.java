package io.labhub.transport.shm.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import io.labhub.api.FrameHandler;
import io.labhub.api.InvalidInputException;
import io.labhub.api.PollResult;
import io.labhub.api.ShmOptions;
import io.labhub.api.ShmPolicy;
import io.labhub.api.WaitStrategy;
import io.labhub.transport.shm.internal.platform.SegmentNames;
import io.labhub.transport.shm.internal.platform.ShmPlatform;

/** {@code ShmConsumer.poll(FrameHandler, int)}: batches, result codes instead of exceptions, reliable accounting. */
public class PollTest {

    private Path dir;
    private ShmPlatform platform;
    private RingProducer producer;
    private RingConsumer consumer;
    private final List<Long> seen = new ArrayList<>();
    private final FrameHandler record = f -> seen.add(f.segment().get(ValueLayout.JAVA_LONG_UNALIGNED, 0));

    @Before
    public void setUp() throws Exception {
        dir = ShmTestSupport.newDirectory();
        platform = ShmTestSupport.platform(dir);
    }

    private void open(ShmPolicy policy) {
        String segment = SegmentNames.random();
        producer = ShmTestSupport.producer(platform, segment, new ShmOptions(64, 8, policy,
                Duration.ofMillis(300), WaitStrategy.BLOCKING, false, Map.of()), null);
        consumer = ShmTestSupport.consumer(platform, segment, null);
    }

    @After
    public void tearDown() throws Exception {
        if (consumer != null) {
            consumer.close();
        }
        if (producer != null) {
            producer.close();
        }
        assertEquals("segment files left behind", List.of(), ShmTestSupport.removeDirectory(dir));
    }

    private void publish(long from, long to) {
        for (long v = from; v <= to; v++) {
            byte[] payload = new byte[8];
            java.nio.ByteBuffer.wrap(payload).order(java.nio.ByteOrder.nativeOrder()).putLong(v);
            producer.publish(payload);
        }
    }

    @Test
    public void aBatchHandsAtMostLimitFramesInOrder() {
        open(ShmPolicy.LATEST);
        publish(1, 7);
        assertEquals(3, consumer.poll(record, 3));
        assertEquals(List.of(1L, 2L, 3L), seen);
        assertEquals(3, consumer.poll(record, 3));
        assertEquals(1, consumer.poll(record, 3));
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L), seen);
        assertEquals(PollResult.NOTHING_YET, consumer.poll(record, 3));
        assertEquals(7, consumer.counters().messagesReceived());
        assertEquals(0, consumer.counters().gaps());
    }

    @Test
    public void nothingYetIsAResultNotAnExceptionAndNotATimeout() {
        open(ShmPolicy.LATEST);
        assertEquals(PollResult.NOTHING_YET, consumer.poll(record, 16));
        assertEquals(PollResult.NOTHING_YET, consumer.poll(record, 16, Duration.ofMillis(30)));
        assertEquals(0, consumer.counters().timeouts());
        publish(1, 1);
        assertEquals(1, consumer.poll(record, 16, Duration.ofSeconds(5)));
        assertThrows(InvalidInputException.class, () -> consumer.poll(record, 0));
    }

    @Test
    public void aFrameHandedToPollIsConsumedSoAReliableProducerGoesOn() {
        open(ShmPolicy.RELIABLE);
        for (int lap = 0; lap < 5; lap++) {
            publish(lap * 8L + 1, lap * 8L + 8); // a whole ring: the next lap waits for this consumer
            assertEquals(8, consumer.poll(record, 100));
        }
        assertEquals(40, seen.size());
        assertEquals("never waited out its reliable timeout", 0, producer.counters().timeouts());
        assertEquals(0, producer.counters().dropped());
        assertEquals(0, consumer.counters().gaps());
    }

    @Test
    public void aThrowingHandlerEndsTheBatchWithItsFrameConsumedAndTheRestKept() {
        open(ShmPolicy.RELIABLE);
        publish(1, 8);
        IllegalStateException boom = new IllegalStateException("handler failed");
        FrameHandler failOnThird = f -> {
            record.onFrame(f);
            if (seen.size() == 3) {
                throw boom;
            }
        };
        assertSame(boom, assertThrows(IllegalStateException.class, () -> consumer.poll(failOnThird, 8)));
        assertEquals(List.of(1L, 2L, 3L), seen);
        assertEquals(5, consumer.poll(record, 8));
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L), seen);
        assertEquals("every frame received once, none lost", 8, consumer.counters().messagesReceived());
        assertEquals(0, consumer.counters().gaps());
        publish(9, 16); // the whole ring again: only possible if frame 3 counted as consumed
        assertEquals(0, producer.counters().timeouts());
        assertEquals(8, consumer.poll(record, 8));
    }

    @Test
    public void afterCloseAPollAnswersClosedAndABlockedPollReturnsClosed() throws Exception {
        open(ShmPolicy.LATEST);
        CompletableFuture<Integer> blocked = CompletableFuture.supplyAsync(
                () -> consumer.poll(record, 4, Duration.ofSeconds(30)));
        assertTrue("the poller is waiting", ShmTestSupport.await(() -> consumer.isOpen() && !blocked.isDone()
                && Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getState() != Thread.State.RUNNABLE
                && t.getName().startsWith("ForkJoinPool")), Duration.ofSeconds(5)));
        consumer.close();
        assertEquals(Integer.valueOf(PollResult.CLOSED), blocked.get(10, TimeUnit.SECONDS));
        assertEquals(PollResult.CLOSED, consumer.poll(record, 4));
        assertEquals(PollResult.CLOSED, consumer.poll(record, 4, Duration.ofSeconds(1)));
        assertEquals(List.of(), seen);
    }
}
