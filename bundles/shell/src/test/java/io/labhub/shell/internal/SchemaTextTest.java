package io.labhub.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.labhub.api.schema.Dtype;
import io.labhub.api.schema.Schema;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.Test;

/** hub:info's schema rows and hub:tail's rendering of schema'd messages. */
public class SchemaTextTest {

    private static final Schema READING = Schema.builder().field("celsius", Dtype.F64).unit("degC")
            .field("timestampNs", Dtype.I64).text("sensor", Dtype.UTF8, 8).attribute("serial", "T-1").build();

    @Test
    public void infoShowsFieldsOffsetsSizeHashAndAttributes() {
        List<String[]> rows = new ArrayList<>();
        SchemaText.infoRows(READING, rows);
        String table = Format.table(rows);
        assertTrue(table, table.contains("schema.hash") && table.contains(READING.hash()));
        assertTrue(table, table.contains("schema.size") && table.contains("24 bytes"));
        assertTrue(table, table.contains("schema.field.celsius") && table.contains("f64 unit=degC offset=0 size=8"));
        assertTrue(table, table.contains("utf8*8 offset=16 size=8"));
        assertTrue(table, table.contains("schema.attribute.serial") && table.contains("T-1"));
        List<String[]> none = new ArrayList<>();
        SchemaText.infoRows(null, none);
        assertEquals("schema", none.getFirst()[0]);
    }

    @Test
    public void tailPrintsARecordAsAJsonObjectOfItsFields() {
        byte[] bytes = READING.writer().setF64("celsius", 21.53).setI64("timestampNs", 7).setUtf8("sensor", "lab-1").bytes();
        assertEquals("{\"celsius\":21.53,\"timestampNs\":7,\"sensor\":\"lab-1\"}", SchemaText.message(READING, bytes));
        String bad = SchemaText.message(READING, new byte[5]);
        assertTrue(bad, bad.contains("5 bytes") && bad.contains("schema.payload") && bad.contains("24 bytes expected"));
        Schema text = Schema.builder().text("reading", Dtype.UTF8, 0).build();
        byte[] json = "{\"celsius\":21.500}".getBytes(StandardCharsets.UTF_8);
        assertEquals("{\"celsius\":21.500}", SchemaText.message(text, json));
        assertEquals("", SchemaText.frame(text, MemorySegment.ofArray(json)));
        assertEquals("abc", SchemaText.message(null, "abc".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    public void aLargeArrayIsSummarised() {
        Schema frame = Schema.builder().field("seq", Dtype.U64).field("pixels", Dtype.U16, 4, 8).build();
        assertEquals(" {\"seq\":0,\"pixels\":\"u16[4,8]\"}", SchemaText.frame(frame, MemorySegment.ofArray(new byte[frame.size()])));
    }
}
