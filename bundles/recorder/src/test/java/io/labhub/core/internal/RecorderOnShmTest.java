package io.labhub.core.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import io.labhub.api.ShmOptions;
import io.labhub.api.ShmPolicy;
import io.labhub.api.ShmProducer;
import io.labhub.api.schema.Dtype;
import io.labhub.api.schema.Schema;
import io.labhub.recorder.RecordingStatus;
import io.labhub.recorder.internal.RecorderService;
import io.labhub.recorder.internal.RecordingFiles;
import io.labhub.testkit.Await;
import io.labhub.testkit.Python;
import io.labhub.transport.shm.internal.RingSettings;
import io.labhub.transport.shm.internal.ShmTransportImpl;
import io.labhub.transport.shm.internal.platform.SegmentAccess;
import io.labhub.transport.shm.internal.platform.ShmPlatforms;
import io.labhub.validation.Validators;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The recorder on the real shm transport (a Hub engine with a local directory, as core's tests build it): a
 * reliable producer publishes N frames, h5py reads every one back.
 */
public class RecorderOnShmTest {

    private static final int N = 200;
    private static final int SIDE = 32;
    private static final Schema SCHEMA = Schema.builder()
            .field("count", Dtype.U32)
            .field("pixels", Dtype.U16, SIDE, SIDE)
            .build();

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final HubEngine engine = new HubEngine(Validators.defaults(), new LocalDirectory("local"));
    private ShmTransportImpl shm;

    @After
    public void tearDown() {
        if (shm != null) {
            shm.deactivate();
        }
        engine.shutdown();
    }

    @Test
    public void everyFrameOfAReliableProducerIsInTheFile() throws Exception {
        shm = new ShmTransportImpl(ShmPlatforms.load(tmp.newFolder("shm").toPath()), RingSettings.DEFAULTS,
                SegmentAccess.OWNER_ONLY);
        engine.addTransport(shm);
        BundleHub driver = new BundleHub(engine, "driver");
        RecorderService recorder = new RecorderService(new BundleHub(engine, "recorder"), Validators.defaults());
        Path file = tmp.getRoot().toPath().resolve("shm.h5");
        try (ShmProducer producer = driver.createShmProducer("cam.frames", ShmOptions.DEFAULTS
                .withSlots(SCHEMA.size(), 8).withPolicy(ShmPolicy.RELIABLE).withReliableTimeout(Duration.ofSeconds(5))
                .withSchema(SCHEMA))) {
            recorder.start(List.of("cam.frames"), file);
            ByteBuffer b = ByteBuffer.allocate(SCHEMA.size()).order(ByteOrder.LITTLE_ENDIAN);
            for (int s = 0; s < N; s++) {
                b.putInt(0, s);
                for (int i = 0; i < SIDE * SIDE; i++) {
                    b.putShort(4 + 2 * i, (short) ((s * 131 + i * 7919) & 0xFFFF));
                }
                producer.publish(b.array());
            }
            Await.until("the recorder took every frame", Duration.ofSeconds(20),
                    () -> recorder.status().frames().get("cam.frames") == N);
        }
        RecordingStatus done = recorder.stop();
        assertEquals(Long.valueOf(0), done.gaps().get("cam.frames"));
        assertEquals(Map.of("cam.frames", (long) N), RecordingFiles.channels(file));

        assumeTrue("python3-h5py is missing", Python.has("h5py"));
        Python.Result out = Python.run(String.join("\n",
                "import h5py, numpy as np, sys",
                "g = h5py.File(sys.argv[1], 'r')['cam.frames']",
                "n = " + N,
                "seq = g['sequence'][:]",
                "assert len(seq) == n and (np.diff(seq) == 1).all(), seq",
                "assert (g['skipped'][:] == 0).all()",
                "c = g['fields/count'][:].astype(np.int64)",
                "assert (c == np.arange(n)).all(), c",
                "i = np.arange(" + SIDE * SIDE + ", dtype=np.int64)[None, :]",
                "want = ((c[:, None] * 131 + i * 7919) & 0xFFFF).reshape(n, " + SIDE + ", " + SIDE + ")",
                "assert (g['fields/pixels'][:] == want).all()",
                "assert (g['receivedNs'][:] >= g['timestampNs'][:] - 10**9).all()",
                "print('ok')"), file.toString());
        assertTrue(out.output(), out.exit() == 0 && out.output().contains("ok"));
    }

    @Test
    public void theRecorderFollowsARestartedProducerAndMarksTheGap() throws Exception {
        shm = new ShmTransportImpl(ShmPlatforms.load(tmp.newFolder("shm").toPath()), RingSettings.DEFAULTS,
                SegmentAccess.OWNER_ONLY);
        engine.addTransport(shm);
        BundleHub driver = new BundleHub(engine, "driver");
        RecorderService recorder = new RecorderService(new BundleHub(engine, "recorder"), Validators.defaults());
        Path file = tmp.getRoot().toPath().resolve("restart.h5");
        ShmOptions options = ShmOptions.DEFAULTS.withSlots(SCHEMA.size(), 8).withPolicy(ShmPolicy.RELIABLE)
                .withReliableTimeout(Duration.ofSeconds(5)).withSchema(SCHEMA);
        ByteBuffer b = ByteBuffer.allocate(SCHEMA.size()).order(ByteOrder.LITTLE_ENDIAN);
        try (ShmProducer first = driver.createShmProducer("cam.frames", options)) {
            recorder.start(List.of("cam.frames"), file);
            for (int s = 0; s < 10; s++) {
                b.putInt(0, s);
                first.publish(b.array());
            }
            Await.until("ten frames of the first producer", Duration.ofSeconds(20),
                    () -> recorder.status().frames().get("cam.frames") == 10);
        }
        // the driver restarts: the same channel on a new segment, its sequence from the start again; 8 frames
        // fit its ring, so all are read whether the consumer switches before or after they are published
        try (ShmProducer second = driver.createShmProducer("cam.frames", options)) {
            for (int s = 100; s < 108; s++) {
                b.putInt(0, s);
                second.publish(b.array());
            }
            Await.until("eight frames of the restarted producer too", Duration.ofSeconds(20),
                    () -> recorder.status().frames().get("cam.frames") == 18);
        }
        RecordingStatus done = recorder.stop();
        assertEquals(done.toString(), Map.of(), done.errors());
        assumeTrue("python3-h5py is missing", Python.has("h5py"));
        Python.Result out = Python.run(String.join("\n",
                "import h5py, numpy as np, sys",
                "g = h5py.File(sys.argv[1], 'r')['cam.frames']",
                "c = g['fields/count'][:]",
                "assert list(c) == list(range(10)) + list(range(100, 108)), c",
                "k = g['skipped'][:]",
                "assert k[10] == -1 and (np.delete(k, 10) == 0).all(), k",
                "assert g.attrs['producerRestarts'] == 1",
                "print('ok')"), file.toString());
        assertTrue(out.output(), out.exit() == 0 && out.output().contains("ok"));
    }

}
