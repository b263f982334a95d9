package io.labhub.bench;

import io.labhub.api.ChannelCounters;
import io.labhub.api.Hub;
import io.labhub.api.InvalidInputException;
import io.labhub.api.ShmOptions;
import io.labhub.api.ShmPolicy;
import io.labhub.api.ShmProducer;
import io.labhub.core.internal.BenchEngine;
import io.labhub.recorder.RecordingStatus;
import io.labhub.recorder.internal.RecorderService;
import io.labhub.recorder.internal.RecordingFiles;
import io.labhub.recorder.internal.ReplayService;
import io.labhub.validation.Validators;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The recorder (issue 18, Benchmark): side B alone, one JVM holding a real shm producer and the recorder, each
 * with a Hub front of its own on core's engine ({@link BenchEngine}), as a camera driver and the recorder share
 * one runtime. Files go to side B's home under the report directory (local disk; a tmpfs is refused).
 * Cases, each run interleaved with its reference in every launch:
 * <ul>
 *   <li>{@code write.SIZE}: the reference, a plain sequential {@link FileChannel#write} of the run's frames
 *       from one direct buffer, then {@code force(true)}: {frames/s, bytes/s with the force, bytes/s up to the
 *       last write (no force), force seconds};</li>
 *   <li>{@code record.SIZE}: the recorder records the same frames from a {@link ShmPolicy#RELIABLE} producer
 *       (the recorder paces it, nothing is lost; checked): {frames/s, bytes/s until the last frame is spooled,
 *       bytes/s of {@code stop} (lane join and HDF5 export), stop seconds};</li>
 *   <li>{@code inplace.SIZE}: as {@code record.SIZE}, but the producer fills each claimed slot in place (writes the
 *       frame's number only), as a driver that writes its frames into the slot (or a DMA) does: the recorder's
 *       own rate, without the producer's copy of each frame from another buffer;</li>
 *   <li>{@code maxrate.SIZE}: a {@link ShmPolicy#LATEST} producer paced at rising rates (factor sqrt 2 from
 *       {@link #LADDER_START} frames/s), a fresh recording of {@link #stepFrames} frames per step, until two steps
 *       in a row skipped frames, the producer falls short of its rate, or {@link #LADDER_TOP}: {the highest
 *       achieved rate whose recording had skipped == 0 with every lower step lossless too (frames/s), its
 *       bytes/s, the first lossy step's achieved rate (NaN if none), frames it skipped, the highest lossless
 *       rate of the whole ladder, lossy steps}.</li>
 *   <li>{@code live.SIZE}: the reference for replay, a {@link ShmPolicy#RELIABLE} producer publishing
 *       {@link #replayFrames} frames as fast as one consumer in the same JVM takes them: {frames/s, bytes/s}, from
 *       the consumer's first frame to its last;</li>
 *   <li>{@code replay.SIZE}: the same number of frames, recorded once per launch from such a producer (not
 *       measured), replayed at {@code max} by the {@code Replayer} to one consumer that checks every frame's
 *       number: {frames/s, bytes/s}, measured the same way.</li>
 * </ul>
 * Neither the spool nor the HDF5 file is forced to disk by the recorder (it writes through the page cache),
 * which is why {@code write.SIZE} also gives the rate up to its last write.
 */
final class RecorderGroup implements Group {

    /** Bytes per measured run: 512 MiB, 64 MiB in --quick mode (its measuring window is under 1 s). */
    static final long RUN_BYTES = Measure.MEASURE_NANOS >= 1_000_000_000L ? 512L << 20 : 64L << 20;
    static final double LADDER_START = 100;
    static final double LADDER_TOP = 6400;
    private static final Duration DRAIN = Duration.ofSeconds(120);
    /** The Hub's default ring (8 slots), as a camera driver gets it without tuning. */
    private static final int SLOTS = ShmOptions.DEFAULTS.slotCount();

    private Path dir;
    private ReplayService replayer;
    private Hub consumerHub;
    /** Per frame size, the recording {@code replay.SIZE} replays (made by its first run in a launch). */
    private final Map<Integer, Path> replayFiles = new java.util.HashMap<>();
    private Path shmDir;
    private BenchEngine engine;
    private Hub driver;
    private RecorderService recorder;
    private int runs;

    @Override
    public String init(String side, Map<String, String> params) throws Exception {
        if (side.equals("A")) {
            return "-"; // side B alone measures
        }
        dir = onDisk(Files.createDirectories(Path.of(params.get("home")).toAbsolutePath()));
        String store = Files.getFileStore(dir).type();
        System.err.println("recorder group: files in " + dir + " (" + store + "), " + (RUN_BYTES >> 20) + " MiB per run");
        shmDir = Files.createTempDirectory(Path.of("/dev/shm"), "labhub-bench-rec-");
        engine = new BenchEngine(shmDir);
        driver = engine.hub("driver");
        recorder = new RecorderService(engine.hub("recorder"), Validators.defaults());
        replayer = new ReplayService(engine.hub("replayer"), Validators.defaults());
        consumerHub = engine.hub("consumer");
        return "-";
    }

    /**
     * @return {@code dir}, when it is on a disk
     * @throws InvalidInputException rule {@code bench.recorder.dir} for a directory in memory (tmpfs, ramfs): the
     *         figures would compare memory copies, not disk writes
     */
    static Path onDisk(Path dir) throws java.io.IOException {
        String store = Files.getFileStore(dir).type();
        if (store.contains("tmpfs") || store.contains("ramfs")) {
            throw new InvalidInputException("bench.recorder.dir", dir.toString(), "the directory is on " + store
                    + ", not a local disk: give the suite an --out on a disk");
        }
        return dir;
    }

    @Override
    public String setup(String caseName) {
        return "-";
    }

    @Override
    public double[] run(String c, String arg) throws Exception {
        int size = Integer.parseInt(c.substring(c.lastIndexOf('.') + 1));
        int frames = Math.toIntExact(RUN_BYTES / size);
        if (c.startsWith("write.")) {
            // Warm-up of the full size: the first write of a launch into fresh page-cache pages ran at a third of
            // the speed of the next (the VM backs its guest's memory on first touch), whichever case came first.
            plainWrite(size, frames);
            return plainWrite(size, frames);
        }
        if (c.startsWith("record.") || c.startsWith("inplace.")) {
            boolean inPlace = c.startsWith("inplace.");
            recordReliable(size, Math.max(8, frames / 8), inPlace); // warm-up: the lane loop, the spool, the export
            return recordReliable(size, frames, inPlace);
        }
        if (c.startsWith("live.")) {
            live(size, Math.max(8, replayFrames(size) / 8)); // warm-up
            return live(size, replayFrames(size));
        }
        if (c.startsWith("replay.")) {
            Path file = replayFiles.get(size);
            if (file == null) {
                file = recorded(size, replayFrames(size));
                replayFiles.put(size, file);
                replay(file, size, Math.max(8, replayFrames(size) / 8)); // warm-up: a part of the same file
            }
            return replay(file, size, replayFrames(size));
        }
        if (c.startsWith("maxrate.")) {
            return highestLosslessRate(size, stepFrames(size));
        }
        throw new IllegalArgumentException("unknown case " + c);
    }

    /** Frames per step of the rate ladder: a quarter of a run (128 MiB, 16 MiB in --quick mode). */
    static int stepFrames(int size) {
        return Math.toIntExact(RUN_BYTES / 4 / size);
    }

    /**
     * Frames per replay run: a quarter of a run (128 MiB, 16 MiB in --quick mode), since a replay holds its
     * file's payloads in memory.
     */
    static int replayFrames(int size) {
        return Math.toIntExact(RUN_BYTES / 4 / size);
    }

    /** The live reference: a reliable producer to one consumer thread, as fast as the consumer takes frames. */
    private double[] live(int size, int frames) throws Exception {
        String name = "bench.live" + size + "-" + (++runs);
        try (ShmProducer p = reliableProducer(name, size);
             Arena arena = Arena.ofConfined()) {
            MemorySegment frame = arena.allocate(size, 4096);
            fill(frame);
            java.util.concurrent.CompletableFuture<double[]> read = readAll(name, size, frames, 0);
            while (driver.find(name).map(io.labhub.api.ChannelInfo::consumers).orElse(0) < 1 && !read.isDone()) {
                LockSupport.parkNanos(100_000); // the consumer's attach, before the first frame (not measured)
            }
            for (int i = 0; i < frames; i++) {
                frame.set(ValueLayout.JAVA_LONG, 0, i);
                p.publish(frame);
            }
            return read.get(DRAIN.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /** The Hub's default ring of {@code size}-byte slots, reliable: nothing is lost, the slowest reader paces it. */
    private ShmProducer reliableProducer(String name, int size) {
        return driver.createShmProducer(name, ShmOptions.DEFAULTS.withSlots(size, SLOTS)
                .withPolicy(ShmPolicy.RELIABLE).withReliableTimeout(Duration.ofSeconds(30)));
    }

    /** A reliable recording of {@code frames} numbered frames, kept for the launch's replays. */
    private Path recorded(int size, int frames) throws Exception {
        String name = "bench.src" + size;
        Path file = dir.resolve(name + "-" + (++runs) + ".h5");
        try (ShmProducer p = reliableProducer(name, size);
             Arena arena = Arena.ofConfined()) {
            MemorySegment frame = arena.allocate(size, 4096);
            fill(frame);
            recorder.start(List.of(name), file);
            for (int i = 0; i < frames; i++) {
                frame.set(ValueLayout.JAVA_LONG, 0, i);
                p.publish(frame);
            }
            drained(name, frames);
            check(name, recorder.stop(), frames, 0);
        }
        return file;
    }

    /** The file's first {@code frames} frames replayed at max to one consumer that checks each frame's number. */
    private double[] replay(Path file, int size, int frames) throws Exception {
        String name = "bench.replay" + size + "-" + (++runs);
        replayer.start(file, io.labhub.recorder.Replayer.Options.DEFAULTS.withAs(name)
                .withRate(io.labhub.recorder.Replayer.MAX).withConsumers(1));
        try {
            return readAll(name, size, frames, 0).get(DRAIN.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            replayer.stop(name);
        }
    }

    /**
     * One consumer thread reading {@code frames} frames of {@code name}, each numbered {@code first + i} in its
     * first 8 bytes and {@code size} long: {frames/s, bytes/s} from its first frame to its last.
     */
    private java.util.concurrent.CompletableFuture<double[]> readAll(String name, int size, int frames, long first) {
        java.util.concurrent.CompletableFuture<double[]> done = new java.util.concurrent.CompletableFuture<>();
        Thread.ofPlatform().name("bench-consumer-" + name).daemon().start(() -> {
            try (io.labhub.api.ShmConsumer c = consumerHub.openShmConsumer(name,
                    io.labhub.api.ConsumerOptions.DEFAULTS.withWaitForChannel(Duration.ofSeconds(30)))) {
                long t0 = 0;
                for (int i = 0; i < frames; i++) {
                    try (io.labhub.api.ShmFrame f = c.next(DRAIN)) {
                        if (i == 0) {
                            t0 = System.nanoTime();
                        }
                        long n = f.segment().get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
                        if (n != first + i || f.segment().byteSize() != size) {
                            throw new IllegalStateException(name + ": frame " + i + " holds number " + n + " and "
                                    + f.segment().byteSize() + " bytes, not " + (first + i) + " and " + size);
                        }
                    }
                }
                long t1 = System.nanoTime();
                done.complete(new double[] {(frames - 1) * 1e9 / (t1 - t0), (frames - 1) * (double) size * 1e9 / (t1 - t0)});
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        return done;
    }

    private double[] plainWrite(int size, int frames) throws Exception {
        ByteBuffer frame = ByteBuffer.allocateDirect(size);
        fill(MemorySegment.ofBuffer(frame));
        Path file = dir.resolve("plain-" + size + "-" + (++runs) + ".bin");
        long t0;
        long written;
        long forced;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            t0 = System.nanoTime();
            for (int i = 0; i < frames; i++) {
                frame.clear();
                while (frame.hasRemaining()) {
                    ch.write(frame);
                }
            }
            written = System.nanoTime();
            ch.force(true);
            forced = System.nanoTime();
            if (ch.size() != (long) frames * size) {
                throw new IllegalStateException("wrote " + ch.size() + " bytes, not " + (long) frames * size);
            }
        } finally {
            Files.deleteIfExists(file);
        }
        double bytes = (double) frames * size;
        return new double[] {frames * 1e9 / (forced - t0), bytes * 1e9 / (forced - t0), bytes * 1e9 / (written - t0),
                (forced - written) / 1e9};
    }

    /**
     * @param inPlace the producer fills its claimed slot in place (only the frame's number is written; the rest is
     *                what the slot held), as a driver that writes its frames into the slot does, so the time is the
     *                recorder's and the hand-over's without the producer's copy of 1 MiB from another buffer
     */
    private double[] recordReliable(int size, int frames, boolean inPlace) throws Exception {
        String name = "bench.rec" + size + "-" + (++runs);
        Path file = dir.resolve(name + ".h5");
        try (ShmProducer p = reliableProducer(name, size);
             Arena arena = Arena.ofConfined()) {
            MemorySegment frame = arena.allocate(size, 4096);
            fill(frame);
            recorder.start(List.of(name), file);
            long t0 = System.nanoTime();
            for (int i = 0; i < frames; i++) {
                if (inPlace) {
                    io.labhub.api.ShmClaim claim = p.claim(size); // waits as publish does (reliable)
                    claim.segment().set(ValueLayout.JAVA_LONG, 0, i);
                    claim.commit(size);
                } else {
                    frame.set(ValueLayout.JAVA_LONG, 0, i);
                    p.publish(frame); // waits while the recorder has not taken the slot it needs (reliable)
                }
            }
            RecordingStatus s = drained(name, frames);
            long spooled = System.nanoTime();
            ChannelCounters pc = p.counters();
            RecordingStatus done = recorder.stop();
            long stopped = System.nanoTime();
            check(name, done, frames, 0);
            if (s.gaps().get(name) != 0 || pc.dropped() != 0 || pc.timeouts() != 0) {
                throw new IllegalStateException("a reliable recording lost frames: gaps " + s.gaps() + ", producer " + pc);
            }
            double bytes = (double) frames * size;
            return new double[] {frames * 1e9 / (spooled - t0), bytes * 1e9 / (spooled - t0),
                    bytes * 1e9 / (stopped - spooled), (stopped - spooled) / 1e9};
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * The rate ladder: each step a fresh recording of a LATEST producer paced at the step's rate. A step is
     * lossless when its recording skipped nothing; the ladder stops at the first lossy step.
     */
    private double[] highestLosslessRate(int size, int frames) throws Exception {
        paced(size, Math.max(8, frames / 8), LADDER_START); // warm-up
        double safe = Double.NaN; // the highest lossless step below the first lossy one
        double best = Double.NaN; // the highest lossless step of the whole ladder
        double lossy = Double.NaN;
        double skipped = 0;
        int lossySteps = 0;
        int inARow = 0;
        // Up to two lossy steps in a row: one stall of the machine (tens of ms) must not end the ladder, but the
        // rate below the first loss is the figure, the highest lossless one beside it. A step whose producer
        // falls short of its rate (5 %) ends the ladder too: it no longer paces, it catches up in bursts.
        for (double rate = LADDER_START; rate <= LADDER_TOP * 1.001 && inARow < 2; rate *= Math.sqrt(2)) {
            double[] step = paced(size, frames, rate);
            System.err.printf("recorder maxrate.%d: target %.0f/s, achieved %.0f/s, skipped %.0f%n", size, rate, step[0], step[1]);
            if (step[0] < 0.95 * rate) {
                break;
            }
            if (step[1] > 0) {
                if (lossySteps++ == 0) {
                    lossy = step[0];
                    skipped = step[1];
                }
                inARow++;
            } else {
                best = step[0];
                safe = lossySteps == 0 ? step[0] : safe;
                inARow = 0;
            }
        }
        if (Double.isNaN(safe)) {
            throw new IllegalStateException("the first step, " + LADDER_START + " frames/s, lost frames (" + skipped
                    + " skipped)");
        }
        return new double[] {safe, safe * size, lossy, skipped, best, lossySteps};
    }

    /** One step: {achieved frames/s, frames the recording skipped}. */
    private double[] paced(int size, int frames, double rate) throws Exception {
        String name = "bench.cam" + size + "-" + (++runs);
        Path file = dir.resolve(name + ".h5");
        try (ShmProducer p = driver.createShmProducer(name, ShmOptions.DEFAULTS.withSlots(size, SLOTS)
                .withPolicy(ShmPolicy.LATEST));
             Arena arena = Arena.ofConfined()) {
            MemorySegment frame = arena.allocate(size, 4096);
            fill(frame);
            recorder.start(List.of(name), file);
            long period = Math.round(1e9 / rate);
            long t0 = System.nanoTime();
            long last = t0;
            for (int i = 0; i < frames; i++) {
                // A camera's clock: frame i is due at t0 + i * period (a late one goes at once, never skipped).
                long due = t0 + i * period;
                for (long left = due - System.nanoTime(); left > 0; left = due - System.nanoTime()) {
                    LockSupport.parkNanos(left);
                }
                frame.set(ValueLayout.JAVA_LONG, 0, i);
                p.publish(frame);
                last = System.nanoTime();
            }
            RecordingStatus s = drained(name, frames);
            long skipped = s.gaps().get(name);
            RecordingStatus done = recorder.stop();
            check(name, done, frames - skipped, skipped);
            return new double[] {(frames - 1) * 1e9 / (last - t0), skipped};
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * Waits until the recording of {@code name} accounts for all {@code published} frames (recorded plus
     * skipped), polling its status every 50 us, for at most {@link #DRAIN}. A channel error fails the case.
     */
    private RecordingStatus drained(String name, long published) {
        long deadline = System.nanoTime() + DRAIN.toNanos();
        while (true) {
            RecordingStatus s = recorder.status();
            if (!s.errors().isEmpty()) {
                throw new IllegalStateException("recording failed: " + s.errors());
            }
            long recorded = s.frames().getOrDefault(name, 0L);
            if (recorded + s.gaps().getOrDefault(name, 0L) >= published) {
                return s;
            }
            if (System.nanoTime() > deadline) {
                recorder.stop();
                throw new IllegalStateException("the recorder took " + recorded + " of " + published + " frames in "
                        + DRAIN + " (" + s + ")");
            }
            LockSupport.parkNanos(50_000); // polling a status (the recorder offers no wait), not passing data
        }
    }

    /** The run's file holds the frames its status says, and nothing failed. */
    private static void check(String name, RecordingStatus done, long recorded, long skipped) {
        if (done.fileError() != null || !done.errors().isEmpty()) {
            throw new IllegalStateException("recording of " + name + " failed: " + done.errors() + " " + done.fileError());
        }
        if (done.frames().get(name) != recorded || done.gaps().get(name) != skipped) {
            throw new IllegalStateException("recording of " + name + ": " + done + ", expected " + recorded
                    + " frames and " + skipped + " skipped");
        }
        Map<String, Long> inFile = RecordingFiles.channels(done.file());
        if (!inFile.equals(Map.of(name, recorded))) {
            throw new IllegalStateException(done.file() + " holds " + inFile + ", not " + recorded + " frames of " + name);
        }
    }

    /** Not all zeros, so nothing along the way can take a shortcut on an empty page. */
    private static void fill(MemorySegment frame) {
        for (long i = 0; i + 8 <= frame.byteSize(); i += 8) {
            frame.set(ValueLayout.JAVA_LONG_UNALIGNED, i, i * 31);
        }
    }

    @Override
    public void finish(String caseName) {
        // side A serves nothing
    }

    @Override
    public void close() throws Exception {
        if (replayer != null) {
            replayer.stop(null);
        }
        for (Path f : replayFiles.values()) {
            Files.deleteIfExists(f);
        }
        if (recorder != null) {
            recorder.stop();
        }
        if (engine != null) {
            engine.close();
        }
        if (shmDir != null) {
            AeronGroup.deleteTree(shmDir);
        }
    }
}
