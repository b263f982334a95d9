package io.labhub.transport.shm.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.Rule;
import org.junit.Test;

import io.labhub.api.ChannelClosedException;
import io.labhub.api.ErrorCode;
import io.labhub.api.LabHubException;
import io.labhub.api.ShmClaim;
import io.labhub.api.ShmFrame;
import io.labhub.api.ShmOptions;
import io.labhub.api.ShmPolicy;
import io.labhub.api.WaitStrategy;
import io.labhub.transport.shm.internal.platform.SegmentNames;

/**
 * A single-writer producer ({@link ShmOptions#withSingleWriter(boolean)}): no lock per frame, bound to one
 * thread, and a close or failure from another thread that never waits for the writer and never lets it touch
 * released memory (its next ring access ends with a typed error, never a crash or a raw IllegalStateException).
 */
public class SingleWriterTest {

    private static final WaitStrategy SPIN_THEN_BLOCK = new WaitStrategy(Duration.ofNanos(50_000), Duration.ofNanos(50_000));

    @Rule
    public final ShmTestSupport.SegmentDirectory shm = new ShmTestSupport.SegmentDirectory();

    private static ShmOptions options(int size, int slots, ShmPolicy policy, Duration reliableTimeout, boolean crc) {
        return new ShmOptions(size, slots, policy, reliableTimeout, SPIN_THEN_BLOCK, crc, Map.of()).withSingleWriter(true);
    }

    private RingConsumer consumer(String segment) {
        return RingConsumer.open(shm.platform(), ShmTestSupport.CHANNEL, new RingConsumer.Endpoint(segment,
                ShmLayout.Expectation.NONE), SPIN_THEN_BLOCK, ShmTestSupport.FAST, null, null, null);
    }

    /** Runs {@code body} on a new thread named {@code name}; @return its outcome */
    private static CompletableFuture<Void> onThread(String name, ThrowingRunnable body) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                body.run();
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return done;
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    public void theWriterStreamsEveryFrameInOrderThroughPublishClaimAbortAndAClaimLeftOpen() throws Exception {
        String segment = SegmentNames.random();
        int frames = 40_000;
        try (RingProducer p = ShmTestSupport.producer(shm.platform(), segment,
                options(64, 16, ShmPolicy.RELIABLE, Duration.ofSeconds(30), true), null);
             RingConsumer c = consumer(segment)) {
            CompletableFuture<Void> writer = onThread("single-writer", () -> {
                byte[] b = new byte[16];
                MemorySegment m = MemorySegment.ofArray(b);
                for (long i = 0; i < frames; i++) {
                    if (i % 100 == 7) {
                        p.claim(64).abort(); // uses no sequence
                    }
                    if (i % 100 == 9) {
                        p.claim(64); // left open: the next claim aborts it
                    }
                    switch ((int) (i % 3)) {
                        case 0 -> {
                            m.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, i);
                            m.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, ~i);
                            p.publish(b);
                        }
                        case 1 -> {
                            m.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, i);
                            m.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, ~i);
                            p.publish(m);
                        }
                        default -> {
                            try (ShmClaim claim = p.claim(64)) {
                                claim.segment().set(ValueLayout.JAVA_LONG_UNALIGNED, 0, i);
                                claim.segment().set(ValueLayout.JAVA_LONG_UNALIGNED, 8, ~i);
                                claim.commit(16);
                            }
                        }
                    }
                }
            });
            for (long n = 1; n <= frames; n++) {
                ShmFrame f = c.next(Duration.ofSeconds(30));
                MemorySegment s = f.segment();
                assertEquals("one sequence, aborted and abandoned claims use none", n, f.sequence());
                assertEquals(16, s.byteSize());
                assertEquals("frame " + n, n - 1, s.get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
                assertEquals("frame " + n + " whole", ~(n - 1), s.get(ValueLayout.JAVA_LONG_UNALIGNED, 8));
                assertTrue(f.release());
            }
            writer.get(60, TimeUnit.SECONDS);
            assertEquals(frames, p.counters().messagesSent());
            assertEquals(0, c.counters().gaps());
            assertEquals(0, c.counters().errors());
        }
    }

    @Test
    public void anotherThreadIsRefusedWhileTheWriterLivesAndBecomesTheWriterOnceItEnded() throws Exception {
        String segment = SegmentNames.random();
        try (RingProducer p = ShmTestSupport.producer(shm.platform(), segment,
                options(64, 8, ShmPolicy.LATEST, Duration.ofSeconds(1), false), null);
             RingConsumer c = consumer(segment)) {
            CountDownLatch published = new CountDownLatch(1);
            CountDownLatch end = new CountDownLatch(1);
            CompletableFuture<Void> first = onThread("first-writer", () -> {
                p.publish(new byte[] {1});
                published.countDown();
                end.await();
            });
            assertTrue(published.await(30, TimeUnit.SECONDS));

            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> p.publish(new byte[] {2}));
            assertTrue(refused.getMessage(), refused.getMessage().contains("'first-writer'"));
            assertThrows(IllegalStateException.class, () -> p.claim(8));
            assertEquals("a refused publish publishes nothing", 1, p.counters().messagesSent());

            end.countDown();
            first.get(30, TimeUnit.SECONDS);
            assertTrue("the first writer ended", ShmTestSupport.await(() -> {
                try {
                    p.publish(new byte[] {3}); // refused while the thread is still alive, taken over after
                    return true;
                } catch (IllegalStateException stillAlive) {
                    return false;
                }
            }, Duration.ofSeconds(30)));
            ShmFrame one = c.next(Duration.ofSeconds(5));
            assertEquals(1, one.sequence());
            assertEquals(1, one.segment().get(ValueLayout.JAVA_BYTE, 0));
            one.release();
            ShmFrame two = c.next(Duration.ofSeconds(5));
            assertEquals("the new writer's frame follows, nothing of the refused ones", 2, two.sequence());
            assertEquals(3, two.segment().get(ValueLayout.JAVA_BYTE, 0));
            two.release();
        }
    }

    @Test
    public void aCloseFromAnotherThreadReleasesTheMappingUnderAnOpenClaimWithoutWaitingForIt() throws Exception {
        String segment = SegmentNames.random();
        // a default producer's close waits for the open claim up to the reliable timeout plus 1 s, then leaves
        // the mapping in place: the writes below would then succeed
        RingProducer p = ShmTestSupport.producer(shm.platform(), segment,
                options(64, 8, ShmPolicy.RELIABLE, Duration.ofSeconds(1), false), null);
        CountDownLatch claimed = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        AtomicReference<Throwable> write = new AtomicReference<>();
        AtomicReference<Throwable> commit = new AtomicReference<>();
        CompletableFuture<Void> writer = onThread("claiming-writer", () -> {
            ShmClaim claim = p.claim(64);
            MemorySegment slot = claim.segment();
            slot.set(ValueLayout.JAVA_LONG, 0, 42);
            claimed.countDown();
            closed.await();
            try {
                slot.set(ValueLayout.JAVA_LONG, 8, 43);
            } catch (Throwable e) {
                write.set(e);
            }
            try {
                claim.commit(16);
            } catch (Throwable e) {
                commit.set(e);
            }
        });
        assertTrue(claimed.await(30, TimeUnit.SECONDS));
        p.close();
        assertFalse(p.isOpen());
        closed.countDown();
        writer.get(30, TimeUnit.SECONDS);
        assertTrue("a write into the claim after the close: " + write.get(), write.get() instanceof IllegalStateException);
        assertTrue("the commit after the close: " + commit.get(), commit.get() instanceof ChannelClosedException);
        assertEquals(0, p.counters().messagesSent());
        assertThrows(ChannelClosedException.class, () -> p.publish(new byte[1]));
    }

    @Test
    public void closingUnderAWriterInFullFlightEndsItWithChannelClosedEveryTime() throws Exception {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int size = 64 * 1024;
        List<String> outcomes = new ArrayList<>();
        for (int round = 0; round < 25; round++) {
            String segment = SegmentNames.random();
            RingProducer p = ShmTestSupport.producer(shm.platform(), segment,
                    options(size, 8, ShmPolicy.LATEST, Duration.ofSeconds(1), round % 2 == 0), null);
            try (RingConsumer idle = consumer(segment)) { // in the table: the wake scan reads its entry each commit
                byte[] heap = new byte[size];
                MemorySegment offHeap = java.lang.foreign.Arena.ofAuto().allocate(size);
                CompletableFuture<Void> writer = onThread("writer-" + round, () -> {
                    for (long i = 0; ; i++) {
                        if ((i & 1) == 0) {
                            p.publish(heap);
                        } else {
                            p.publish(offHeap);
                        }
                    }
                });
                long before = random.nextLong(1, 400);
                assertTrue(ShmTestSupport.await(() -> p.counters().messagesSent() >= before || writer.isDone(),
                        Duration.ofSeconds(30)));
                p.close();
                Throwable end = assertThrows(java.util.concurrent.ExecutionException.class,
                        () -> writer.get(30, TimeUnit.SECONDS)).getCause();
                outcomes.add(end.getClass().getSimpleName());
                assertTrue("round " + round + ": the writer ended with " + end,
                        end instanceof ChannelClosedException);
            }
        }
        assertEquals(25, outcomes.size());
    }

    @Test
    public void aSegmentTruncatedUnderTheWriterEndsItWithSegmentInvalid() throws Exception {
        truncatedUnderAWriter(true);
    }

    /**
     * The same with the default producer (a lock per claim): before the fix the fault's InternalError, which HotSpot
     * raises asynchronously, surfaced after the copy's own try block, escaped publish() raw and left the file behind.
     */
    @Test
    public void aSegmentTruncatedUnderADefaultProducersPublishEndsItWithSegmentInvalid() throws Exception {
        truncatedUnderAWriter(false);
    }

    private void truncatedUnderAWriter(boolean singleWriter) throws Exception {
        String segment = SegmentNames.random();
        Heartbeat heartbeat = new Heartbeat(Duration.ofMillis(20));
        try {
            RingProducer p = ShmTestSupport.producer(shm.platform(), segment,
                    options(4096, 8, ShmPolicy.LATEST, Duration.ofSeconds(1), false).withSingleWriter(singleWriter),
                    heartbeat);
            byte[] frame = new byte[4096];
            CompletableFuture<Void> writer = onThread("truncated-writer", () -> {
                while (true) {
                    p.publish(frame);
                }
            });
            assertTrue(ShmTestSupport.await(() -> p.counters().messagesSent() >= 100, Duration.ofSeconds(30)));
            try (FileChannel fc = FileChannel.open(shm.dir().resolve(segment), StandardOpenOption.WRITE)) {
                fc.truncate(0);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            Throwable end = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> writer.get(30, TimeUnit.SECONDS)).getCause();
            if (!(end instanceof LabHubException)) {
                throw new AssertionError("the writer ended with " + end, end);
            }
            assertEquals(ErrorCode.SEGMENT_INVALID, ((LabHubException) end).code());
            assertFalse(p.isOpen());
            p.close();
        } finally {
            heartbeat.close();
        }
    }
}
