package io.labhub.core.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.labhub.api.ChannelExistsException;
import io.labhub.api.ChannelInfo;
import io.labhub.api.InvalidInputException;
import io.labhub.api.ShmConsumer;
import io.labhub.api.ShmFrame;
import io.labhub.api.ShmOptions;
import io.labhub.api.ShmPolicy;
import io.labhub.api.ShmProducer;
import io.labhub.api.schema.Dtype;
import io.labhub.api.schema.Schema;
import io.labhub.recorder.Replayer;
import io.labhub.recorder.internal.RecorderService;
import io.labhub.recorder.internal.RecordingFixture;
import io.labhub.testkit.Await;
import io.labhub.validation.Validators;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.Rule;
import org.junit.Test;

/**
 * Replays recordings on the real shm transport (a Hub engine with a local directory, as RecorderOnShmTest builds
 * it): what a consumer of the replay receives is what was recorded, byte for byte, with the recorded timing; bad
 * files are typed errors. The engine has no zmq transport: pub/sub replay is not covered here.
 */
public class ReplayTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int N = 50;
    private static final int SIDE = 16;
    private static final Schema SCHEMA = Schema.builder()
            .field("count", Dtype.U32)
            .field("pixels", Dtype.U16, SIDE, SIDE)
            .field("gain", Dtype.F64)
            .field("flag", Dtype.U8)
            .build();

    @Rule
    public final ReplayRig rig = new ReplayRig();

    /** frame s: a count, pixels over the whole u16 range, a gain and a u8 above 127 (a signed store would show) */
    private static byte[] frame(int s) {
        ByteBuffer b = ByteBuffer.allocate(SCHEMA.size()).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, s | 0x8000_0000);
        for (int i = 0; i < SIDE * SIDE; i++) {
            b.putShort(4 + 2 * i, (short) ((s * 131 + i * 7919) & 0xFFFF));
        }
        b.putDouble(4 + 2 * SIDE * SIDE, s * 0.25);
        b.put(12 + 2 * SIDE * SIDE, (byte) (200 + s % 50));
        return b.array();
    }

    /** Records N frames of a reliable producer named cam.frames, which stays open while {@code then} runs. */
    private Path recordCamera(Function<Path, Void> then) {
        BundleHub driver = new BundleHub(rig.engine, "driver");
        RecorderService recorder = new RecorderService(new BundleHub(rig.engine, "recorder"), Validators.defaults());
        Path file = rig.tmp.getRoot().toPath().resolve("cam.h5");
        try (ShmProducer producer = driver.createShmProducer("cam.frames", ShmOptions.DEFAULTS
                .withSlots(SCHEMA.size(), 8).withPolicy(ShmPolicy.RELIABLE).withReliableTimeout(Duration.ofSeconds(5))
                .withMetadata(Map.of("instrument", "cam1")).withSchema(SCHEMA))) {
            recorder.start(List.of("cam.frames"), file);
            for (int s = 0; s < N; s++) {
                producer.publish(frame(s));
            }
            Await.until("the recorder took every frame", WAIT, () -> recorder.status().frames().get("cam.frames") == N);
            recorder.stop();
            then.apply(file);
        }
        return file;
    }

    private static List<byte[]> take(ShmConsumer c, int n, List<Long> timestamps, List<Long> sequences) {
        List<byte[]> out = new ArrayList<>();
        while (out.size() < n) {
            ShmFrame f = c.next(WAIT);
            try {
                out.add(f.segment().toArray(ValueLayout.JAVA_BYTE));
                timestamps.add(f.timestampNanos());
                sequences.add(f.sequence());
            } finally {
                f.release();
            }
        }
        return out;
    }

    @Test
    public void aReplayAtMaxRateGivesEveryRecordedFrameByteForByteAndSaysItIsAReplay() {
        Path file = recordCamera(f -> {
            try {
                rig.replayer.start(f, Replayer.Options.DEFAULTS.withRate(Replayer.MAX));
                fail("the recorded name is the live producer's");
            } catch (ChannelExistsException expected) {
                // the Hub's own refusal: --as gives another name
            }
            assertTrue("a refused replay leaves nothing running", rig.replayer.status().isEmpty());
            return null;
        });
        List<Replayer.Status> started = rig.replayer.start(file,
                Replayer.Options.DEFAULTS.withAs("cam.replay").withRate(Replayer.MAX).withConsumers(1));
        assertEquals("cam.replay", started.getFirst().name());
        assertEquals("waiting", started.getFirst().state());
        List<Long> ts = new ArrayList<>();
        List<Long> seq = new ArrayList<>();
        try (ShmConsumer c = rig.consumers.openShmConsumer("cam.replay")) {
            List<byte[]> got = take(c, N, ts, seq);
            for (int s = 0; s < N; s++) {
                assertArrayEquals("frame " + s, frame(s), got.get(s));
            }
            ChannelInfo info = rig.consumers.find("cam.replay").orElseThrow();
            assertEquals("true", info.metadata().get("replay"));
            assertEquals(file.toAbsolutePath().toString(), info.metadata().get("source"));
            assertEquals("cam1", info.metadata().get("instrument"));
            assertEquals("the recorded policy", "reliable", info.metadata().get("shm.policy"));
            assertEquals(SCHEMA.hash(), info.schemaHash());
            Await.until("the replay is done", WAIT, () -> rig.replayer.status().getFirst().state().equals("done"));
            assertEquals(N, rig.replayer.status().getFirst().frames());
        }
        List<Replayer.Status> stopped = rig.replayer.stop("cam.replay");
        assertEquals("stopped", stopped.getFirst().state());
        assertTrue(rig.replayer.status().isEmpty());
    }

    @Test
    public void aReplayAt1xKeepsTheRecordedTimingAndASchemaLessPayload() {
        Path file = rig.tmp.getRoot().toPath().resolve("timed.h5");
        int n = 12;
        byte[][] payloads = new byte[n][];
        long[] recorded = new long[n];
        long t0 = 1_700_000_000_000_000_000L;
        for (int k = 0; k < n; k++) {
            payloads[k] = new byte[1 + k * 7];
            new Random(k).nextBytes(payloads[k]);
            recorded[k] = t0 + k * 20_000_000L + (k >= n / 2 ? 100_000_000L : 0); // 20 ms apart, one 120 ms gap
        }
        RecordingFixture.untyped(file, "scope.trace", "shm", Map.of("shm.policy", "reliable"), payloads, recorded);
        rig.replayer.start(file, Replayer.Options.DEFAULTS.withConsumers(1));
        List<Long> ts = new ArrayList<>();
        List<Long> seq = new ArrayList<>();
        try (ShmConsumer c = rig.consumers.openShmConsumer("scope.trace")) {
            List<byte[]> got = take(c, n, ts, seq);
            for (int k = 0; k < n; k++) {
                assertArrayEquals("entry " + k, payloads[k], got.get(k));
            }
        }
        long recordedSpan = recorded[n - 1] - recorded[0];
        long tolerance = 30_000_000L; // generous: timers and a loaded machine only ever make the replay later
        for (int k = 1; k < n; k++) {
            assertTrue("in order", ts.get(k) >= ts.get(k - 1) && seq.get(k) > seq.get(k - 1));
        }
        long gapAt = n / 2;
        assertTrue("the recorded gap is kept: " + (ts.get((int) gapAt) - ts.get((int) gapAt - 1)),
                ts.get((int) gapAt) - ts.get((int) gapAt - 1) >= 120_000_000L - tolerance);
        long span = ts.get(n - 1) - ts.getFirst();
        assertTrue("replayed span " + span + " ns, recorded " + recordedSpan, span >= recordedSpan - tolerance);
    }

    @Test
    public void aLoopGoesOnWithTheSequenceUntilStopped() {
        Path file = rig.tmp.getRoot().toPath().resolve("loop.h5");
        int n = 5;
        byte[][] payloads = new byte[n][];
        long[] recorded = new long[n];
        for (int k = 0; k < n; k++) {
            payloads[k] = new byte[] {(byte) k, (byte) (k * 3), 42};
            recorded[k] = 1_000_000L * k;
        }
        RecordingFixture.untyped(file, "loop.src", "shm", Map.of("shm.policy", "reliable"), payloads, recorded);
        rig.replayer.start(file, Replayer.Options.DEFAULTS.withAs("loop.out").withRate(Replayer.MAX).withLoop(true)
                .withConsumers(1));
        List<Long> seq = new ArrayList<>();
        try (ShmConsumer c = rig.consumers.openShmConsumer("loop.out")) {
            List<byte[]> got = take(c, 3 * n, new ArrayList<>(), seq);
            for (int k = 0; k < got.size(); k++) {
                assertArrayEquals("entry " + k, payloads[k % n], got.get(k));
                if (k > 0) {
                    assertEquals("the sequence goes on across passes", seq.get(k - 1) + 1, (long) seq.get(k));
                }
            }
            assertTrue(rig.replayer.status().getFirst().passes() >= 3);
            assertEquals("running", rig.replayer.status().getFirst().state());
        }
        Replayer.Status stopped = rig.replayer.stop(null).getFirst();
        assertEquals("stopped", stopped.state());
        assertTrue(stopped.frames() >= 3 * n);
        Await.until("the replayed channel is gone", WAIT, () -> rig.consumers.find("loop.out").isEmpty());
        assertRule("replay.name", () -> rig.replayer.stop("loop.out"));
    }

    @Test
    public void badFilesAndOptionsAreTypedErrorsAndLeaveNothingBehind() throws Exception {
        Path dir = rig.tmp.newFolder("bad").toPath();
        Path good = recordCamera(f -> null);

        byte[] whole = Files.readAllBytes(good);
        Path truncated = dir.resolve("truncated.h5");
        Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length / 2));
        assertRule("replay.file", "unreadable", () -> rig.replayer.start(truncated, Replayer.Options.DEFAULTS));

        Path random = dir.resolve("random.h5");
        byte[] noise = new byte[4096];
        new Random(7).nextBytes(noise);
        Files.write(random, noise);
        assertRule("replay.file", "not an HDF5 file", () -> rig.replayer.start(random, Replayer.Options.DEFAULTS));

        Path foreign = dir.resolve("foreign.h5");
        RecordingFixture.write(foreign, false, "cam.frames", g -> g.putDataset("data", new int[] {1, 2, 3}));
        assertRule("replay.file", "did not write", () -> rig.replayer.start(foreign, Replayer.Options.DEFAULTS));

        assertRule("replay.file", "no such file", () -> rig.replayer.start(dir.resolve("absent.h5"), Replayer.Options.DEFAULTS));

        Path notJson = dir.resolve("notjson.h5");
        RecordingFixture.write(notJson, true, "cam.frames", g -> {
            g.putAttribute("kind", "shm");
            g.putAttribute("schema", "{\"fields\": [");
            g.putAttribute("entries", 0L);
        });
        assertRule("replay.file", "not JSON", () -> rig.replayer.start(notJson, Replayer.Options.DEFAULTS));

        Path badSchema = dir.resolve("badschema.h5");
        RecordingFixture.write(badSchema, true, "cam.frames", g -> {
            g.putAttribute("kind", "shm");
            g.putAttribute("schema", "{\"fields\":[{\"name\":\"x\",\"dtype\":\"u128\"}]}");
            g.putAttribute("entries", 0L);
        });
        assertRule("replay.file", "schema.dtype", () -> rig.replayer.start(badSchema, Replayer.Options.DEFAULTS));

        Path missingField = dir.resolve("missing.h5");
        RecordingFixture.write(missingField, true, "cam.frames", g -> typed(g, new int[2][SIDE][SIDE], false));
        assertRule("replay.file", "has no dataset", () -> rig.replayer.start(missingField, Replayer.Options.DEFAULTS));

        Path wrongShape = dir.resolve("shape.h5");
        RecordingFixture.write(wrongShape, true, "cam.frames", g -> typed(g, new int[2][SIDE][SIDE - 1], true));
        assertRule("replay.file", "gives the shape", () -> rig.replayer.start(wrongShape, Replayer.Options.DEFAULTS));

        Path wrongType = dir.resolve("type.h5");
        RecordingFixture.write(wrongType, true, "cam.frames", g -> typed(g, new long[2][SIDE][SIDE], true));
        assertRule("replay.file", "is stored as", () -> rig.replayer.start(wrongType, Replayer.Options.DEFAULTS));
        Path signed = dir.resolve("signed.h5"); // the right width, but int16 where the schema says u16
        RecordingFixture.write(signed, true, "cam.frames", g -> typed(g, new short[2][SIDE][SIDE], true, false));
        assertRule("replay.file", "is stored as", () -> rig.replayer.start(signed, Replayer.Options.DEFAULTS));

        assertRule("replay.channel", () -> rig.replayer.start(good, Replayer.Options.DEFAULTS.withChannel("nope")));
        Path log = dir.resolve("log.h5");
        RecordingFixture.write(log, true, "motor.cmd", g -> {
            g.putAttribute("kind", "reqrep");
            g.putAttribute("entries", 0L);
        });
        assertRule("replay.channel", "no shm or pubsub channel", () -> rig.replayer.start(log, Replayer.Options.DEFAULTS));
        assertRule("replay.file", "only shm and pubsub",
                () -> rig.replayer.start(log, Replayer.Options.DEFAULTS.withChannel("motor.cmd")));
        assertRule("replay.rate", () -> Replayer.Options.DEFAULTS.withRate(0));
        assertRule("replay.rate", () -> Replayer.Options.DEFAULTS.withRate(Double.NaN));
        for (String bad : new String[] {"fast", "0x", "-1x", "x", "1.5", "1e3x", ""}) {
            assertRule("replay.rate", () -> Replayer.Options.rate(bad));
        }
        assertEquals(2.5, Replayer.Options.rate("2.5x"), 0);
        assertEquals(Replayer.MAX, Replayer.Options.rate("max"), 0);

        assertTrue("nothing runs after refused starts", rig.replayer.status().isEmpty());
        Await.until("no channel is left registered", WAIT, () -> rig.consumers.channels().isEmpty());
        // and the replayer still works: the good file replays
        rig.replayer.start(good, Replayer.Options.DEFAULTS.withRate(Replayer.MAX));
        Await.until("the good file replays", WAIT, () -> rig.replayer.status().getFirst().state().equals("done"));
        assertEquals(N, rig.replayer.status().getFirst().frames());
    }

    /** The camera's group with two entries; pixels given as {@code pixels}, the count field's dataset optional. */
    private static void typed(io.jhdf.api.WritableGroup g, Object pixels, boolean withCount) {
        typed(g, pixels, withCount, true);
    }

    /** ... with the pixels' dataset signed or unsigned (the schema says u16: unsigned). */
    private static void typed(io.jhdf.api.WritableGroup g, Object pixels, boolean withCount, boolean pixelsUnsigned) {
        g.putAttribute("kind", "shm");
        g.putAttribute("schema", SCHEMA.toJson());
        g.putAttribute("entries", 2L);
        g.putDataset("sequence", new long[] {0, 1});
        g.putDataset("timestampNs", new long[] {0, 1});
        io.jhdf.api.WritableGroup fields = g.putGroup("fields");
        io.jhdf.api.DatasetCreationOptions unsigned = io.jhdf.api.DatasetCreationOptions.builder().unsigned().build();
        if (withCount) {
            fields.putDataset("count", new int[] {1, 2}, unsigned);
        }
        fields.putDataset("pixels", pixels, pixelsUnsigned ? unsigned : io.jhdf.api.DatasetCreationOptions.DEFAULT);
        fields.putDataset("gain", new double[] {1, 2});
        fields.putDataset("flag", new byte[] {1, 2}, unsigned);
    }

    private static void assertRule(String rule, Runnable r) {
        assertRule(rule, "", r);
    }

    /** @param says a part of the message: the check that refused, not another one */
    private static void assertRule(String rule, String says, Runnable r) {
        try {
            r.run();
            fail("expected rule " + rule);
        } catch (InvalidInputException e) {
            assertEquals(e.getMessage(), rule, e.rule());
            assertTrue(e.getMessage(), e.getMessage().contains(says));
        }
    }

    @Test
    public void aFileOfTwoChannelsReplaysBothUnderTheirNamesAndAsNeedsOne() {
        Schema temp = Schema.builder().field("kelvin", Dtype.F64).build();
        BundleHub driver = new BundleHub(rig.engine, "driver");
        RecorderService recorder = new RecorderService(new BundleHub(rig.engine, "recorder"), Validators.defaults());
        Path file = rig.tmp.getRoot().toPath().resolve("two.h5");
        ShmOptions reliable = ShmOptions.DEFAULTS.withPolicy(ShmPolicy.RELIABLE).withReliableTimeout(Duration.ofSeconds(5));
        List<byte[]> temps = new ArrayList<>();
        try (ShmProducer cam = driver.createShmProducer("cam.frames", reliable.withSlots(SCHEMA.size(), 8).withSchema(SCHEMA));
             ShmProducer thermo = driver.createShmProducer("lab.temp", reliable.withSlots(temp.size(), 8).withSchema(temp))) {
            recorder.start(List.of("cam.frames", "lab.temp"), file);
            for (int s = 0; s < N; s++) {
                cam.publish(frame(s));
                if (s % 5 == 0) {
                    byte[] t = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(0, 273.15 + s).array();
                    temps.add(t);
                    thermo.publish(t);
                }
            }
            Await.until("both recorded", WAIT, () -> recorder.status().frames().get("cam.frames") == N
                    && recorder.status().frames().get("lab.temp") == temps.size());
            recorder.stop();
        }
        assertRule("replay.as", "choose one with --channel",
                () -> rig.replayer.start(file, Replayer.Options.DEFAULTS.withAs("other.name")));
        Await.until("the recorded names are free", WAIT,
                () -> rig.consumers.find("cam.frames").isEmpty() && rig.consumers.find("lab.temp").isEmpty());
        List<Replayer.Status> started = rig.replayer.start(file, Replayer.Options.DEFAULTS.withRate(Replayer.MAX).withConsumers(1));
        assertEquals(List.of("cam.frames", "lab.temp"), started.stream().map(Replayer.Status::name).sorted().toList());
        try (ShmConsumer c = rig.consumers.openShmConsumer("cam.frames");
             ShmConsumer t = rig.consumers.openShmConsumer("lab.temp")) {
            List<byte[]> gotTemps = take(t, temps.size(), new ArrayList<>(), new ArrayList<>());
            List<byte[]> gotFrames = take(c, N, new ArrayList<>(), new ArrayList<>());
            for (int k = 0; k < temps.size(); k++) {
                assertArrayEquals("temperature " + k, temps.get(k), gotTemps.get(k));
            }
            for (int s = 0; s < N; s++) {
                assertArrayEquals("frame " + s, frame(s), gotFrames.get(s));
            }
        }
        assertEquals(2, rig.replayer.stop(null).size());
    }

    @Test
    public void theRecordedChannelNameIsFreeAgainAfterAStop() {
        Path file = recordCamera(f -> null);
        rig.replayer.start(file, Replayer.Options.DEFAULTS.withRate(Replayer.MAX));
        assertFalse(rig.consumers.find("cam.frames").isEmpty());
        rig.replayer.stop("cam.frames");
        Await.until("the name is free", WAIT, () -> rig.consumers.find("cam.frames").isEmpty());
        assertEquals("cam.frames", rig.replayer.start(file, Replayer.Options.DEFAULTS.withRate(Replayer.MAX)).getFirst().name());
    }
}
