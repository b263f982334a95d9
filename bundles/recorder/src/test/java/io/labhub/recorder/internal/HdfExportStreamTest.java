package io.labhub.recorder.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static io.labhub.recorder.internal.BigRun.COLS;
import static io.labhub.recorder.internal.BigRun.FRAMES;
import static io.labhub.recorder.internal.BigRun.RAW;
import static io.labhub.recorder.internal.BigRun.ROWS;
import static io.labhub.recorder.internal.BigRun.pixel;
import static io.labhub.recorder.internal.BigRun.raw;
import static io.labhub.recorder.internal.BigRun.rawLength;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.dataset.ContiguousDataset;
import io.labhub.api.schema.Dtype;
import io.labhub.api.schema.Schema;
import io.labhub.testkit.ChildJvm;
import io.labhub.testkit.Python;
import java.io.File;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The export of a run larger than the exporting JVM's heap (issue 18): two spools of 100 frames of 1 MiB each (one
 * channel with a schema, one without), written by the recorder's own {@link Spool}, exported by
 * {@link ExportChild} in a JVM with a 64 MiB heap, then read back frame by frame with jhdf and, where
 * python3-h5py is installed, with h5py: every sequence number, every pixel, every payload byte and length.
 */
public class HdfExportStreamTest {

    static final Schema SCHEMA = Schema.builder().field("count", Dtype.U32).field("pixels", Dtype.U16, ROWS, COLS)
            .unit("counts").build();
    private static final String HEAP = "-Xmx64m";

    /** in target/ (not a tmpfs /tmp): 200 MiB of spools and 200 MiB of HDF5 file, deleted after the test */
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder(new File("target"));

    @Test
    public void aRunLargerThanTheHeapIsExportedFrameByFrame() throws Exception {
        Path dir = tmp.getRoot().toPath().toAbsolutePath();
        Path typed = dir.resolve("run.h5.0.spool");
        Path untyped = dir.resolve("run.h5.1.spool");
        BigRun.spoolFrames(typed, new Spool.Header("cam.frames", "shm", SCHEMA.toJson(), Map.of("width", "1024"),
                "2026-12-03T11:00:00Z", "1@test"));
        BigRun.spoolRaw(untyped, new Spool.Header("raw.frames", "pubsub", null, Map.of(), "2026-12-03T11:00:00Z", "1@test"),
                k -> k == 50 ? 3 : 0);
        long spooled = Files.size(typed) + Files.size(untyped);
        Path file = dir.resolve("run.h5");
        String line;
        try (ChildJvm child = ChildJvm.main(ExportChild.class).jvmArgs(HEAP, "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn")
                .args(file.toString(), typed.toString(), untyped.toString()).start()) {
            int exit = child.awaitExit(Duration.ofSeconds(120));
            assertEquals("the export in a " + HEAP + " JVM failed:\n" + child.output(), 0, exit);
            line = child.lines().stream().filter(l -> l.startsWith("exported ")).findFirst()
                    .orElseThrow(() -> new AssertionError("no result line:\n" + child.output()));
        }
        System.out.println("HdfExportStreamTest: " + spooled + " bytes of spool, " + line);
        long maxHeap = Long.parseLong(line.replaceAll(".* maxHeap=(\\d+).*", "$1"));
        assertTrue("the spools (" + spooled + " bytes) are larger than the child's heap (" + maxHeap + ")",
                spooled > 2 * maxHeap);
        assertTrue(line, line.startsWith("exported {cam.frames=" + FRAMES + ", raw.frames=" + FRAMES + "}"));
        checkWithJhdf(file);
        checkWithH5py(file);
    }

    private static void checkWithJhdf(Path file) {
        try (HdfFile h5 = new HdfFile(file)) {
            assertEquals("1", h5.getAttribute("labhub.recording").getData());
            Group cam = (Group) h5.getChild("cam.frames");
            assertEquals((long) FRAMES, cam.getAttribute("entries").getData());
            assertEquals(SCHEMA.hash(), cam.getAttribute("schemaHash").getData());
            for (String column : new String[] {"sequence", "timestampNs", "receivedNs"}) {
                Object values = ((Dataset) cam.getChild(column)).getData();
                long base = column.equals("sequence") ? 0 : column.equals("timestampNs") ? 1_000 : 2_000;
                for (int k = 0; k < FRAMES; k++) {
                    assertEquals(column + "[" + k + "]", base + k, Array.getLong(values, k));
                }
            }
            Group fields = (Group) cam.getChild("fields");
            Object count = ((Dataset) fields.getChild("count")).getData();
            Dataset pixels = (Dataset) fields.getChild("pixels");
            assertEquals("u16", pixels.getAttribute("dtype").getData());
            assertEquals("counts", pixels.getAttribute("unit").getData());
            assertEquals(java.util.List.of(FRAMES, ROWS, COLS),
                    java.util.Arrays.stream(pixels.getDimensions()).boxed().toList());
            ByteBuffer px = ((ContiguousDataset) pixels).getBuffer().order(ByteOrder.LITTLE_ENDIAN);
            for (int k = 0; k < FRAMES; k++) {
                assertEquals("count[" + k + "]", k, ((Number) Array.get(count, k)).longValue());
                for (int i = 0; i < ROWS * COLS; i++) {
                    int got = px.getShort(2 * (k * ROWS * COLS + i)) & 0xFFFF;
                    if (got != pixel(k, i)) {
                        throw new AssertionError("frame " + k + " pixel " + i + ": " + got + ", want " + pixel(k, i));
                    }
                }
            }
            Group rawG = (Group) h5.getChild("raw.frames");
            assertEquals((long) FRAMES, rawG.getAttribute("entries").getData());
            Object seq = ((Dataset) rawG.getChild("sequence")).getData();
            Object skipped = ((Dataset) rawG.getChild("skipped")).getData();
            int[] length = (int[]) ((Dataset) rawG.getChild("length")).getData();
            Dataset payload = (Dataset) rawG.getChild("payload");
            assertEquals(java.util.List.of(FRAMES, RAW), java.util.Arrays.stream(payload.getDimensions()).boxed().toList());
            ByteBuffer pl = ((ContiguousDataset) payload).getBuffer();
            for (int k = 0; k < FRAMES; k++) {
                assertEquals(k, Array.getLong(seq, k));
                assertEquals(k == 50 ? 3 : 0, Array.getLong(skipped, k));
                assertEquals(rawLength(k), length[k]);
                for (int i = 0; i < RAW; i++) {
                    byte want = i < rawLength(k) ? raw(k, i) : 0;
                    if (pl.get(k * RAW + i) != want) {
                        throw new AssertionError("payload " + k + " byte " + i + ": " + pl.get(k * RAW + i) + ", want " + want);
                    }
                }
            }
        }
    }

    private static void checkWithH5py(Path file) {
        if (!Python.has("h5py")) {
            System.out.println("HdfExportStreamTest: python3-h5py is missing, the HDF5 reference check is skipped");
            return;
        }
        Python.Result r = Python.run(String.join("\n",
                "import h5py, numpy as np, sys",
                "f = h5py.File(sys.argv[1], 'r')",
                "n = " + FRAMES,
                "g = f['cam.frames']",
                "assert (g['sequence'][:] == np.arange(n)).all()",
                "assert (g['fields/count'][:] == np.arange(n)).all()",
                "px = g['fields/pixels']",
                "assert px.shape == (n, " + ROWS + ", " + COLS + ") and px.dtype == np.uint16, (px.shape, px.dtype)",
                "i = np.arange(" + ROWS * COLS + ", dtype=np.int64)",
                "for k in range(n):",
                "    assert (px[k].ravel() == ((k * 131 + i * 7919) & 0xFFFF)).all(), k",
                "r = f['raw.frames']",
                "assert (r['sequence'][:] == np.arange(n)).all()",
                "ln = r['length'][:]",
                "assert (ln == " + RAW + " - (np.arange(n) % 3) * 1000).all()",
                "j = np.arange(" + RAW + ", dtype=np.int64)",
                "for k in range(n):",
                "    want = ((k * 31 + j * 17) & 0xFF).astype(np.uint8).view(np.int8)",
                "    want[ln[k]:] = 0",
                "    assert (r['payload'][k] == want).all(), k",
                "print('ok')"), file.toString());
        assertEquals(r.output(), 0, r.exit());
        assertTrue(r.output(), r.output().contains("ok"));
    }
}
