package io.labhub.core.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.junit.Assume.assumeTrue;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.object.datatype.CompoundDataType;
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
import io.labhub.testkit.Python;
import io.labhub.validation.Validators;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;

/**
 * A record of scalar fields (a thermometer's reading, a stage's state) is stored as one HDF5 compound dataset,
 * {@code records} [N], whose type is the schema's: h5py reads it as the Python client's numpy dtype of the same
 * schema, every value as sent; a replay gives every message back byte for byte (the padding too); a compound type
 * that does not match the schema is a typed refusal.
 */
public class RecordsTest {

    private static final int N = 40;
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** every scalar dtype, placed so that there is padding between fields and after the last one */
    static final Schema SCHEMA = Schema.builder()
            .field("u8", Dtype.U8).field("i8", Dtype.I8).field("u16", Dtype.U16).at(4).field("i16", Dtype.I16)
            .field("u32", Dtype.U32).at(12).field("i32", Dtype.I32).field("u64", Dtype.U64).at(24)
            .field("i64", Dtype.I64).field("f32", Dtype.F32).unit("degC").field("f64", Dtype.F64).at(48)
            .field("ok", Dtype.BOOL).text("name", Dtype.UTF8, 12).text("tag", Dtype.BYTES, 5).size(80)
            .build();

    @Rule
    public final ReplayRig rig = new ReplayRig();

    /** Message k: each field's value a function of k that spans its type's range (sign bits, high bits), padding 0xEE. */
    static byte[] message(int k) {
        ByteBuffer b = ByteBuffer.allocate(SCHEMA.size()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < SCHEMA.size(); i++) {
            b.put(i, (byte) 0xEE);
        }
        b.put(0, (byte) (200 + k));
        b.put(1, (byte) (-100 + k));
        b.putShort(4, (short) (60000 + k));
        b.putShort(6, (short) (-30000 + k));
        b.putInt(12, (int) (4_000_000_000L + k));
        b.putInt(16, -2_000_000_000 + k);
        b.putLong(24, Long.MIN_VALUE + k); // as u64: 2^63 + k
        b.putLong(32, -k * 1_000_000_007L);
        b.putFloat(40, 20.5f + k / 4f);
        b.putDouble(48, Math.PI * k);
        b.put(56, (byte) (k % 2));
        byte[] name = ("élan-" + k).getBytes(StandardCharsets.UTF_8); // 7..8 bytes of 12: null-padded
        for (int i = 0; i < 12; i++) {
            b.put(57 + i, i < name.length ? name[i] : 0);
        }
        for (int i = 0; i < 5; i++) {
            b.put(69 + i, (byte) (k + i + 1)); // bytes, no zero
        }
        return b.array();
    }

    /** Records N messages of the shm channel {@code lab.state} into {@code file}: what a live run gives the export. */
    private List<byte[]> record(Path file) {
        BundleHub driver = new BundleHub(rig.engine, "driver");
        RecorderService recorder = new RecorderService(new BundleHub(rig.engine, "recorder"), Validators.defaults());
        List<byte[]> sent = new ArrayList<>();
        ShmOptions reliable = ShmOptions.DEFAULTS.withPolicy(ShmPolicy.RELIABLE)
                .withReliableTimeout(Duration.ofSeconds(5)).withSlots(SCHEMA.size(), 8).withSchema(SCHEMA);
        try (ShmProducer p = driver.createShmProducer("lab.state", reliable)) {
            recorder.start(List.of("lab.state"), file);
            for (int k = 0; k < N; k++) {
                byte[] m = message(k);
                sent.add(m);
                p.publish(m);
            }
            Await.until("every message recorded", WAIT, () -> recorder.status().frames().get("lab.state") == N);
            recorder.stop();
        }
        Await.until("the recorded name is free", WAIT, () -> rig.consumers.find("lab.state").isEmpty());
        return sent;
    }

    @Test
    public void aRecordOfScalarsIsOneCompoundDatasetThatH5pyReadsAsTheSchemasDtype() throws Exception {
        Path file = rig.tmp.getRoot().toPath().resolve("state.h5");
        record(file);
        try (HdfFile h5 = new HdfFile(file)) {
            Dataset d = h5.getDatasetByPath("lab.state/records");
            assertArrayEquals(new int[] {N}, d.getDimensions());
            CompoundDataType t = (CompoundDataType) d.getDataType();
            assertEquals(SCHEMA.size(), t.getSize());
            assertEquals(SCHEMA.fields().stream().map(f -> f.name() + "@" + f.offset()).toList(),
                    t.getMembers().stream().map(m -> m.getName() + "@" + m.getOffset()).toList());
            assertEquals("degC", d.getAttribute("unit.f32").getData());
            assertTrue("no per-field datasets beside it", h5.getByPath("lab.state").getAttributes().containsKey("entries")
                    && !((io.jhdf.api.Group) h5.getByPath("lab.state")).getChildren().containsKey("fields"));
            @SuppressWarnings("unchecked")
            Map<String, Object> columns = (Map<String, Object>) d.getData(); // jhdf's own compound reader
            assertEquals(Math.PI * 3, ((double[]) columns.get("f64"))[3], 0);
            assertEquals(-2_000_000_000 + 7, ((int[]) columns.get("i32"))[7]);
        }

        assumeTrue("python3-h5py, python3-numpy or python3-zmq is missing", Python.has("h5py", "numpy", "zmq"));
        String script = String.join("\n",
                "import sys, json, h5py, numpy as np",
                "sys.path.insert(0, sys.argv[2])",
                "from labhub.schema import Schema",
                "f = h5py.File(sys.argv[1], 'r')",
                "g = f['lab.state']",
                "r = g['records']",
                "a = lambda o, k: o.attrs[k].decode() if isinstance(o.attrs[k], bytes) else o.attrs[k]",
                "want = Schema(json.loads(a(g, 'schema'))).dtype()",
                "assert r.dtype == want, (r.dtype, want)",
                "assert r.dtype.itemsize == 80 and r.dtype['ok'] == np.bool_ and r.dtype['name'] == np.dtype('S12')",
                "n = " + N + "; k = np.arange(n)",
                "v = r[:]",
                "assert (v['u8'] == 200 + k).all() and (v['i8'] == -100 + k).all()",
                "assert (v['u16'] == 60000 + k).all() and (v['i16'] == -30000 + k).all()",
                "assert (v['u32'] == 4000000000 + k).all() and (v['i32'] == -2000000000 + k).all()",
                "assert (v['u64'] == np.uint64(2**63) + k.astype(np.uint64)).all()",
                "assert (v['i64'] == -k * 1000000007).all()",
                "assert (v['f32'] == (20.5 + k / 4).astype(np.float32)).all() and (v['f64'] == np.pi * k).all()",
                "assert (v['ok'] == (k % 2 == 1)).all()",
                "assert [x.decode('utf-8') for x in v['name']] == ['élan-%d' % i for i in k], v['name'][:3]",
                "assert [bytes(x) for x in v['tag']] == [bytes(range(i + 1, i + 6)) for i in k]",
                "assert (r['f64'] == v['f64']).all()  # one member read alone",
                "print('ok')");
        Python.Result res = Python.run(script, file.toString(), Path.of("../../clients/python").toAbsolutePath().normalize().toString());
        assertEquals(res.output(), 0, res.exit());
        assertTrue(res.output(), res.output().contains("ok"));
    }

    @Test
    public void aReplayOfRecordsGivesEveryMessageBackByteForByteWithItsPadding() {
        Path file = rig.tmp.getRoot().toPath().resolve("state.h5");
        List<byte[]> sent = record(file);
        rig.replayer.start(file, Replayer.Options.DEFAULTS.withRate(Replayer.MAX).withConsumers(1));
        try (ShmConsumer c = rig.consumers.openShmConsumer("lab.state")) {
            assertEquals(SCHEMA, rig.consumers.find("lab.state").orElseThrow().schema());
            for (int k = 0; k < N; k++) {
                ShmFrame f = c.next(WAIT);
                try {
                    assertArrayEquals("message " + k, sent.get(k), f.segment().toArray(ValueLayout.JAVA_BYTE));
                } finally {
                    f.release();
                }
            }
        }
    }

    @Test
    public void recordsOfAnotherWriterInChunksAreRefusedByNameNotMisread() throws Exception {
        assumeTrue("python3-h5py or python3-numpy is missing", Python.has("h5py", "numpy"));
        Path ours = rig.tmp.getRoot().toPath().resolve("state.h5");
        record(ours);
        // h5py copies the recording with the records dataset chunked (and gzip): the same values, another layout
        Path chunked = rig.tmp.getRoot().toPath().resolve("chunked.h5");
        Python.Result r = Python.run(String.join("\n",
                "import sys, h5py",
                "src = h5py.File(sys.argv[1], 'r'); dst = h5py.File(sys.argv[2], 'w')",
                "for k, v in src.attrs.items(): dst.attrs[k] = v",
                "g = src['lab.state']; h = dst.create_group('lab.state')",
                "for k, v in g.attrs.items(): h.attrs[k] = v",
                "for k in g: h.create_dataset(k, data=g[k][:], chunks=True, compression='gzip')",
                "dst.close(); print('ok')"), ours.toString(), chunked.toString());
        assertEquals(r.output(), 0, r.exit());
        try {
            rig.replayer.start(chunked, Replayer.Options.DEFAULTS);
            fail("a chunked records dataset is not read as contiguous rows");
        } catch (InvalidInputException e) {
            assertEquals(e.getMessage(), "replay.file", e.rule());
            assertTrue(e.getMessage(), e.getMessage().contains("contiguous"));
        }
        assertTrue("nothing replays", rig.replayer.status().isEmpty());
    }

    @Test
    public void aCompoundTypeThatIsNotTheSchemasIsATypedRefusal() {
        Schema schema = Schema.builder().field("a", Dtype.F64).field("b", Dtype.I32).size(16).build();
        byte[][] rows = {new byte[16], new byte[16]};
        Map<String, Schema> wrong = Map.of(
                "compound type of 16 bytes", Schema.builder().field("a", Dtype.F64).field("b", Dtype.I32).build(),
                "member at offset 8", Schema.builder().field("a", Dtype.F64).field("b", Dtype.I32).at(12).build(),
                "has the fields [a, b]", Schema.builder().field("a", Dtype.F64).field("c", Dtype.I32).field("d", Dtype.I32).build(),
                "stored as a 4-byte integer", Schema.builder().field("a", Dtype.F64).field("b", Dtype.F32).size(16).build(),
                "stored as an enum", Schema.builder().field("a", Dtype.F64).field("b", Dtype.I32).size(16).build());
        for (Map.Entry<String, Schema> w : wrong.entrySet()) {
            Path file = rig.tmp.getRoot().toPath().resolve("wrong-" + w.getKey().hashCode() + ".h5");
            // the "enum" case: the schema says bool where the file has an integer
            Schema said = w.getKey().startsWith("stored as an enum")
                    ? Schema.builder().field("a", Dtype.F64).field("b", Dtype.BOOL).size(16).build() : schema;
            RecordingFixture.records(file, "lab.state", said, w.getValue(), rows);
            try {
                rig.replayer.start(file, Replayer.Options.DEFAULTS);
                fail(w.getKey() + ": the records' type is not the schema's");
            } catch (InvalidInputException e) {
                assertEquals(e.getMessage(), "replay.file", e.rule());
                assertTrue(w.getKey() + " / " + e.getMessage(), e.getMessage().contains(w.getKey()));
            }
            assertTrue("nothing replays", rig.replayer.status().isEmpty());
        }
    }
}
