package io.labhub.transport.shm.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import io.labhub.api.ChannelClosedException;
import io.labhub.api.InvalidInputException;
import io.labhub.api.Message;
import io.labhub.api.MessageTooLargeException;
import io.labhub.api.ShmClaim;
import io.labhub.api.ShmFrame;
import io.labhub.api.ShmOptions;
import io.labhub.api.ShmPolicy;
import io.labhub.api.WaitStrategy;
import io.labhub.transport.shm.internal.platform.SegmentNames;
import io.labhub.transport.shm.internal.platform.ShmPlatform;

public class RingRoundTripTest {

    private Path dir;
    private ShmPlatform platform;
    private RingProducer producer;
    private RingConsumer consumer;

    @Before
    public void setUp() throws Exception {
        dir = ShmTestSupport.newDirectory();
        platform = ShmTestSupport.platform(dir);
        String segment = SegmentNames.random();
        producer = ShmTestSupport.producer(platform, segment, new ShmOptions(256, 8, ShmPolicy.LATEST,
                Duration.ofSeconds(1), WaitStrategy.DEFAULT, false, Map.of()), null);
        consumer = ShmTestSupport.consumer(platform, segment, null);
    }

    @After
    public void tearDown() throws Exception {
        consumer.close();
        producer.close();
        assertEquals("segment files left behind", java.util.List.of(), ShmTestSupport.removeDirectory(dir));
    }

    @Test
    public void claimCommitIsReadZeroCopyWithSequenceAndTimestamp() {
        long before = System.currentTimeMillis() * 1_000_000L;
        try (ShmClaim claim = producer.claim(100)) {
            assertEquals(100, claim.segment().byteSize());
            claim.segment().set(ValueLayout.JAVA_LONG_UNALIGNED, 0, 0x1122334455667788L);
            claim.segment().set(ValueLayout.JAVA_BYTE, 8, (byte) 9);
            claim.commit(9);
            assertEquals(1, claim.sequence());
        }
        ShmFrame frame = consumer.next(Duration.ofSeconds(5));
        assertEquals(1, frame.sequence());
        assertEquals(0, frame.skipped());
        assertEquals(9, frame.segment().byteSize());
        assertEquals(0x1122334455667788L, frame.segment().get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
        assertTrue("timestamp " + frame.timestampNanos() + " before " + before,
                frame.timestampNanos() >= before - 50_000_000L);
        assertTrue(frame.release());
        assertEquals(1, consumer.counters().messagesReceived());
        assertEquals(1, producer.counters().messagesSent());
        assertEquals(9, producer.counters().bytesSent());
    }

    @Test
    public void zeroCopyViewIsReadOnly() {
        producer.publish(new byte[] {1, 2, 3});
        ShmFrame frame = consumer.next(Duration.ofSeconds(5));
        assertTrue(frame.segment().isReadOnly());
        assertThrows(IllegalArgumentException.class, () -> frame.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 7));
        assertEquals(1, frame.segment().get(ValueLayout.JAVA_BYTE, 0));
        assertTrue(frame.release());
    }

    @Test
    public void publishFromBytesBufferAndSegmentArriveInOrderAsCopies() {
        producer.publish("one".getBytes());
        ByteBuffer buffer = ByteBuffer.wrap("xxtwo".getBytes());
        buffer.position(2);
        producer.publish(buffer);
        assertEquals("publish must not move the buffer's position", 2, buffer.position());
        producer.publish(MemorySegment.ofArray("three".getBytes()));
        Message m1 = consumer.read(Duration.ofSeconds(5));
        Message m2 = consumer.read(Duration.ofSeconds(5));
        Message m3 = consumer.read(Duration.ofSeconds(5));
        assertArrayEquals("one".getBytes(), m1.payload());
        assertArrayEquals("two".getBytes(), m2.payload());
        assertArrayEquals("three".getBytes(), m3.payload());
        assertEquals(1, m1.sequence());
        assertEquals(3, m3.sequence());
        assertEquals(0, m3.skipped());
        assertEquals(Optional.empty(), consumer.poll());
    }

    @Test
    public void abortedClaimIsNeverSeenAndItsSequenceIsReused() {
        ShmClaim claim = producer.claim(10);
        claim.segment().fill((byte) 1);
        claim.abort();
        assertTrue(consumer.poll().isEmpty());
        assertEquals(1, producer.publish(new byte[] {5}));
        ShmFrame frame = consumer.next(Duration.ofSeconds(5));
        assertEquals(1, frame.sequence());
        assertEquals(5, frame.segment().get(ValueLayout.JAVA_BYTE, 0));
        assertTrue(frame.release());
    }

    @Test
    public void aClaimLeftOpenIsAbortedByTheNextClaimAndCloseStillWorks() throws Exception {
        ShmClaim forgotten = producer.claim(8);
        forgotten.segment().fill((byte) 1);
        assertEquals(1, producer.publish(new byte[] {2}));
        assertThrows(IllegalStateException.class, () -> forgotten.commit(8));
        ShmFrame frame = consumer.next(Duration.ofSeconds(5));
        assertEquals(2, frame.segment().get(ValueLayout.JAVA_BYTE, 0));
        assertTrue(frame.release());
        // the lock is free again: another thread can close without waiting for a timeout
        Thread closer = new Thread(producer::close);
        closer.start();
        closer.join(5_000);
        assertFalse("close waited for the abandoned claim", closer.isAlive());
        assertFalse(producer.isOpen());
    }

    @Test
    public void badLengthsAreTypedErrors() {
        assertThrows(MessageTooLargeException.class, () -> producer.claim(257));
        assertThrows(MessageTooLargeException.class, () -> producer.publish(new byte[257]));
        assertThrows(InvalidInputException.class, () -> producer.claim(-1));
        ShmClaim claim = producer.claim(4);
        assertThrows(InvalidInputException.class, () -> claim.commit(5));
        claim.abort();
        assertEquals(256, producer.maxFrameSize());
    }

    @Test
    public void latestReturnsNewestAndCountsWhatItSkipped() {
        for (int i = 0; i < 5; i++) {
            producer.publish(new byte[] {(byte) i});
        }
        ShmFrame newest = consumer.latest().orElseThrow();
        assertEquals(5, newest.sequence());
        assertEquals(4, newest.skipped());
        assertTrue(newest.release());
        assertEquals(4, consumer.counters().gaps());
        assertTrue(consumer.latest().isEmpty());
    }

    @Test
    public void closedEndsRefuseWork() {
        producer.close();
        assertFalse(producer.isOpen());
        assertThrows(ChannelClosedException.class, () -> producer.publish(new byte[1]));
        consumer.close();
        assertThrows(ChannelClosedException.class, () -> consumer.poll());
        producer.close(); // twice is harmless
    }
}
