package io.labhub.recorder.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.object.datatype.CompoundDataType;
import io.jhdf.object.datatype.EnumDataType;
import io.jhdf.object.datatype.FixedPoint;
import io.jhdf.object.datatype.FloatingPoint;
import io.jhdf.object.datatype.StringData;
import io.labhub.api.schema.Dtype;
import io.labhub.api.schema.Schema;
import io.labhub.testkit.Python;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The compound datatype message {@link RecordType} encodes (jhdf writes none): jhdf's reader parses it member by
 * member, the offsets take as many bytes as libhdf5 expects for the record's size (1, 2 or 3: records of 16 bytes, 306 and 70,000)
 * and h5py reads those offsets too; schemas with an array or an open field are not records.
 */
public class RecordTypeTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    /** libhdf5's {@code H5VM_limit_enc_size(L)}: {@code (H5VM_log2_gen(L) / 8) + 1}, the floor of log2. */
    private static int libhdf5(int size) {
        return (31 - Integer.numberOfLeadingZeros(size)) / 8 + 1;
    }

    @Test
    public void offsetsTakeTheBytesTheSizeNeedsAsLibhdf5Counts() {
        for (int size = 1; size < 1 << 20; size = size < 600 ? size + 1 : size * 3 / 2) {
            assertEquals("size " + size, libhdf5(size), RecordType.offsetBytes(size));
        }
        for (int size : new int[] {255, 256, 65535, 65536, 16_777_215, 16_777_216, Integer.MAX_VALUE}) {
            assertEquals("size " + size, libhdf5(size), RecordType.offsetBytes(size));
        }
    }

    @Test
    public void onlyRecordsOfScalarFieldsAreOneCompoundDataset() {
        assertTrue(RecordType.fits(Schema.builder().field("t", Dtype.F64).text("s", Dtype.UTF8, 4).build()));
        assertTrue(!RecordType.fits(Schema.builder().field("t", Dtype.F64).field("xyz", Dtype.F64, 3).build()));
        assertTrue(!RecordType.fits(Schema.builder().field("t", Dtype.F64).text("rest", Dtype.BYTES, 0).build()));
    }

    @Test
    public void jhdfAndH5pyReadTheMembersOfSmallAndLargeRecords() throws Exception {
        List<Schema> schemas = List.of(
                Schema.builder().field("a", Dtype.U8).field("b", Dtype.F32).at(4).field("c", Dtype.BOOL)
                        .text("d", Dtype.BYTES, 3).size(16).build(),
                Schema.builder().field("a", Dtype.I16).text("s", Dtype.UTF8, 300).field("z", Dtype.U64).at(304).build(),
                Schema.builder().field("a", Dtype.I64).text("s", Dtype.BYTES, 65536).field("z", Dtype.F64).at(69_992)
                        .build());
        StringBuilder expected = new StringBuilder();
        int index = 0;
        for (Schema schema : schemas) {
            Path file = tmp.getRoot().toPath().resolve("r" + index++ + ".h5");
            byte[] row = new byte[schema.size()];
            row[0] = 7;
            RecordingFixture.records(file, "ch", schema, schema, new byte[][] {row, row});
            try (HdfFile h5 = new HdfFile(file)) {
                Dataset d = h5.getDatasetByPath("ch/records");
                CompoundDataType t = (CompoundDataType) d.getDataType();
                assertEquals(schema.size(), t.getSize());
                assertEquals(schema.fields().size(), t.getMembers().size());
                for (int i = 0; i < schema.fields().size(); i++) {
                    var f = schema.fields().get(i);
                    var m = t.getMembers().get(i);
                    assertEquals(f.name(), m.getName());
                    assertEquals(f.name(), f.offset(), m.getOffset());
                    var mt = m.getDataType();
                    switch (f.dtype()) {
                        case BOOL -> assertEquals(Map.of(0, "FALSE", 1, "TRUE"), ((EnumDataType) mt).getEnumMapping());
                        case BYTES, UTF8 -> {
                            assertEquals(f.length(), mt.getSize());
                            assertEquals(f.dtype() == Dtype.UTF8 ? StandardCharsets.UTF_8 : StandardCharsets.US_ASCII,
                                    ((StringData) mt).getCharset());
                        }
                        case F32, F64 -> {
                            assertEquals(f.dtype().size(), mt.getSize());
                            assertEquals(ByteOrder.LITTLE_ENDIAN, ((FloatingPoint) mt).getByteOrder());
                        }
                        default -> {
                            FixedPoint fp = (FixedPoint) mt;
                            assertEquals(f.dtype().size(), fp.getSize());
                            assertEquals(f.dtype().wireName(), f.dtype().wireName().startsWith("i"), fp.isSigned());
                            assertEquals(ByteOrder.LITTLE_ENDIAN, fp.getByteOrder());
                        }
                    }
                }
            }
            expected.append(schema.size()).append(':');
            schema.fields().forEach(f -> expected.append(f.name()).append('@').append(f.offset()).append(','));
            expected.append(';');
        }

        assumeTrue("python3-h5py is missing", Python.has("h5py"));
        Python.Result r = Python.run(String.join("\n",
                "import sys, h5py",
                "out = ''",
                "for p in sys.argv[1:]:",
                "    t = h5py.File(p, 'r')['ch/records'].dtype",
                "    out += '%d:' % t.itemsize + ''.join('%s@%d,' % (n, t.fields[n][1]) for n in t.names) + ';'",
                "print(out)"),
                tmp.getRoot().toPath().resolve("r0.h5").toString(), tmp.getRoot().toPath().resolve("r1.h5").toString(),
                tmp.getRoot().toPath().resolve("r2.h5").toString());
        assertEquals(r.output(), 0, r.exit());
        assertEquals(expected.toString(), r.output().trim());
    }
}
