package io.labhub.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelState;
import io.labhub.api.ConsumerOptions;
import io.labhub.api.Hub;
import io.labhub.api.InvalidInputException;
import io.labhub.api.RequestClient;
import io.labhub.api.ShmConsumer;
import io.labhub.api.ShmFrame;
import io.labhub.recorder.Recorder;
import io.labhub.recorder.Replayer;
import io.labhub.recorder.RecordingStatus;
import io.labhub.testkit.Await;
import io.labhub.testkit.Python;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * Issue 18 in a real framework with the {@code recorder} feature: the sample camera (small frames, fast, by its
 * .cfg) and thermometer hot-deployed, recorded through the {@link Recorder} service and through a
 * {@code io.labhub.recorder.cfg} dropped in and removed; h5py (the HDF5 reference library) reads every camera
 * frame and checks its sequence and its known pattern, and the thermometer's readings of the same seconds; the
 * stage's request/reply log holds each request, its reply, and the typed error of a bad one.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RecorderIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int WIDTH = 64;
    private static final int HEIGHT = 48;

    @Inject
    private Hub hub;

    @Inject
    private Recorder recorder;

    @Inject
    private Replayer replayer;

    static Path deployDir() {
        return It.workDir().resolve("pax-recorder-deploy");
    }

    static Path outDir() {
        return It.workDir().resolve("pax-recorder-out");
    }

    @Configuration
    public Option[] config() throws Exception {
        Path home = It.workDir().resolve("pax-recorder-home");
        PaxFeatures.freshDirectories(deployDir(), home);
        It.deleteTree(outDir());
        Files.createDirectories(outDir());
        return PaxFeatures.framework(deployDir(), home, "boot", "framework", "base", "broker", "core", "shm", "zmq",
                "recorder");
    }

    private void awaitSamples() throws java.io.IOException {
        Await.until("all transports", WAIT, () -> hub.status().transports().equals(java.util.EnumSet.allOf(ChannelKind.class)));
        // written once the framework runs, as CoreFeatureIT configures its driver: FileInstall applies it then
        Path camera = deployDir().resolve("io.labhub.sample.camera.cfg");
        if (!Files.exists(camera)) {
            Files.writeString(camera, "width = " + WIDTH + "\nheight = " + HEIGHT + "\nrateHz = 50\nslots = 8\n");
        }
        for (String sample : new String[] {"camera", "thermometer", "stage"}) {
            String jar = "labhub-sample-" + sample + ".jar";
            if (!Files.exists(deployDir().resolve(jar))) {
                Files.copy(It.samplesDir().resolve(jar), deployDir().resolve(jar));
            }
        }
        for (String name : new String[] {"camera1.frames", "lab.thermometer", "stage.x"}) {
            Await.until(name + " registered", WAIT,
                    () -> hub.find(name).map(i -> i.state() == ChannelState.ACTIVE).orElse(false));
        }
        Await.until("the camera at " + WIDTH + "x" + HEIGHT, WAIT,
                () -> Integer.toString(WIDTH).equals(hub.find("camera1.frames").orElseThrow().metadata().get("width")));
    }

    @Test
    public void theCameraAndTheThermometerRecordedThroughTheServiceAreReadByH5py() throws Exception {
        awaitSamples();
        Path file = outDir().resolve("service.h5");
        recorder.start(List.of("camera1.frames", "lab.thermometer"), file);
        Await.until("100 camera frames recorded", Duration.ofSeconds(60),
                () -> recorder.status().frames().get("camera1.frames") >= 100);
        RecordingStatus done = recorder.stop();
        assertNull(done.fileError());
        assertEquals(done.errors().toString(), 0, done.errors().size());
        assertTrue(Files.isRegularFile(file));
        h5py(file, done.frames().get("camera1.frames"));
    }

    @Test
    public void aCfgStartsTheRecordingAndItsRemovalWritesTheFile() throws Exception {
        awaitSamples();
        Path file = outDir().resolve("cfg.h5");
        Path cfg = deployDir().resolve("io.labhub.recorder.cfg");
        Files.writeString(cfg, "channels = camera1.frames, lab.thermometer\nfile = " + file + "\n");
        Await.until("the .cfg's recording runs", WAIT,
                () -> recorder.status().recording() && file.equals(recorder.status().file()));
        Await.until("100 camera frames recorded", Duration.ofSeconds(60),
                () -> recorder.status().frames().get("camera1.frames") >= 100);
        Files.delete(cfg);
        Await.until("the recording stops with its .cfg", WAIT, () -> !recorder.status().recording());
        RecordingStatus done = recorder.status();
        assertNull(done.fileError());
        assertTrue(Files.isRegularFile(file));
        h5py(file, done.frames().get("camera1.frames"));
    }

    @Test
    public void theStagesRequestsAndRepliesAreLoggedWithTheTypedErrors() throws Exception {
        awaitSamples();
        Path file = outDir().resolve("stage.h5");
        recorder.start(List.of("stage.x"), file);
        try (RequestClient stage = hub.openClient("stage.x", ConsumerOptions.DEFAULTS.withWaitForChannel(WAIT))) {
            assertTrue(new String(stage.request("move 2.5".getBytes(StandardCharsets.UTF_8), WAIT), StandardCharsets.UTF_8)
                    .startsWith("moved to 2.500 mm"));
            assertThrows(InvalidInputException.class, () -> stage.request("dance".getBytes(StandardCharsets.UTF_8), WAIT));
            assertEquals("position 2.500 mm",
                    new String(stage.request("position".getBytes(StandardCharsets.UTF_8), WAIT), StandardCharsets.UTF_8));
        }
        Await.until("three exchanges logged", WAIT, () -> recorder.status().frames().get("stage.x") == 3);
        RecordingStatus done = recorder.stop();
        assertNull(done.fileError());
        assumeTrue("python3-h5py is not installed (Debian: apt-get install python3-h5py)",
                Python.has("h5py", "numpy"));
        Python.Result out = Python.run(String.join("\n",
                "import h5py, numpy as np, sys",
                "g = h5py.File(sys.argv[1], 'r')['stage.x']",
                "assert g.attrs['kind'] == b'reqrep', g.attrs['kind']",
                "text = lambda d, l, k: bytes(g[d][k, :g[l][k]].astype(np.uint8)).decode()",
                "req = [text('request', 'requestLength', k) for k in range(3)]",
                "rep = [text('reply', 'replyLength', k) for k in range(3)]",
                "assert req == ['move 2.5', 'dance', 'position'], req",
                "assert list(g['ok'][:]) == [1, 0, 1], g['ok'][:]",
                "assert rep[0].startswith('moved to 2.500 mm') and rep[2] == 'position 2.500 mm', rep",
                "assert 'unknown command' in rep[1], rep[1]",
                "assert list(g['sequence'][:]) == [1, 2, 3] and (g['skipped'][:] == 0).all()",
                "print('ok')"), file.toString());
        assertTrue(out.output(), out.exit() == 0 && out.output().contains("ok"));
    }

    @Test
    public void aReplayOfTheCameraLooksLikeTheCameraToAConsumer() throws Exception {
        awaitSamples();
        Path file = outDir().resolve("replay.h5");
        recorder.start(List.of("camera1.frames"), file);
        Await.until("40 camera frames recorded", Duration.ofSeconds(60),
                () -> recorder.status().frames().get("camera1.frames") >= 40);
        RecordingStatus done = recorder.stop();
        long n = done.frames().get("camera1.frames");
        // at the recorded timing (50 Hz): the camera's ring is LATEST, so at max a replay would overrun a consumer
        replayer.start(file, Replayer.Options.DEFAULTS.withAs("camera1.replay").withRate(1).withConsumers(1));
        try (ShmConsumer replay = hub.openShmConsumer("camera1.replay", ConsumerOptions.DEFAULTS.withWaitForChannel(WAIT))) {
            var info = hub.find("camera1.replay").orElseThrow();
            assertEquals("true", info.metadata().get("replay"));
            assertEquals(Integer.toString(WIDTH), info.metadata().get("width"));
            assertEquals(hub.find("camera1.frames").orElseThrow().schema().hash(), info.schema().hash());
            var u64 = java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
            var u16 = java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
            long firstSequence = -1;
            int shift0 = -1;
            for (int k = 0; k < n; k++) {
                try (ShmFrame f = replay.next(WAIT)) {
                    var s = f.segment();
                    long seq = s.get(u64, 0); // the camera's own header: the recorded frame's sequence
                    if (k == 0) {
                        firstSequence = seq;
                        int zero = 0; // the column where row 0's ramp wraps to 0
                        for (int c = 0; c < WIDTH; c++) {
                            zero = Short.toUnsignedInt(s.get(u16, 32 + 2L * c)) == 0 ? c : zero;
                        }
                        shift0 = (WIDTH - zero) % WIDTH;
                    }
                    assertEquals("frame " + k, firstSequence + k, seq);
                    assertEquals("frames skipped before " + k, 0, f.skipped());
                    for (int r = 0; r < HEIGHT; r++) {
                        for (int c = 0; c < WIDTH; c++) {
                            int want = ((shift0 + k + r + c) % WIDTH) * 65535 / (WIDTH - 1);
                            assertEquals("frame " + k + " pixel " + r + "," + c, want,
                                    Short.toUnsignedInt(s.get(u16, 32 + 2L * (r * WIDTH + c))));
                        }
                    }
                }
            }
        } finally {
            replayer.stop(null);
        }
    }

    /**
     * A pub/sub replay over real ZeroMQ: the thermometer recorded while a subscriber of this test also read it
     * live, then replayed in a loop at 10x under another name. Every replayed message is one the thermometer sent,
     * byte for byte, each recorded reading comes back, and the channel carries the schema and the replay's marks.
     */
    @Test
    public void aReplayOfTheThermometerSendsItsRecordedReadingsOverZeroMq() throws Exception {
        awaitSamples();
        Path file = outDir().resolve("thermometer.h5");
        java.util.Set<String> live = new java.util.HashSet<>();
        RecordingStatus done;
        try (io.labhub.api.Subscriber s = hub.openSubscriber("lab.thermometer", ConsumerOptions.DEFAULTS.withWaitForChannel(WAIT))) {
            live.add(text(s.receive(WAIT))); // connected: it sees every reading from now on
            recorder.start(List.of("lab.thermometer"), file);
            Await.until("8 readings recorded", Duration.ofSeconds(60),
                    () -> recorder.status().frames().getOrDefault("lab.thermometer", 0L) >= 8);
            done = recorder.stop();
            live.add(text(s.receive(WAIT))); // one past the stop: the live set covers every recorded reading
            for (java.util.Optional<io.labhub.api.Message> m = s.poll(); m.isPresent(); m = s.poll()) {
                live.add(text(m.get()));
            }
        }
        assertNull(done.fileError());
        long n = done.frames().get("lab.thermometer");
        replayer.start(file, Replayer.Options.DEFAULTS.withAs("lab.thermometer.replay").withRate(10).withLoop(true));
        try (io.labhub.api.Subscriber replay = hub.openSubscriber("lab.thermometer.replay",
                ConsumerOptions.DEFAULTS.withWaitForChannel(WAIT))) {
            var info = hub.find("lab.thermometer.replay").orElseThrow();
            assertEquals("true", info.metadata().get("replay"));
            assertEquals(file.toAbsolutePath().toString(), info.metadata().get("source"));
            assertEquals("celsius", info.metadata().get("unit"));
            assertEquals(hub.find("lab.thermometer").orElseThrow().schema().hash(), info.schema().hash());
            java.util.Set<String> replayed = new java.util.HashSet<>();
            for (int k = 0; k < 3 * n; k++) { // three passes' worth: a late join loses at most part of one
                String reading = text(replay.receive(WAIT));
                assertTrue("replayed reading " + k + " is one the thermometer sent: " + reading, live.contains(reading));
                replayed.add(reading);
            }
            assertEquals("every recorded reading came back", n, replayed.size());
        } finally {
            replayer.stop(null);
        }
    }

    private static String text(io.labhub.api.Message m) {
        return new String(m.payload(), java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * Every camera frame: consecutive sequence numbers (the recorder kept up: skipped 0), the frame's own sequence
     * header equal to the recorded one, and the camera's moving ramp (row r of frame f is the ramp shifted by
     * f + r columns); thermometer readings in the camera's seconds.
     */
    private static void h5py(Path file, long cameraFrames) throws Exception {
        assumeTrue("python3-h5py is not installed (Debian: apt-get install python3-h5py)",
                Python.has("h5py", "numpy"));
        Python.Result out = Python.run(String.join("\n",
                "import h5py, numpy as np, sys",
                "f = h5py.File(sys.argv[1], 'r')",
                "assert f.attrs['labhub.recording'] == b'1'",
                "g = f['camera1.frames']",
                "n, w, h = " + cameraFrames + ", " + WIDTH + ", " + HEIGHT,
                "seq = g['sequence'][:]",
                "assert len(seq) == n and (np.diff(seq) == 1).all() and (g['skipped'][:] == 0).all(), seq",
                "assert (g['fields/sequence'][:] == seq).all()",
                "px = g['fields/pixels'][:]",
                "assert px.shape == (n, h, w) and px.dtype == np.uint16, (px.shape, px.dtype)",
                "ramp = (np.arange(2 * w) % w) * 65535 // (w - 1)",
                "shift0 = int(np.argmin(px[0, 0]))  # the column where the ramp wraps to 0",
                "s0 = (w - shift0) % w",
                "for k in range(n):",
                "    for r in range(h):",
                "        s = (s0 + k + r) % w",
                "        assert (px[k, r] == ramp[s:s + w]).all(), (k, r)",
                "t = f['lab.thermometer']",
                "m = int(t.attrs['entries'])",
                "assert m >= 1, m",
                "ts = g['timestampNs'][:]",
                "tt = t['timestampNs'][:]",
                "assert (np.diff(t['sequence'][:]) >= 1).all()",
                "assert tt.min() >= ts.min() - 2 * 10**9 and tt.max() <= ts.max() + 2 * 10**9, (tt, ts)",
                "print('ok', n, m)"), file.toString());
        assertTrue(out.output(), out.exit() == 0 && out.output().contains("ok"));
    }

}
