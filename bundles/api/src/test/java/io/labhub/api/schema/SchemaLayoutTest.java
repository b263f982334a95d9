package io.labhub.api.schema;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.labhub.api.InvalidInputException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.Test;

/** The layout string, hash and offsets of docs/schemas.md, with the contract's camera example. */
public class SchemaLayoutTest {

    static Schema contractCamera() {
        return Schema.builder()
                .field("magic", Dtype.U32)
                .field("seq", Dtype.U64).at(8)
                .field("pixels", Dtype.U16, 1024, 1024).unit("counts").at(32)
                .attribute("pixelFormat", "mono16").attribute("exposureUs", 1000).attribute("serial", "CAM-0001")
                .build();
    }

    @Test
    public void theContractExampleHasItsLayoutAndHash() throws Exception {
        Schema s = contractCamera();
        String layout = "size=2097184;magic:u32@0;seq:u64@8;pixels:u16[1024,1024]@32";
        assertEquals(layout, s.layout());
        assertEquals(2097184, s.size());
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(layout.getBytes(StandardCharsets.UTF_8)));
        assertEquals(expected, s.hash());
        assertEquals(64, s.hash().length());
    }

    @Test
    public void unitsAndAttributesAreNotInTheHash() {
        Schema bare = Schema.builder().field("magic", Dtype.U32).field("seq", Dtype.U64).at(8)
                .field("pixels", Dtype.U16, 1024, 1024).at(32).build();
        assertEquals(contractCamera().hash(), bare.hash());
        assertNotEquals(contractCamera(), bare);
    }

    @Test
    public void packedOffsetsFollowThePreviousField() {
        Schema s = Schema.builder().field("a", Dtype.U8).field("b", Dtype.F64).text("name", Dtype.UTF8, 16)
                .field("flags", Dtype.BOOL, 3).text("rest", Dtype.BYTES, 0).build();
        assertEquals(List.of(0, 1, 9, 25, 28), s.fields().stream().map(Field::offset).toList());
        assertEquals("size=28;a:u8@0;b:f64@1;name:utf8*16@9;flags:bool[3]@25;rest:bytes*@28", s.layout());
        assertTrue(s.open());
    }

    @Test
    public void theJsonFormHasEveryOffsetAndTheSize() {
        assertEquals("{\"fields\":[{\"name\":\"magic\",\"dtype\":\"u32\",\"offset\":0},"
                        + "{\"name\":\"seq\",\"dtype\":\"u64\",\"offset\":8},"
                        + "{\"name\":\"pixels\",\"dtype\":\"u16\",\"shape\":[1024,1024],\"unit\":\"counts\",\"offset\":32}],"
                        + "\"size\":2097184,\"attributes\":{\"pixelFormat\":\"mono16\",\"exposureUs\":1000,\"serial\":\"CAM-0001\"}}",
                contractCamera().toJson());
    }

    @Test
    public void layoutRulesAreTypedRefusals() {
        assertRule("schema.offset", () -> Schema.builder().field("a", Dtype.U32).field("b", Dtype.U8).at(2).build());
        assertRule("schema.size", () -> Schema.builder().field("a", Dtype.U64, Integer.MAX_VALUE, Integer.MAX_VALUE).build());
        assertRule("schema.size", () -> Schema.builder().field("a", Dtype.U64, 65536, 65536, 65536, 65536, 65536).build());
        assertRule("schema.size", () -> Schema.builder().field("a", Dtype.U32).size(2).build());
        assertRule("schema.shape", () -> Schema.builder().field("a", Dtype.U8, 0).build());
        assertRule("schema.shape", () -> Schema.builder().field("a", Dtype.U8, -4).build());
        assertRule("schema.length", () -> Schema.builder().text("a", Dtype.UTF8, 0).field("b", Dtype.U8).build());
        assertRule("schema.length", () -> Schema.builder().text("a", Dtype.U8, 4).build());
        assertRule("schema.length", () -> Schema.builder().text("a", Dtype.BYTES, 65537).build());
        assertRule("schema.name", () -> Schema.builder().field("a", Dtype.U8).field("a", Dtype.U8).build());
        assertRule("schema.fields", () -> Schema.builder().build());
    }

    @Test
    public void aViewReadsTypedValuesWithoutCopying() {
        Schema s = contractCamera();
        RecordWriter w = s.writer();
        w.setU32("magic", 0xCAFEF00DL).setU64("seq", 42).setU16("pixels", 1024 * 1024 - 1, 65535);
        byte[] bytes = w.bytes();
        RecordView v = s.view(bytes);
        assertEquals(0xCAFEF00DL, v.getU32("magic"));
        assertEquals(42, v.getU64("seq"));
        assertEquals(65535, v.getU16("pixels", 1024 * 1024 - 1));
        MemorySegment pixels = v.slice("pixels");
        assertEquals(2L * 1024 * 1024, pixels.byteSize());
        assertEquals(32, pixels.address() - v.segment().address());
        bytes[32] = 7; // the view sees the array itself
        assertEquals(7, v.getU16("pixels", 0));
    }

    @Test
    public void accessErrorsAreTyped() {
        Schema s = contractCamera();
        RecordView v = s.view(new byte[s.size()]);
        assertRule("schema.field", () -> v.getU32("nope"));
        assertRule("schema.dtype", () -> v.getF64("magic"));
        assertRule("schema.index", () -> v.getU16("pixels", 1024 * 1024));
        assertRule("schema.index", () -> v.getU16("pixels", -1));
        assertRule("schema.payload", () -> s.view(new byte[s.size() - 1]));
        assertRule("schema.payload", () -> s.view(new byte[s.size() + 1]));
    }

    @Test
    public void textFieldsPadAndTrim() {
        Schema s = Schema.builder().text("serial", Dtype.UTF8, 8).field("celsius", Dtype.F64).build();
        RecordWriter w = s.writer().setUtf8("serial", "CAM-1").setF64("celsius", 21.5);
        assertEquals("CAM-1", w.view().getUtf8("serial"));
        assertEquals("{\"serial\":\"CAM-1\",\"celsius\":21.5}", w.view().toJson());
        assertRule("schema.length", () -> w.setUtf8("serial", "123456789"));
        Schema open = Schema.builder().text("command", Dtype.UTF8, 0).build();
        byte[] text = "move 1.5".getBytes(StandardCharsets.UTF_8);
        assertEquals("move 1.5", open.view(text).getUtf8("command"));
        assertEquals("{\"command\":\"move 1.5\"}", open.view(text).toJson());
        RecordWriter ow = open.writer(MemorySegment.ofArray(new byte[text.length]));
        ow.setUtf8("command", "move 1.5");
        assertArrayEquals(text, ow.bytes());
        assertEquals("size=0;command:utf8*@0", open.layout());
    }

    static void assertRule(String rule, org.junit.function.ThrowingRunnable r) {
        InvalidInputException e = assertThrows(InvalidInputException.class, r);
        assertEquals(e.getMessage(), rule, e.rule());
        assertTrue(e.getMessage(), e.getMessage().startsWith("[" + rule + "]"));
    }
}
