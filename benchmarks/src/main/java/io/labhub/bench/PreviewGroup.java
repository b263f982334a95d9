package io.labhub.bench;

import io.labhub.api.ChannelInfo;
import io.labhub.api.ConsumerOptions;
import io.labhub.api.FrameSnapshot;
import io.labhub.api.Hub;
import io.labhub.api.ShmConsumer;
import io.labhub.api.ShmFrame;
import io.labhub.api.ShmOptions;
import io.labhub.api.ShmPolicy;
import io.labhub.api.ShmProducer;
import io.labhub.api.schema.Dtype;
import io.labhub.api.schema.Schema;
import io.labhub.core.internal.BenchEngine;
import io.labhub.web.internal.ConsoleServer;
import io.labhub.web.internal.PreviewEncoder;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * What the web console's camera preview costs the camera (issue 17, Benchmark): side B alone, one JVM with a
 * 1024x1024 u16 camera producer (2 MiB frames, the Hub's default 8-slot ring) and a Java consumer, each on a Hub
 * front of its own on core's engine ({@link BenchEngine}), and, in the {@code .preview} cases, the console's own
 * preview path ({@link PreviewEncoder}: {@code Hub.latestFrame}, then the PNG of at most 512 pixels a side) at the
 * console's rate, 10 per second, which its cache shares between every viewer. Each case runs for the measuring
 * window; the cases of a pair run one after the other in every launch:
 * <ul>
 *   <li>{@code paced.off}, {@code paced.preview}: a {@link ShmPolicy#LATEST} camera paced at {@link #PACED_FPS}:
 *       {camera frames/s achieved, consumer frames/s received, frames the consumer skipped, preview frames/s,
 *       preview latency p50 and p99 (ms, a frame's commit to its PNG)};</li>
 *   <li>{@code max.off}, {@code max.preview}: a {@link ShmPolicy#RELIABLE} camera as fast as the consumer takes its
 *       frames (the two cores busy): the same six figures;</li>
 *   <li>{@code paced.browsers}, {@code max.browsers} (where Debian's chromium and chromium-driver are installed):
 *       the same cameras watched by {@value BrowserViewers#VIEWERS} browser viewers, the console's page in as many
 *       windows of one headless chromium ({@link BrowserViewers}) served by the console's own servlets over HTTP
 *       ({@link ConsoleServer}), in the same JVM as the camera, as the runtime serves them: the preview frames/s
 *       figure is then the frames all pages painted per second, and the latency is a frame's commit to its paint
 *       in a page (the page's own measure, console.js), so it includes the console's 100 ms cache, the page's
 *       pacing, HTTP, PNG decoding and the paint.</li>
 * </ul>
 * The browser runs on the camera's machine, its two cores shared, which a real viewer's would not.
 */
final class PreviewGroup implements Group {

    static final int WIDTH = 1024;
    static final int HEIGHT = 1024;
    static final double PACED_FPS = 100;
    private static final Schema SCHEMA = Schema.builder().field("sequence", Dtype.U64)
            .field("pixels", Dtype.U16, HEIGHT, WIDTH).build();

    private Path shmDir;
    private BenchEngine engine;
    private Hub driver;
    private Hub consumers;
    private Hub console;
    private int runs;
    private ConsoleServer server;
    private BrowserViewers viewers;
    private Path profile;

    @Override
    public String init(String side, Map<String, String> params) throws Exception {
        if (side.equals("A")) {
            return "-"; // side B alone measures
        }
        shmDir = Files.createTempDirectory(Path.of("/dev/shm"), "labhub-bench-preview-");
        engine = new BenchEngine(shmDir);
        driver = engine.hub("camera");
        consumers = engine.hub("consumer");
        console = engine.hub("web");
        return "-";
    }

    @Override
    public String setup(String caseName) {
        return "-";
    }

    @Override
    public double[] run(String c, String arg) throws Exception {
        boolean paced = c.startsWith("paced.");
        boolean preview = c.endsWith(".preview");
        boolean browsers = c.endsWith(".browsers");
        if (!paced && !c.startsWith("max.")) {
            throw new IllegalArgumentException("unknown case " + c);
        }
        if (browsers && viewers == null) { // once per JVM, before the camera: chromium's start is not measured
            server = new ConsoleServer(console, BrowserViewers.VIEWERS);
            profile = Files.createTempDirectory("labhub-bench-chromium-");
            viewers = new BrowserViewers(server.bases(), profile);
        }
        return camera(paced, preview, browsers);
    }

    private double[] camera(boolean paced, boolean preview, boolean browsers) throws Exception {
        String name = "bench.camera" + (++runs);
        ShmOptions options = ShmOptions.DEFAULTS.withSlots(SCHEMA.size(), ShmOptions.DEFAULTS.slotCount())
                .withSchema(SCHEMA).withPolicy(paced ? ShmPolicy.LATEST : ShmPolicy.RELIABLE)
                .withReliableTimeout(Duration.ofSeconds(30));
        AtomicBoolean stop = new AtomicBoolean();
        try (ShmProducer p = driver.createShmProducer(name, options); Arena arena = Arena.ofShared()) {
            MemorySegment frame = arena.allocate(SCHEMA.size(), 4096);
            for (long i = 8; i + 8 <= frame.byteSize(); i += 8) {
                frame.set(ValueLayout.JAVA_LONG_UNALIGNED, i, i * 0x9E3779B97F4A7C15L); // not flat: auto-contrast works
            }
            long[] received = new long[2]; // frames, skipped
            Thread reader = Thread.ofPlatform().name("bench-consumer").start(() -> consume(name, stop, received));
            while (driver.find(name).map(ChannelInfo::consumers).orElse(0) < 1) {
                LockSupport.parkNanos(100_000); // the consumer's attach (not measured)
            }
            ChannelInfo info = console.find(name).orElseThrow();
            Latencies latencies = new Latencies();
            Thread viewer = preview ? Thread.ofPlatform().name("bench-preview").start(
                    () -> view(info, stop, latencies)) : null;
            long period = Math.round(1e9 / PACED_FPS);
            if (browsers) { // every page on this camera before the warm-up (not measured)
                Thread feeder = Thread.ofPlatform().name("bench-camera-until-shown").start(() -> {
                    while (!stop.get() && !Thread.currentThread().isInterrupted()) {
                        publish(p, frame, 0, 0);
                        LockSupport.parkNanos(period);
                    }
                });
                try {
                    viewers.awaitShowing(name, System.currentTimeMillis(), Duration.ofSeconds(60));
                } finally {
                    feeder.interrupt();
                    feeder.join();
                }
            }
            long warmEnd = System.nanoTime() + Measure.WARM_NANOS;
            while (System.nanoTime() < warmEnd) {
                publish(p, frame, 0, paced ? period : 0);
            }
            long framesBefore = received[0];
            long skippedBefore = received[1];
            latencies.measuring = true;
            double epoch0 = System.currentTimeMillis();
            long t0 = System.nanoTime();
            long end = t0 + Measure.MEASURE_NANOS;
            long sent = 0;
            while (System.nanoTime() < end) {
                publish(p, frame, t0 + sent * period, paced ? period : 0);
                sent++;
            }
            long t1 = System.nanoTime();
            double epoch1 = System.currentTimeMillis();
            stop.set(true);
            reader.join(30_000);
            if (viewer != null) {
                viewer.join(30_000);
            }
            double seconds = (t1 - t0) / 1e9;
            if (latencies.failure != null) {
                throw new IllegalStateException("the preview failed", latencies.failure);
            }
            double[] lat = browsers ? Arrays.stream(viewers.ages(epoch0, epoch1)).sorted().toArray()
                    : Arrays.stream(latencies.values, 0, Math.min(latencies.count, latencies.values.length)).sorted()
                    .mapToDouble(v -> v / 1e6).toArray();
            return new double[] {sent / seconds, (received[0] - framesBefore) / seconds, received[1] - skippedBefore,
                    preview ? latencies.count / seconds : browsers ? lat.length / seconds : 0,
                    lat.length == 0 ? Double.NaN : lat[lat.length / 2],
                    lat.length == 0 ? Double.NaN : lat[Math.min(lat.length - 1, (int) Math.ceil(lat.length * 0.99) - 1)]};
        }
    }

    /** One frame, due at {@code due} when paced (a late one goes at once, never skipped), numbered in its header. */
    private static void publish(ShmProducer p, MemorySegment frame, long due, long period) {
        if (period > 0) {
            for (long left = due - System.nanoTime(); left > 0; left = due - System.nanoTime()) {
                LockSupport.parkNanos(left);
            }
        }
        frame.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, System.nanoTime());
        p.publish(frame);
    }

    private void consume(String name, AtomicBoolean stop, long[] received) {
        try (ShmConsumer c = consumers.openShmConsumer(name, ConsumerOptions.DEFAULTS.withWaitForChannel(Duration.ofSeconds(30)))) {
            while (!stop.get()) {
                Optional<ShmFrame> f = c.poll();
                if (f.isEmpty()) {
                    Thread.onSpinWait();
                    continue;
                }
                try (ShmFrame frame = f.get()) {
                    received[1] += frame.skipped();
                    received[0]++;
                }
            }
        }
    }

    /** Preview latencies (commit to PNG, ns) taken while measuring; written by the preview thread only. */
    private static final class Latencies {
        final long[] values = new long[4096];
        volatile boolean measuring;
        volatile int count;
        volatile Throwable failure;
    }

    /** The console's preview loop: read the newest frame and encode it once per interval. */
    private void view(ChannelInfo info, AtomicBoolean stop, Latencies latencies) {
        PreviewEncoder encoder = new PreviewEncoder(info);
        String name = info.name().value();
        long next = System.nanoTime();
        try {
            while (!stop.get()) {
                for (long left = next - System.nanoTime(); left > 0 && !stop.get(); left = next - System.nanoTime()) {
                    LockSupport.parkNanos(left);
                }
                next += PreviewEncoder.intervalNanos();
                Optional<FrameSnapshot> frame = console.latestFrame(name, SCHEMA.size());
                if (frame.isEmpty()) {
                    continue;
                }
                long committed = frame.get().timestampNanos();
                byte[] png = encoder.png(frame.get(), PreviewEncoder.defaultMax());
                if (png.length == 0) {
                    throw new IllegalStateException("an empty preview");
                }
                java.time.Instant now = java.time.Instant.now(); // the commit time is epoch ns, as the ring writes it
                if (latencies.measuring && latencies.count < latencies.values.length) {
                    latencies.values[latencies.count] = now.getEpochSecond() * 1_000_000_000L + now.getNano() - committed;
                    latencies.count++;
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            latencies.failure = e;
        }
    }

    @Override
    public void finish(String caseName) {
        // side A serves nothing
    }

    @Override
    public void close() throws Exception {
        if (viewers != null) {
            viewers.close();
        }
        if (server != null) {
            server.close();
        }
        if (engine != null) {
            engine.close();
        }
        if (shmDir != null) {
            AeronGroup.deleteTree(shmDir);
        }
        if (profile != null) {
            AeronGroup.deleteTree(profile);
        }
    }
}
