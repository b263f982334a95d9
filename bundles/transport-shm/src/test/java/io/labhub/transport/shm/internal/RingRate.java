package io.labhub.transport.shm.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.labhub.api.ChannelName;
import io.labhub.api.FrameHandler;
import io.labhub.api.ShmFrame;
import io.labhub.api.ShmOptions;
import io.labhub.api.ShmPolicy;
import io.labhub.api.WaitStrategy;
import io.labhub.transport.shm.internal.platform.SegmentAccess;
import io.labhub.transport.shm.internal.platform.SegmentNames;
import io.labhub.transport.shm.internal.platform.ShmPlatform;
import io.labhub.transport.shm.internal.platform.ShmPlatforms;

/**
 * A diagnostic, not a test (benchmarks/README.md, 2026-12-02): the ring alone, without Felix or the broker,
 * in one JVM, a producer thread publishing 64 B frames into a {@code reliable} 4096-slot ring as fast as it
 * can and the main thread reading them, per frame ({@code next}) or in batches of 256 ({@code poll}), or
 * alternating the two round by round in one launch ({@code both}, the default). Prints the rate of each 1 s
 * round (8 unless a second argument says) and how often the ring was full (lag within 64 frames of the
 * ring), which tells which of the two regimes a run is in. A third argument {@code sw} makes the producer a
 * single writer ({@link ShmOptions#withSingleWriter(boolean)}). Run from bundles/transport-shm after
 * {@code mvn test-compile}: {@code java --enable-native-access=ALL-UNNAMED -cp
 * target/classes:target/test-classes:API_JAR:SLF4J_JAR io.labhub.transport.shm.internal.RingRate both 8}.
 */
public final class RingRate {

    private static volatile boolean stop;

    private RingRate() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "both";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        boolean singleWriter = args.length > 2 && args[2].equals("sw");
        Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "labhub-ringrate");
        ShmPlatform platform = ShmPlatforms.load(dir);
        String segment = SegmentNames.random();
        ChannelName name = new ChannelName("diag.rate");
        ShmOptions options = new ShmOptions(64, 4096, ShmPolicy.RELIABLE, Duration.ofSeconds(5), WaitStrategy.LOW_LATENCY,
                false, Map.of()).withSingleWriter(singleWriter);
        RingProducer p = RingProducer.create(platform, name, segment, options, RingSettings.DEFAULTS,
                SegmentAccess.OWNER_ONLY, null, null);
        RingConsumer c = RingConsumer.open(platform, name, new RingConsumer.Endpoint(segment, null),
                WaitStrategy.LOW_LATENCY, RingSettings.DEFAULTS, null, null, null);
        MemorySegment msg = Arena.ofAuto().allocate(64, 64);
        Thread producer = new Thread(() -> {
            while (!stop) {
                p.publish(msg);
            }
        }, "ringrate-producer");
        producer.start();
        long[] sink = {0};
        FrameHandler look = f -> {
            MemorySegment s = f.segment();
            sink[0] += s.get(ValueLayout.JAVA_BYTE, 0) + s.get(ValueLayout.JAVA_BYTE, 63);
        };
        for (int round = 0; round < rounds; round++) {
            // "both" alternates the two readers round by round in one launch (one JIT, one placement)
            boolean poll = mode.equals("poll") || (mode.equals("both") && round % 2 == 1);
            long n = 0;
            long nextSample = 1024;
            long full = 0;
            long samples = 0;
            long t0 = System.nanoTime();
            long end = t0 + 1_000_000_000L;
            while (System.nanoTime() < end) {
                if (poll) {
                    n += c.poll(look, 256, Duration.ofSeconds(5));
                } else {
                    try (ShmFrame f = c.next(Duration.ofSeconds(5))) {
                        look.onFrame(f);
                    }
                    n++;
                }
                if (n >= nextSample) {
                    nextSample = n + 1024;
                    samples++;
                    if (p.counters().messagesSent() - c.counters().messagesReceived() >= 4096 - 64) {
                        full++;
                    }
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("%s round %d: %.2f M msg/s, ring full in %d of %d samples%n", poll ? "poll" : "next",
                    round, n / seconds / 1e6, full, samples);
        }
        stop = true;
        producer.join();
        c.close();
        p.close();
        Files.deleteIfExists(dir);
    }
}
