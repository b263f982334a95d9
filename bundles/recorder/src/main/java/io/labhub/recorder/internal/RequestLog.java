package io.labhub.recorder.internal;

import io.labhub.api.RequestObserver;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A request server's exchanges on their way to the spool: the server's worker thread hands each one over
 * ({@link #exchanged}, a copy into a bounded queue, never a disk write) and the recorder's lane takes them. When
 * the lane falls behind by {@link #CAPACITY} exchanges, further ones are counted as lost, never waited for: the
 * server's clients are not slowed by the recording.
 *
 * <p>An entry's payload (little-endian): ok u8 (1 = a reply, 0 = the handler failed), request length i32, the
 * request, reply length i32, the reply (or, when not ok, the error's type and message in UTF-8).
 */
final class RequestLog implements RequestObserver {

    static final int CAPACITY = 4096;

    /** One exchange: its number (every exchange counts, lost ones too), when, lost before it, the payload. */
    record Exchange(long sequence, long receivedNanos, long lostBefore, byte[] payload) {
    }

    private final BlockingQueue<Exchange> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();

    @Override
    public void exchanged(long receivedNanos, byte[] request, byte[] reply, Exception error) {
        long seq = sequence.incrementAndGet();
        byte[] answer = reply != null ? reply
                : (error.getClass().getSimpleName() + ": " + error.getMessage()).getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(1 + 4 + request.length + 4 + answer.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) (reply != null ? 1 : 0)).putInt(request.length).put(request).putInt(answer.length).put(answer);
        long lostBefore = lost.getAndSet(0);
        if (!queue.offer(new Exchange(seq, receivedNanos, lostBefore, b.array()))) {
            lost.addAndGet(lostBefore + 1); // carried to the next exchange that gets in
        }
    }

    /** @return the next exchange, or null when none came within {@code wait} */
    Exchange take(Duration wait) throws InterruptedException {
        return queue.poll(wait.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** One decoded entry payload, for the export. */
    record Decoded(boolean ok, byte[] request, byte[] reply) {
        static Decoded of(byte[] payload) {
            ByteBuffer b = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
            boolean ok = b.get() == 1;
            byte[] request = new byte[b.getInt()];
            b.get(request);
            byte[] reply = new byte[b.getInt()];
            b.get(reply);
            return new Decoded(ok, request, reply);
        }
    }
}
