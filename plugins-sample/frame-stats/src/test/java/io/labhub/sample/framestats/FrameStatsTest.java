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
}
