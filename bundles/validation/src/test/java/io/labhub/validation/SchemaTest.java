package io.labhub.validation;

import static io.labhub.validation.HostileSchemaTest.obj;
import static io.labhub.validation.Refused.assertRefused;
import static org.junit.Assert.assertEquals;

import io.labhub.api.ChannelKind;
import io.labhub.api.ShmOptions;
import io.labhub.api.schema.Dtype;
import io.labhub.api.schema.Schema;
import java.util.List;
import java.util.Map;
import org.junit.Test;

/** Schemas the Validator accepts, and the shm slot rule. */
public class SchemaTest {

    private static final Validator V = Validators.defaults();

    @Test
    public void theContractExampleIsAcceptedWithItsOffsetsResolved() {
        Map<String, Object> json = obj("fields", List.of(
                        obj("name", "magic", "dtype", "u32", "offset", 0),
                        obj("name", "seq", "dtype", "u64", "offset", 8),
                        obj("name", "pixels", "dtype", "u16", "shape", List.of(1024, 1024), "unit", "counts", "offset", 32)),
                "size", 2097184,
                "attributes", obj("pixelFormat", "mono16", "exposureUs", 1000, "serial", "CAM-0001"));
        Schema s = V.schema(ChannelKind.SHM, json);
        assertEquals("size=2097184;magic:u32@0;seq:u64@8;pixels:u16[1024,1024]@32", s.layout());
        assertEquals(s, V.schema(ChannelKind.SHM, s));
        assertEquals(s, V.schema(ChannelKind.SHM, s.toMap()));
    }

    @Test
    public void absentOffsetsArePacked() {
        Schema s = V.schema(null, obj("fields", List.of(obj("name", "a", "dtype", "u8"), obj("name", "b", "dtype", "f64"),
                obj("name", "c", "dtype", "utf8", "length", 3, "shape", List.of(2)), obj("name", "rest", "dtype", "bytes"))));
        assertEquals("size=15;a:u8@0;b:f64@1;c:utf8*3[2]@9;rest:bytes*@15", s.layout());
    }

    @Test
    public void aReplySchemaIsForReqrep() {
        Map<String, Object> json = obj("fields", List.of(obj("name", "command", "dtype", "utf8")),
                "reply", obj("fields", List.of(obj("name", "reply", "dtype", "utf8"))));
        assertEquals("size=0;reply:utf8*@0", V.schema(ChannelKind.REQREP, json).reply().layout());
        assertRefused("schema.unknownKey", () -> V.schema(ChannelKind.SHM, json));
    }

    @Test
    public void aShmSchemaMustFitTheSlot() {
        Schema s = Schema.builder().field("pixels", Dtype.U16, 64).build();
        V.shmOptions(ShmOptions.DEFAULTS.withSlots(128, 4).withSchema(s));
        assertRefused("schema.size", () -> V.shmOptions(ShmOptions.DEFAULTS.withSlots(127, 4).withSchema(s)));
        assertRefused("schema.name", () -> V.shmOptions(ShmOptions.DEFAULTS.withSchema(
                Schema.builder().field("not-an-identifier", Dtype.U8).build())));
    }
}
