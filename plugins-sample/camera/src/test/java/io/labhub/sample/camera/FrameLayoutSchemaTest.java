package io.labhub.sample.camera;

import static org.junit.Assert.assertEquals;

import io.labhub.api.schema.Schema;
import io.labhub.validation.Validators;
import org.junit.Test;

/** The camera's schema is its FrameLayout, with the layout and hash docs/schemas.md prints. */
public class FrameLayoutSchemaTest {

    @Test
    public void theSchemaIsTheFrameLayout() {
        Schema s = FrameLayout.schema(1024, 1024, "CAM-0001");
        assertEquals(FrameLayout.frameBytes(1024, 1024), s.size());
        assertEquals(FrameLayout.WIDTH_OFFSET, s.field("width").offset());
        assertEquals(FrameLayout.HEIGHT_OFFSET, s.field("height").offset());
        assertEquals(FrameLayout.FORMAT_OFFSET, s.field("format").offset());
        assertEquals(FrameLayout.HEADER_BYTES, s.field("pixels").offset());
        assertEquals("size=2097184;sequence:u64@0;timestampNs:i64@8;width:u32@16;height:u32@20;format:u32@24;"
                + "pixels:u16[1024,1024]@32", s.layout());
        assertEquals("e9a7b121a22d90280091f50456f30bf3919c9d4b032664da79412d7c6723df2e", s.hash());
        assertEquals(s, Validators.defaults().schema(io.labhub.api.ChannelKind.SHM, s));
        assertEquals("{\"fields\":[{\"name\":\"sequence\",\"dtype\":\"u64\",\"offset\":0},"
                + "{\"name\":\"timestampNs\",\"dtype\":\"i64\",\"unit\":\"ns\",\"offset\":8},"
                + "{\"name\":\"width\",\"dtype\":\"u32\",\"unit\":\"px\",\"offset\":16},"
                + "{\"name\":\"height\",\"dtype\":\"u32\",\"unit\":\"px\",\"offset\":20},"
                + "{\"name\":\"format\",\"dtype\":\"u32\",\"offset\":24},"
                + "{\"name\":\"pixels\",\"dtype\":\"u16\",\"shape\":[1024,1024],\"unit\":\"counts\",\"offset\":32}],"
                + "\"size\":2097184,\"attributes\":{\"pixelFormat\":\"mono16\",\"width\":1024,\"height\":1024,"
                + "\"serial\":\"CAM-0001\"}}", s.toJson());
    }
}
