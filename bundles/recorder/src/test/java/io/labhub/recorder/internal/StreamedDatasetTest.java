package io.labhub.recorder.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.DatasetCreationOptions;
import io.jhdf.api.WritableGroup;
import io.jhdf.exceptions.HdfWritingException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@link StreamedDataset} writes the file jhdf writes from the same values as a Java array, byte for byte: every
 * element type the export uses, signed and unsigned, one and three dimensions, with attributes, beside ordinary
 * datasets and groups; and a source that writes too few or too many bytes fails the file instead of shifting it.
 */
public class StreamedDatasetTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static final int N = 7;
    private static final int ROWS = 3;
    private static final int COLS = 300_000; // a row past the 1 MiB write buffer for long and double

    /** One dataset's values both ways: as the array jhdf is given, and as little-endian bytes. */
    private record Case(String name, Class<?> type, boolean unsigned, int size, Object array, byte[] bytes,
                        long[] dims) {
    }

    private static Case make(String name, Class<?> type, boolean unsigned, int size, long... dims) {
        Random r = new Random(name.hashCode());
        long count = 1;
        for (long d : dims) {
            count *= d;
        }
        byte[] bytes = new byte[Math.toIntExact(count * size)];
        r.nextBytes(bytes);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (type == float.class) { // no NaN payloads: jhdf writes a float's bits as they are, but keep it plain
            for (int i = 0; i < count; i++) {
                b.putFloat(4 * i, r.nextFloat() * 1e6f - 5e5f);
            }
        } else if (type == double.class) {
            for (int i = 0; i < count; i++) {
                b.putDouble(8 * i, r.nextGaussian() * 1e9);
            }
        }
        int last = (int) dims[dims.length - 1];
        int rows = (int) (count / last);
        Object flat = java.lang.reflect.Array.newInstance(type, rows, last);
        for (int row = 0; row < rows; row++) {
            Object leaf = java.lang.reflect.Array.get(flat, row);
            for (int i = 0; i < last; i++) {
                int at = (row * last + i) * size;
                switch (size) {
                    case 1 -> ((byte[]) leaf)[i] = b.get(at);
                    case 2 -> ((short[]) leaf)[i] = b.getShort(at);
                    case 4 -> {
                        if (type == float.class) {
                            ((float[]) leaf)[i] = b.getFloat(at);
                        } else {
                            ((int[]) leaf)[i] = b.getInt(at);
                        }
                    }
                    default -> {
                        if (type == double.class) {
                            ((double[]) leaf)[i] = b.getDouble(at);
                        } else {
                            ((long[]) leaf)[i] = b.getLong(at);
                        }
                    }
                }
            }
        }
        Object array = flat;
        if (dims.length == 1) {
            array = java.lang.reflect.Array.get(flat, 0);
        } else if (dims.length == 3) {
            Object shaped = java.lang.reflect.Array.newInstance(flat.getClass().getComponentType(), (int) dims[0],
                    (int) dims[1]);
            for (int k = 0; k < dims[0]; k++) {
                for (int j = 0; j < dims[1]; j++) {
                    java.lang.reflect.Array.set(java.lang.reflect.Array.get(shaped, k), j,
                            java.lang.reflect.Array.get(flat, (int) (k * dims[1] + j)));
                }
            }
            array = shaped;
        }
        return new Case(name, type, unsigned, size, array, bytes, dims);
    }

    private static Case[] cases() {
        return new Case[] {
            make("i8", byte.class, false, 1, N), make("u8", byte.class, true, 1, N, ROWS, 5),
            make("i16", short.class, false, 2, N, ROWS, 11), make("u16", short.class, true, 2, N, ROWS, COLS),
            make("i32", int.class, false, 4, N), make("u32", int.class, true, 4, N, 2, 2),
            make("i64", long.class, false, 8, N, ROWS, COLS), make("u64", long.class, true, 8, N),
            make("f32", float.class, false, 4, N, ROWS, 9), make("f64", double.class, false, 8, N, ROWS, COLS),
            make("one", byte.class, false, 1, 1), make("bytes", byte.class, false, 1, N, 1)};
    }

    private Path write(String file, Consumer<WritableGroup> datasets) {
        Path p = tmp.getRoot().toPath().resolve(file);
        try (WritableHdfFile h5 = HdfFile.write(p)) {
            h5.putAttribute("labhub.recording", "1");
            WritableGroup g = h5.putGroup("cam.frames");
            g.putAttribute("entries", (long) N);
            datasets.accept(g.putGroup("fields"));
            g.putDataset("sequence", new long[] {1, 2, 3});
        }
        return p;
    }

    @Test
    public void theFileIsTheOneJhdfWritesFromTheSameArrays() throws Exception {
        Case[] cases = cases();
        Path arrays = write("arrays.h5", g -> {
            for (Case c : cases) {
                var d = g.putDataset(c.name, c.array, c.unsigned
                        ? DatasetCreationOptions.builder().unsigned().build() : DatasetCreationOptions.DEFAULT);
                d.putAttribute("dtype", c.name);
                d.putAttribute("unit", "counts");
            }
        });
        Path streamed = write("streamed.h5", g -> {
            for (Case c : cases) {
                var d = g.putDataset(c.name, new StreamedDataset(c.name, g, c.type, c.unsigned, c.dims,
                        rows -> {
                            // in uneven pieces, as the export's rows come
                            int at = 0;
                            int piece = 1;
                            while (at < c.bytes.length) {
                                int len = Math.min(c.bytes.length - at, piece * c.size);
                                rows.putLittleEndian(c.bytes, at, len, c.size);
                                at += len;
                                piece = piece * 3 + 1;
                            }
                        }));
                d.putAttribute("dtype", c.name);
                d.putAttribute("unit", "counts");
            }
        });
        assertTrue(Files.size(arrays) > 3 * ROWS * COLS * 8);
        assertEquals("first differing byte", -1L, Files.mismatch(arrays, streamed));
    }

    @Test
    public void zerosAndFixedWidthValuesAreTheArraysToo() throws Exception {
        long[] seq = {5, -1, Long.MAX_VALUE, 0};
        int[] lengths = {0, 7, Integer.MIN_VALUE, 3};
        byte[][] padded = {{1, 2, 0, 0, 0}, {0, 0, 0, 0, 0}, {9, 9, 9, 9, 9}, {-1, 0, 0, 0, 0}};
        Path arrays = write("a.h5", g -> {
            g.putDataset("seq", seq);
            g.putDataset("length", lengths);
            g.putDataset("payload", padded).putAttribute("dtype", "bytes");
        });
        Path streamed = write("s.h5", g -> {
            g.putDataset("seq", new StreamedDataset("seq", g, long.class, false, new long[] {4}, rows -> {
                for (long v : seq) {
                    rows.putLong(v);
                }
            }));
            g.putDataset("length", new StreamedDataset("length", g, int.class, false, new long[] {4}, rows -> {
                for (int v : lengths) {
                    rows.putInt(v);
                }
            }));
            g.putDataset("payload", new StreamedDataset("payload", g, byte.class, false, new long[] {4, 5}, rows -> {
                rows.putByte((byte) 1);
                rows.putByte((byte) 2);
                rows.zeros(3 + 5);
                rows.putLittleEndian(new byte[] {9, 9, 9, 9, 9}, 0, 5, 1);
                rows.putByte((byte) -1);
                rows.zeros(4);
            })).putAttribute("dtype", "bytes");
        });
        assertEquals("first differing byte", -1L, Files.mismatch(arrays, streamed));
    }

    @Test
    public void aSourceOfTheWrongLengthFailsTheFile() {
        for (int bytes : new int[] {15, 17}) {
            try {
                write("wrong" + bytes + ".h5", g -> g.putDataset("seq", new StreamedDataset("seq", g, long.class, false,
                        new long[] {2}, rows -> rows.zeros(bytes))));
                fail(bytes + " bytes for a long[2] must fail");
            } catch (HdfWritingException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("wrote " + bytes + " bytes")
                        && e.getMessage().contains("holds 16"));
            }
        }
    }
}
