package io.labhub.core.internal;

import static io.labhub.recorder.internal.BigRun.COLS;
import static io.labhub.recorder.internal.BigRun.ROWS;
import static io.labhub.recorder.internal.BigRun.pixel;
import static io.labhub.recorder.internal.BigRun.raw;
import static io.labhub.recorder.internal.BigRun.rawLength;

import io.labhub.api.ShmConsumer;
import io.labhub.api.ShmFrame;
import io.labhub.recorder.Replayer;
import io.labhub.recorder.internal.ReplayService;
import io.labhub.transport.shm.internal.RingSettings;
import io.labhub.transport.shm.internal.ShmTransportImpl;
import io.labhub.transport.shm.internal.platform.SegmentAccess;
import io.labhub.transport.shm.internal.platform.ShmPlatforms;
import io.labhub.validation.Validators;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A replay alone in a JVM of its own, for {@code HdfReplayStreamTest} (which starts it with a small heap): a real Hub
 * engine with shm, the {@link ReplayService}, and a consumer in the same JVM that checks every frame it reads, channel
 * after channel: its sequence (consecutive, nothing skipped) and every byte against {@link #pixel} / {@link #raw}.
 * Prints {@code replayed CHANNEL=N ... ms=... maxHeap=... peakHeap=...} and exits 0, or dies of what it throws (a
 * wrong frame, an OutOfMemoryError: exit 1 with the stack trace). Arguments: shm folder, HDF5 file, then
 * {@code CHANNEL:FRAMES:typed|raw} for each channel to replay.
 */
public final class ReplayChild {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private ReplayChild() {
    }

    public static void main(String[] args) throws Exception {
        HubEngine engine = new HubEngine(Validators.defaults(), new LocalDirectory("local"));
        ShmTransportImpl shm = new ShmTransportImpl(ShmPlatforms.load(Path.of(args[0])), RingSettings.DEFAULTS,
                SegmentAccess.OWNER_ONLY);
        engine.addTransport(shm);
        ReplayService replayer = new ReplayService(new BundleHub(engine, "replay"), Validators.defaults());
        BundleHub consumers = new BundleHub(engine, "consumer");
        Path file = Path.of(args[1]);
        StringBuilder result = new StringBuilder("replayed");
        long t0 = System.nanoTime();
        for (int a = 2; a < args.length; a++) {
            String[] spec = args[a].split(":");
            String channel = spec[0];
            int frames = Integer.parseInt(spec[1]);
            boolean typed = spec[2].equals("typed");
            replayer.start(file, Replayer.Options.DEFAULTS.withChannel(channel).withRate(Replayer.MAX).withConsumers(1));
            long first = -1;
            try (ShmConsumer c = consumers.openShmConsumer(channel)) {
                for (int k = 0; k < frames; k++) {
                    ShmFrame f = c.next(WAIT);
                    try {
                        if (first < 0) {
                            first = f.sequence();
                        }
                        if (f.sequence() != first + k || f.skipped() != 0) {
                            throw new AssertionError(channel + " frame " + k + ": sequence " + f.sequence()
                                    + ", skipped " + f.skipped() + "; want " + (first + k) + ", 0");
                        }
                        check(channel, k, typed, f.segment());
                    } finally {
                        f.release();
                    }
                }
                List<Replayer.Status> s = replayer.status();
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (!s.getFirst().state().equals("done")) { // it published the last entry just before
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("the replay is not done: " + s);
                    }
                    Thread.onSpinWait();
                    s = replayer.status();
                }
                if (s.getFirst().frames() != frames) {
                    throw new AssertionError(channel + ": " + s.getFirst().frames() + " frames published, want " + frames);
                }
            }
            replayer.stop(channel);
            result.append(' ').append(channel).append('=').append(frames);
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        shm.deactivate();
        engine.shutdown();
        System.out.println(result + " ms=" + ms + " maxHeap=" + Runtime.getRuntime().maxMemory() + " peakHeap=" + peak);
    }

    private static void check(String channel, int k, boolean typed, MemorySegment m) {
        if (typed) {
            long want = 4 + 2L * ROWS * COLS;
            if (m.byteSize() != want || m.get(U32, 0) != k) {
                throw new AssertionError(channel + " frame " + k + ": " + m.byteSize() + " bytes, count " + m.get(U32, 0));
            }
            for (int i = 0; i < ROWS * COLS; i++) {
                int got = m.get(U16, 4 + 2L * i) & 0xFFFF;
                if (got != pixel(k, i)) {
                    throw new AssertionError(channel + " frame " + k + " pixel " + i + ": " + got + ", want " + pixel(k, i));
                }
            }
        } else {
            if (m.byteSize() != rawLength(k)) {
                throw new AssertionError(channel + " frame " + k + ": " + m.byteSize() + " bytes, want " + rawLength(k));
            }
            for (int i = 0; i < rawLength(k); i++) {
                if (m.get(ValueLayout.JAVA_BYTE, i) != raw(k, i)) {
                    throw new AssertionError(channel + " frame " + k + " byte " + i);
                }
            }
        }
    }
}
