package io.labhub.transport.shm.internal;

import io.labhub.api.ChannelName;
import io.labhub.api.ShmClaim;
import io.labhub.api.ShmFrame;
import io.labhub.api.ShmOptions;
import io.labhub.api.ShmPolicy;
import io.labhub.api.WaitStrategy;
import io.labhub.transport.shm.internal.platform.SegmentAccess;
import io.labhub.transport.shm.internal.platform.SegmentNames;
import io.labhub.transport.shm.internal.platform.ShmPlatform;
import io.labhub.transport.shm.internal.platform.ShmPlatforms;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;

/**
 * A diagnostic, not a test (benchmarks/README.md, "Recorder", 2026-12-04): a {@code reliable} 8-slot ring of
 * SIZE-byte frames alone, without Felix or the recorder, a producer thread claiming and filling slots ({@code copy}:
 * a copy from a buffer; {@code inplace}: the frame's number only) and the main thread taking them with
 * {@code next}, and with {@code spool} writing each one from its slot to a file in DIR as the recorder's spool does
 * (a HEADER-byte entry header and the slot's bytes, one gathered write). Prints per round of 2000 frames the rate
 * and where each side's time went. Run from bundles/transport-shm after {@code mvn test-compile}: {@code java
 * --enable-native-access=ALL-UNNAMED -cp target/classes:target/test-classes:API_JAR:SLF4J_JAR
 * io.labhub.transport.shm.internal.RingSpoolRate 1048576 DEFAULT copy spool 36 /work}.
 */
public final class RingSpoolRate {
    public static void main(String[] a) throws Exception {
        int size = Integer.parseInt(a[0]);
        WaitStrategy ws = a[1].equals("DEFAULT") ? WaitStrategy.DEFAULT : a[1].equals("BLOCKING") ? WaitStrategy.BLOCKING : WaitStrategy.LOW_LATENCY;
        boolean inPlace = a.length > 2 && a[2].equals("inplace");
        boolean spool = a.length > 3 && a[3].equals("spool");
        int hsz = a.length > 4 ? Integer.parseInt(a[4]) : 36; java.nio.ByteBuffer head = java.nio.ByteBuffer.allocateDirect(hsz);
        Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "labhub-ringspoolrate");
        ShmPlatform platform = ShmPlatforms.load(dir);
        String segment = SegmentNames.random();
        ShmOptions options = new ShmOptions(size, 8, ShmPolicy.RELIABLE, Duration.ofSeconds(5), ws, false, Map.of());
        RingProducer p = RingProducer.create(platform, new ChannelName("diag.big"), segment, options, RingSettings.DEFAULTS,
                SegmentAccess.OWNER_ONLY, null, null);
        RingConsumer c = RingConsumer.open(platform, new ChannelName("diag.big"), new RingConsumer.Endpoint(segment, null),
                ws, RingSettings.DEFAULTS, null, null, null);
        MemorySegment msg = Arena.ofAuto().allocate(size, 4096);
        msg.fill((byte) 7);
        int frames = 2000;
        Path outDir = Path.of(a.length > 5 ? a[5] : System.getProperty("java.io.tmpdir"));
        try {
            for (int round = 0; round < 6; round++) {
                long[] claimNs = {0}, copyNs = {0}, commitNs = {0};
                Thread producer = Thread.ofPlatform().daemon().unstarted(() -> {
                    for (int i = 0; i < frames; i++) {
                        long t0 = System.nanoTime();
                        ShmClaim cl = p.claim(size);
                        long t1 = System.nanoTime();
                        if (inPlace) cl.segment().set(ValueLayout.JAVA_LONG, 0, i); else MemorySegment.copy(msg, 0, cl.segment(), 0, size);
                        long t2 = System.nanoTime();
                        cl.commit(size);
                        long t3 = System.nanoTime();
                        claimNs[0] += t1 - t0; copyNs[0] += t2 - t1; commitNs[0] += t3 - t2;
                    }
                });
                long t0 = System.nanoTime();
                producer.start();
                long waitNs = 0;
                Path out = outDir.resolve("ringspoolrate.bin");
                Files.deleteIfExists(out);
                java.nio.channels.FileChannel fc = java.nio.channels.FileChannel.open(out, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE, StandardOpenOption.DELETE_ON_CLOSE);
                for (int i = 0; i < frames; i++) {
                    long w0 = System.nanoTime();
                    ShmFrame f = c.next(Duration.ofSeconds(5));
                    waitNs += System.nanoTime() - w0;
                    if (spool) {
                        head.clear(); head.putLong(i).putLong(0).putLong(0).putLong(0).putInt(size); head.position(hsz).flip();
                        java.nio.ByteBuffer[] g = {head, f.segment().asByteBuffer()};
                        while (g[1].hasRemaining()) fc.write(g);
                    }
                    f.release();
                }
                fc.close();
                long t1 = System.nanoTime();
                producer.join();
                System.out.printf("%s %s round %d: %.0f frames/s (%.2f GB/s); per frame us: producer claim %.1f copy %.1f commit %.1f; consumer next %.1f%n",
                        ws, inPlace ? "inplace" : "copy", round, frames * 1e9 / (t1 - t0), frames * (double) size / (t1 - t0),
                        claimNs[0] / 1e3 / frames, copyNs[0] / 1e3 / frames, commitNs[0] / 1e3 / frames, waitNs / 1e3 / frames);
            }
        } finally { // also when a round fails: no 2 GB file or segment left behind
            Files.deleteIfExists(outDir.resolve("ringspoolrate.bin"));
            c.close();
            p.close();
            try (var s = Files.list(dir)) {
                for (Path x : s.toList()) {
                    Files.deleteIfExists(x);
                }
            }
            Files.deleteIfExists(dir);
        }
    }
}
