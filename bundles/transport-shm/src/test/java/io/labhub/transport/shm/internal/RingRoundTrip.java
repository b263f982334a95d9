package io.labhub.transport.shm.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

import io.labhub.api.ChannelName;
import io.labhub.api.FrameHandler;
import io.labhub.api.ShmOptions;
import io.labhub.api.ShmPolicy;
import io.labhub.api.WaitStrategy;
import io.labhub.transport.shm.internal.platform.SegmentAccess;
import io.labhub.transport.shm.internal.platform.SegmentNames;
import io.labhub.transport.shm.internal.platform.ShmPlatform;
import io.labhub.transport.shm.internal.platform.ShmPlatforms;

/**
 * A diagnostic, not a test (benchmarks/README.md, 2026-12-04): the ring's 64 B round trip against the
 * cache-line ping-pong floor in one JVM, the two alternating round by round (floor, ring, floor, ring, ...), so
 * that both are measured on the same placement of the two threads on the machine's cores. The benchmark suite
 * measures each in its own pair of JVMs, seconds apart, and this machine moves between speed levels in between.
 * Each round is 0.5 s of round trips between the main thread and an echo thread started for that round: the
 * floor bounces a counter between two cache lines; the ring publishes 64 B through a 64-slot {@code latest}
 * ring and the echo publishes it back through another, both reading with {@code poll(handler, 1, wait)} under
 * {@link WaitStrategy#LOW_LATENCY}, as the suite's {@code shm.rtt.spin} case. Prints each round's p50 and
 * p99. A second argument sets the message size (default 64 B: with the slot's 32 B header a frame spans two
 * cache lines; 32 B or less fits in one). Run from bundles/transport-shm after {@code mvn test-compile}: {@code java
 * --enable-native-access=ALL-UNNAMED -cp target/classes:target/test-classes:API_JAR:SLF4J_JAR
 * io.labhub.transport.shm.internal.RingRoundTrip 12}.
 */
public final class RingRoundTrip {

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final long PING = 0;
    private static final long PONG = 128;
    private static final long ROUND_NANOS = 500_000_000L;

    private static volatile boolean stop;

    private RingRoundTrip() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 12;
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 64; // bytes per message (8 to 64)
        Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "labhub-ringrtt");
        ShmPlatform platform = ShmPlatforms.load(dir);
        ShmOptions options = new ShmOptions(64, 64, ShmPolicy.LATEST, Duration.ofSeconds(5), WaitStrategy.LOW_LATENCY,
                false, Map.of());
        String pingSegment = SegmentNames.random();
        String pongSegment = SegmentNames.random();
        RingProducer pingOut = RingProducer.create(platform, new ChannelName("diag.ping"), pingSegment, options,
                RingSettings.DEFAULTS, SegmentAccess.OWNER_ONLY, null, null);
        RingProducer pongOut = RingProducer.create(platform, new ChannelName("diag.pong"), pongSegment, options,
                RingSettings.DEFAULTS, SegmentAccess.OWNER_ONLY, null, null);
        RingConsumer pingIn = RingConsumer.open(platform, new ChannelName("diag.ping"),
                new RingConsumer.Endpoint(pingSegment, null), WaitStrategy.LOW_LATENCY, RingSettings.DEFAULTS,
                null, null, null);
        RingConsumer pongIn = RingConsumer.open(platform, new ChannelName("diag.pong"),
                new RingConsumer.Endpoint(pongSegment, null), WaitStrategy.LOW_LATENCY, RingSettings.DEFAULTS,
                null, null, null);
        MemorySegment lines = Arena.ofShared().allocate(256, 128);
        MemorySegment msg = Arena.ofShared().allocate(64, 64).asSlice(0, size);
        long[] got = {0};
        FrameHandler take = f -> got[0] = f.segment().get(ValueLayout.JAVA_LONG, 0);
        FrameHandler echo = f -> pongOut.publish(f.segment());
        Duration wait = Duration.ofMillis(200);
        long n = 0;
        for (int round = 0; round < rounds; round++) {
            boolean ring = round % 2 == 1;
            long before = n; // PING's value before this round (the echo must not read it after the first ping)
            stop = false;
            Thread echoer = new Thread(ring ? () -> {
                while (!stop) {
                    pingIn.poll(echo, 16, wait);
                }
            } : () -> {
                long last = before;
                while (!stop) {
                    long v = (long) LONG.getAcquire(lines, PING);
                    if (v != last) {
                        last = v;
                        LONG.setRelease(lines, PONG, v);
                    } else {
                        Thread.onSpinWait();
                    }
                }
            }, "ringrtt-echo");
            echoer.start();
            long[] samples = new long[4_000_000];
            int k = 0;
            long end = System.nanoTime() + ROUND_NANOS;
            long t0 = System.nanoTime();
            while (k < samples.length) {
                long v = ++n;
                if (ring) {
                    msg.set(ValueLayout.JAVA_LONG, 0, v);
                    pingOut.publish(msg);
                    while (got[0] != v) {
                        if (pongIn.poll(take, 1, wait) <= 0) {
                            throw new IllegalStateException("no echo within " + wait);
                        }
                    }
                } else {
                    LONG.setRelease(lines, PING, v);
                    while ((long) LONG.getAcquire(lines, PONG) != v) {
                        Thread.onSpinWait();
                    }
                }
                long t1 = System.nanoTime();
                samples[k++] = t1 - t0;
                t0 = t1;
                if (t1 >= end) {
                    break;
                }
            }
            stop = true;
            if (ring) {
                // the echo thread may be waiting in poll: one more ping ends its wait at once
                msg.set(ValueLayout.JAVA_LONG, 0, -1);
                pingOut.publish(msg);
            }
            echoer.join();
            if (ring) {
                pongIn.poll(take, 16); // its echo, if it came, so the next ring round starts clean
            }
            Arrays.sort(samples, 0, k);
            System.out.printf("round %2d %-5s p50 %5d ns  p99 %6d ns  (%d round trips)%n", round, ring ? "ring" : "floor",
                    samples[k / 2], samples[(int) (k * 0.99)], k);
        }
        pongIn.close();
        pingIn.close();
        pongOut.close();
        pingOut.close();
        Files.deleteIfExists(dir);
    }
}
