package io.labhub.recorder.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.junit.Assume.assumeTrue;

import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelName;
import io.labhub.api.ChannelState;
import io.labhub.api.ChannelTimeoutException;
import io.labhub.api.Hub;
import io.labhub.api.InvalidInputException;
import io.labhub.api.Message;
import io.labhub.api.Subscriber;
import io.labhub.api.ShmConsumer;
import io.labhub.api.ShmFrame;
import io.labhub.api.schema.Dtype;
import io.labhub.api.schema.Schema;
import io.labhub.recorder.RecordingStatus;
import io.labhub.validation.Validators;
import io.labhub.testkit.Await;
import io.labhub.testkit.Python;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Records frames of an shm consumer (a scripted one behind the Hub API: the recorder only sees {@code Hub} and
 * {@code ShmConsumer}) and reads the file back with h5py, the HDF5 reference library.
 */
public class RecorderTest {

    private static final int N = 100;
    private static final int W = 8;
    private static final int H = 4;
    private static final Schema SCHEMA = Schema.builder()
            .field("seq", Dtype.U64)
            .field("pixels", Dtype.U16, H, W).unit("counts")
            .field("gain", Dtype.F32)
            .attribute("pixelFormat", "mono16")
            .build();

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final BlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
    /** queued instead of a frame: the consumer throws */
    private static final byte[] BROKEN = new byte[0];

    /** pixel i of frame s: spans the whole u16 range, so a signed store would show */
    static int pixel(long s, int i) {
        return (int) ((s * 977 + i * 4099L) & 0xFFFF);
    }

    static byte[] frame(long s) {
        ByteBuffer b = ByteBuffer.allocate(SCHEMA.size()).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, s);
        for (int i = 0; i < W * H; i++) {
            b.putShort(8 + 2 * i, (short) pixel(s, i));
        }
        b.putFloat(8 + 2 * W * H, s * 0.5f);
        return b.array();
    }

    private Hub hub() {
        ChannelInfo info = new ChannelInfo(new ChannelName("cam.frames"), ChannelKind.SHM, "producer", "seg", null,
                Map.of("width", Integer.toString(W)), 1, ChannelState.ACTIVE, SCHEMA);
        long[] next = {1};
        ShmConsumer consumer = (ShmConsumer) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ShmConsumer.class}, (p, m, a) -> switch (m.getName()) {
                    case "next" -> {
                        byte[] f = frames.poll(((Duration) a[0]).toMillis(), TimeUnit.MILLISECONDS);
                        if (f == BROKEN) {
                            throw new IllegalStateException("the consumer broke");
                        }
                        if (f == null) {
                            throw new ChannelTimeoutException("no frame");
                        }
                        long seq = next[0]++;
                        yield frame(seq, f);
                    }
                    case "close" -> null;
                    case "counters" -> new io.labhub.api.ChannelCounters(0, 0, 0, 0, 0, 0, 0, 0, 0);
                    case "isOpen" -> true;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
        return (Hub) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Hub.class},
                (p, m, a) -> switch (m.getName()) {
                    case "find" -> Optional.of(info);
                    case "openShmConsumer" -> consumer;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    private static ShmFrame frame(long seq, byte[] payload) {
        return new ShmFrame() {
            public long sequence() { return seq; }
            public long timestampNanos() { return 1_700_000_000_000_000_000L + seq; }
            public long skipped() { return 0; }
            public MemorySegment segment() { return MemorySegment.ofArray(payload).asReadOnly(); }
            public boolean release() { return true; }
            public void close() { }
        };
    }

    @Test
    public void recordsEveryFrameAndH5pyReadsThem() throws Exception {
        RecorderService recorder = new RecorderService(hub(), Validators.defaults());
        Path file = tmp.getRoot().toPath().resolve("run.h5");
        recorder.start(List.of("cam.frames"), file);
        try {
            recorder.start(List.of("cam.frames"), tmp.getRoot().toPath().resolve("other.h5"));
            fail("a second start must be refused");
        } catch (InvalidInputException e) {
            assertEquals("recorder.busy", e.rule());
        }
        for (long s = 1; s <= N; s++) {
            frames.add(frame(s));
        }
        Await.until("the recorder took every frame", Duration.ofSeconds(10),
                () -> recorder.status().frames().get("cam.frames") == N);
        RecordingStatus done = recorder.stop();
        assertFalse(done.recording());
        assertEquals(Long.valueOf(N), done.frames().get("cam.frames"));
        assertEquals(Map.of("cam.frames", (long) N), RecordingFiles.channels(file));
        try (var s = Files.list(tmp.getRoot().toPath())) {
            assertEquals("spools are removed after the export", List.of(file), s.toList());
        }

        assumeTrue("python3-h5py is missing", Python.has("h5py"));
        String script = String.join("\n",
                "import h5py, numpy as np, json, sys",
                "f = h5py.File(sys.argv[1], 'r')",
                "a = lambda o, k: o.attrs[k].decode() if isinstance(o.attrs[k], bytes) else o.attrs[k]",
                "g = f['cam.frames']",
                "n = " + N,
                "assert g.attrs['entries'] == n, g.attrs['entries']",
                "assert list(g['sequence'][:]) == list(range(1, n + 1))",
                "assert list(g['timestampNs'][:] - 1700000000000000000) == list(range(1, n + 1))",
                "assert (g['receivedNs'][:] > 1700000000000000000).all()",
                "px = g['fields/pixels']",
                "assert px.shape == (n, " + H + ", " + W + "), px.shape",
                "assert a(px, 'dtype') == 'u16' and a(px, 'unit') == 'counts' and px.dtype == np.uint16",
                "s = np.arange(1, n + 1, dtype=np.int64)[:, None]",
                "i = np.arange(" + (W * H) + ", dtype=np.int64)[None, :]",
                "want = ((s * 977 + i * 4099) & 0xFFFF).reshape(n, " + H + ", " + W + ")",
                "assert (px[:] == want).all()",
                "assert (g['fields/seq'][:] == np.arange(1, n + 1)).all()",
                "assert np.allclose(g['fields/gain'][:], np.arange(1, n + 1) * 0.5)",
                "assert json.loads(a(g, 'schema'))['attributes']['pixelFormat'] == 'mono16'",
                "assert a(g, 'metadata.width') == '" + W + "'",
                "assert a(f, 'runStart') <= a(f, 'runStop')",
                "print('ok')");
        Python.Result r = Python.run(script, file.toString());
        assertEquals(r.output(), 0, r.exit());
        assertTrue(r.output(), r.output().contains("ok"));
    }

    @Test
    public void truncatedOrForeignFilesAreTypedErrors() throws Exception {
        RecorderService recorder = new RecorderService(hub(), Validators.defaults());
        Path file = tmp.getRoot().toPath().resolve("run.h5");
        recorder.start(List.of("cam.frames"), file);
        for (long s = 1; s <= 5; s++) {
            frames.add(frame(s));
        }
        Await.until("five frames", Duration.ofSeconds(10), () -> recorder.status().frames().get("cam.frames") == 5);
        recorder.stop();
        byte[] whole = Files.readAllBytes(file);
        Path truncated = tmp.getRoot().toPath().resolve("truncated.h5");
        Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length / 3));
        Path foreign = tmp.getRoot().toPath().resolve("foreign.h5");
        Files.writeString(foreign, "not hdf5 at all");
        Path empty = tmp.getRoot().toPath().resolve("empty.h5");
        Files.write(empty, new byte[0]);
        for (Path bad : List.of(truncated, foreign, empty)) {
            try {
                RecordingFiles.channels(bad);
                fail(bad + " must be refused");
            } catch (InvalidInputException e) {
                assertEquals(bad.toString(), "recorder.file", e.rule());
            }
        }
        try {
            recorder.start(List.of("cam.frames"), file);
            fail("an existing file must be refused");
        } catch (InvalidInputException e) {
            assertEquals("recorder.file", e.rule());
        }
    }

    @Test
    public void aPubSubChannelWithoutSchemaIsRecordedAsRawPayloads() throws Exception {
        ChannelInfo info = new ChannelInfo(new ChannelName("lab.log"), ChannelKind.PUBSUB, "producer", "tcp://x", null,
                Map.of(), 1, ChannelState.ACTIVE, null);
        BlockingQueue<Message> messages = new LinkedBlockingQueue<>();
        Subscriber subscriber = (Subscriber) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Subscriber.class}, (p, m, a) -> switch (m.getName()) {
                    case "receive" -> {
                        Message msg = messages.poll(((Duration) a[0]).toMillis(), TimeUnit.MILLISECONDS);
                        if (msg == null) {
                            throw new ChannelTimeoutException("no message");
                        }
                        yield msg;
                    }
                    case "close" -> null;
                    case "counters" -> new io.labhub.api.ChannelCounters(0, 0, 0, 0, 0, 0, 0, 0, 0);
                    case "isOpen" -> true;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
        Hub hub = (Hub) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Hub.class},
                (p, m, a) -> switch (m.getName()) {
                    case "find" -> Optional.of(info);
                    case "openSubscriber" -> subscriber;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
        RecorderService recorder = new RecorderService(hub, Validators.defaults());
        Path file = tmp.getRoot().toPath().resolve("log.h5");
        recorder.start(List.of("lab.log"), file);
        for (int s = 1; s <= 20; s++) {
            messages.add(new Message(s, 1_000L * s, s == 7 ? 2 : 0, ("line " + s).getBytes(StandardCharsets.UTF_8)));
        }
        Await.until("twenty messages", Duration.ofSeconds(10), () -> recorder.status().frames().get("lab.log") == 20);
        assertEquals(Long.valueOf(2), recorder.stop().gaps().get("lab.log"));
        assumeTrue("python3-h5py is missing", Python.has("h5py"));
        Python.Result r = Python.run(String.join("\n",
                "import h5py, sys",
                "g = h5py.File(sys.argv[1], 'r')['lab.log']",
                "assert g.attrs['kind'] == b'pubsub', g.attrs['kind']",
                "p, n = g['payload'][:], g['length'][:]",
                "got = [bytes(p[i, :n[i]].view('u1')).decode() for i in range(len(n))]",
                "assert got == ['line %d' % s for s in range(1, 21)], got",
                "assert list(g['skipped'][:]).index(2) == 6 and sum(g['skipped'][:]) == 2",
                "print('ok')"), file.toString());
        assertEquals(r.output(), 0, r.exit());
    }

    @Test
    public void aFailingConsumerStopsItsChannelAndTheStatusSaysWhy() throws Exception {
        RecordCommands commands = new RecordCommands(new RecorderService(hub(), Validators.defaults()));
        Path file = tmp.getRoot().toPath().resolve("broken.h5");
        commands.record("start", "cam.frames", "--to", file.toString());
        frames.add(frame(1));
        frames.add(BROKEN);
        Await.until("the failure is reported", Duration.ofSeconds(10),
                () -> commands.record("status").matches("(?s).*cam.frames: 1 frames, 0 lost, stopped: recorder.consumer: reading channel"
                        + " cam.frames .* failed: java.lang.IllegalStateException: the consumer broke.*"));
        commands.record("stop");
        assertEquals("the frame before the failure is in the file", Map.of("cam.frames", 1L), RecordingFiles.channels(file));
    }

    @Test
    public void shellCommandsStartStopAndReport() throws Exception {
        RecordCommands commands = new RecordCommands(new RecorderService(hub(), Validators.defaults()));
        Path file = tmp.getRoot().toPath().resolve("shell.h5");
        assertEquals("not recording", commands.record("status"));
        assertTrue(commands.record("start", "cam.frames", "--to", file.toString()).startsWith("recording to " + file));
        frames.add(frame(1));
        frames.add(frame(2));
        Await.until("two frames", Duration.ofSeconds(10), () -> commands.record("status").contains("cam.frames: 2 frames, 0 lost"));
        String stopped = commands.record("stop");
        assertTrue(stopped, stopped.startsWith("not recording, last file " + file));
        assertEquals(Map.of("cam.frames", 2L), RecordingFiles.channels(file));
        for (String[] bad : List.of(new String[0], new String[] {"jump"}, new String[] {"start", "x", "--to"})) {
            try {
                commands.record(bad);
                fail(String.join(" ", bad) + " must be refused");
            } catch (InvalidInputException e) {
                assertEquals("recorder.usage", e.rule());
            }
        }
    }


}
