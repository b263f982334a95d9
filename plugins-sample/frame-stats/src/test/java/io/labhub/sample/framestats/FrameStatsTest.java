package io.labhub.sample.framestats;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.junit.Test;

public class FrameStatsTest {

    private static MemorySegment frame(int width, int height, int declaredWidth, int pixelValueBase) {
        MemorySegment s = Arena.ofAuto().allocate(32 + (long) width * height * 2);
        s.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 16, declaredWidth);
        s.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 20, height);
        for (int i = 0; i < width * height; i++) {
            s.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 32 + i * 2L, (short) (pixelValueBase + i));
        }
        return s;
    }

    @Test
    public void meanOfUnsigned16BitPixels() {
        // pixels 65534, 65535, 0(=65536 wrapped), 1: unsigned mean of 65534+65535+0+1 over 4
        assertEquals((65534 + 65535 + 0 + 1) / 4.0, FrameStats.meanIntensity(frame(2, 2, 2, 65534)), 1e-9);
    }

    @Test
    public void aFrameSmallerThanItsHeaderClaimsIsNotMeasured() {
        assertTrue(Double.isNaN(FrameStats.meanIntensity(frame(2, 2, 4, 0))));
        assertTrue(Double.isNaN(FrameStats.meanIntensity(Arena.ofAuto().allocate(8))));
    }

    private static final io.labhub.api.schema.Schema CAMERA = io.labhub.api.schema.Schema.builder()
            .field("sequence", io.labhub.api.schema.Dtype.U64).field("timestampNs", io.labhub.api.schema.Dtype.I64)
            .field("width", io.labhub.api.schema.Dtype.U32).field("height", io.labhub.api.schema.Dtype.U32)
            .field("format", io.labhub.api.schema.Dtype.U32)
            .field("pixels", io.labhub.api.schema.Dtype.U16, 2, 2).at(32).build();

    @Test
    public void throughTheSchemaTheMeanIsOfThePixelsField() {
        assertEquals(CAMERA, FrameStats.pixelSchema(CAMERA));
        assertEquals((65534 + 65535 + 0 + 1) / 4.0, FrameStats.meanIntensity(CAMERA, frame(2, 2, 2, 65534)), 1e-9);
    }

    @Test
    public void aFrameOfAnotherSizeThanItsSchemaIsBad() {
        assertTrue(Double.isNaN(FrameStats.meanIntensity(CAMERA, frame(2, 3, 2, 0))));
        assertTrue(Double.isNaN(FrameStats.meanIntensity(CAMERA, Arena.ofAuto().allocate(8))));
        assertEquals(null, FrameStats.pixelSchema(io.labhub.api.schema.Schema.builder()
                .field("pixels", io.labhub.api.schema.Dtype.F32, 4).build()));
    }
}
