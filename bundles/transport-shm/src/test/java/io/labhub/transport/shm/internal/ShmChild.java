package io.labhub.transport.shm.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;

import io.labhub.api.ShmClaim;
import io.labhub.api.ShmOptions;
import io.labhub.api.ShmPolicy;
import io.labhub.transport.shm.internal.platform.ShmPlatform;

/**
 * The other process of the crash tests. Prints one line per milestone on stdout; the parent kills it.
 * Pacing sleeps here only keep the child from flooding the ring; no test synchronises on them.
 */
public final class ShmChild {

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        ShmPlatform platform = ShmTestSupport.platform(Path.of(args[1]));
        String segment = args[2];
        Heartbeat heartbeat = new Heartbeat(ShmTestSupport.FAST.heartbeatPeriod());
        switch (mode) {
            case "producer-crash" -> {
                // commits frames 1..n, then claims n+1, scribbles half of it and waits to be killed
                int n = Integer.parseInt(args[3]);
                RingProducer p = ShmTestSupport.producer(platform, segment, options(ShmPolicy.LATEST), heartbeat);
                for (int i = 1; i <= n; i++) {
                    p.publish(pattern(i, 48));
                }
                ShmClaim claim = p.claim(48);
                claim.segment().asSlice(0, 24).fill((byte) 0x5A);
                System.out.println("CLAIMED " + claim.sequence());
                System.out.flush();
                Thread.sleep(Long.MAX_VALUE);
            }
            case "producer" -> {
                RingProducer p = ShmTestSupport.producer(platform, segment, options(ShmPolicy.LATEST), heartbeat);
                System.out.println("READY");
                System.out.flush();
                try {
                    for (int i = 1; ; i++) {
                        p.publish(pattern(i, 48));
                        Thread.sleep(2);
                    }
                } catch (io.labhub.api.LabHubException e) {
                    System.out.println("FAILED " + e.code() + " " + e.getMessage()); // e.g. the segment was truncated
                    System.out.flush();
                    heartbeat.close();
                }
            }
            case "consumer" -> {
                RingConsumer c = ShmTestSupport.consumer(platform, segment, heartbeat);
                System.out.println("JOINED " + c.segmentName());
                System.out.flush();
                Thread.sleep(Long.MAX_VALUE); // never reads: holds a reliable producer back
            }
            case "reading-consumer" -> {
                // reads until frame `last`, checking each; reports what it got and what it was told it lost
                long last = Long.parseLong(args[3]);
                RingConsumer c = ShmTestSupport.consumer(platform, segment, heartbeat);
                System.out.println("JOINED " + c.segmentName());
                System.out.flush();
                long received = 0;
                long skipped = 0;
                long broken = 0;
                long first = -1;
                long seq = 0;
                try {
                    while (seq < last) {
                        io.labhub.api.Message m = c.read(Duration.ofSeconds(20));
                        seq = m.sequence();
                        first = first < 0 ? seq : first;
                        received++;
                        skipped += m.skipped();
                        broken += intact(MemorySegment.ofArray(m.payload()), seq) ? 0 : 1;
                        if (received == 100) {
                            System.out.println("READING");
                            System.out.flush();
                        }
                    }
                } catch (io.labhub.api.LabHubException e) {
                    System.out.println("FAILED " + e);
                }
                System.out.println("DONE first=" + first + " last=" + seq + " received=" + received + " skipped=" + skipped
                        + " gaps=" + c.counters().gaps() + " dropped=" + c.counters().dropped() + " broken=" + broken);
                System.out.flush();
                c.close();
                heartbeat.close();
            }
            case "reliable-producer" -> {
                // waits for "GO" on stdin (a consumer has attached), then sends count frames of size bytes
                int count = Integer.parseInt(args[3]);
                int size = Integer.parseInt(args[4]);
                RingProducer p = ShmTestSupport.producer(platform, segment, new ShmOptions(size, 64, ShmPolicy.RELIABLE,
                        Duration.ofSeconds(10), io.labhub.api.WaitStrategy.DEFAULT, false, java.util.Map.of()), heartbeat);
                System.out.println("READY");
                System.out.flush();
                new java.io.BufferedReader(new java.io.InputStreamReader(System.in)).readLine();
                for (long seq = 1; seq <= count; seq++) {
                    try (ShmClaim claim = p.claim(size)) {
                        MemorySegment frame = claim.segment();
                        frame.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, seq);
                        frame.set(ValueLayout.JAVA_LONG_UNALIGNED, size - 8, ~seq);
                        claim.commit(size);
                    }
                }
                System.out.println("DONE " + p.counters().messagesSent() + " dropped=" + p.counters().dropped());
                System.out.flush();
                p.close();
                heartbeat.close();
            }
            default -> throw new IllegalArgumentException(mode);
        }
    }

    static ShmOptions options(ShmPolicy policy) {
        return new ShmOptions(64, 4, policy, Duration.ofSeconds(2), io.labhub.api.WaitStrategy.BLOCKING, false,
                java.util.Map.of());
    }

    /** Frame {@code seq}: its sequence in the first 8 bytes, then bytes derived from it. */
    public static byte[] pattern(long seq, int length) {
        byte[] b = new byte[length];
        MemorySegment s = MemorySegment.ofArray(b);
        s.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, seq);
        for (int i = 8; i < length; i++) {
            b[i] = (byte) (seq * 31 + i);
        }
        return b;
    }

    /** Whether {@code frame} is exactly what {@link #pattern} makes for its own leading sequence. */
    public static boolean intact(MemorySegment frame, long expectedSeq) {
        if (frame.byteSize() < 8 || frame.get(ValueLayout.JAVA_LONG_UNALIGNED, 0) != expectedSeq) {
            return false;
        }
        for (long i = 8; i < frame.byteSize(); i++) {
            if (frame.get(ValueLayout.JAVA_BYTE, i) != (byte) (expectedSeq * 31 + i)) {
                return false;
            }
        }
        return true;
    }
}
