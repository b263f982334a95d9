package io.labhub.transport.shm.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.Test;

/** The layout's numbers are consistent: aligned fields, hot fields on their own cache lines, sizes. */
public class ShmLayoutTest {

    @Test
    public void magicSpellsLabhubshInMemory() {
        byte[] bytes = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(ShmLayout.MAGIC).array();
        assertEquals("LABHUBSH", new String(bytes, StandardCharsets.US_ASCII));
    }

    @Test
    public void headerFieldsAreAlignedAndInsideTheHeaderPage() throws Exception {
        for (Field f : ShmLayout.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == long.class && f.getName().endsWith("_OFFSET")
                    && !f.getName().equals("ENTRIES_OFFSET") && !f.getName().equals("TABLE_OFFSET")) {
                long offset = f.getLong(null);
                assertTrue(f.getName(), offset >= 0 && offset < ShmLayout.HEADER_LENGTH);
                assertEquals(f.getName() + " is not 4-aligned", 0, offset % 4);
            }
        }
        for (long longField : new long[] {ShmLayout.MAGIC_OFFSET, ShmLayout.PRODUCER_PID_OFFSET, ShmLayout.PRODUCER_HEARTBEAT_OFFSET,
                ShmLayout.WRITE_SEQUENCE_OFFSET, ShmLayout.FRAMES_OFFSET, ShmLayout.BYTES_OFFSET, ShmLayout.UNBLOCKS_OFFSET}) {
            assertEquals(0, longField % 8);
        }
    }

    @Test
    public void hotFieldsHaveTheirOwnCacheLines() {
        List<Long> lines = new ArrayList<>(List.of(ShmLayout.PRODUCER_HEARTBEAT_OFFSET / 64,
                ShmLayout.WRITE_SEQUENCE_OFFSET / 64, ShmLayout.NOTIFY_WORD_OFFSET / 64, ShmLayout.FRAMES_OFFSET / 64,
                ShmLayout.LAYOUT_VERSION_OFFSET / 64));
        assertEquals("hot header fields share a cache line", lines.size(), lines.stream().distinct().count());
        assertEquals(128, ShmLayout.ENTRY_LENGTH);
        assertTrue(ShmLayout.ENTRY_OVERRUNS + 8 <= 64);
        // the flag the producer reads after every commit is not on the line the consumer writes per frame
        assertNotEquals(ShmLayout.ENTRY_POSITION / 64, ShmLayout.ENTRY_WAITING / 64);
        assertTrue(ShmLayout.ENTRY_WAITING + 4 <= ShmLayout.ENTRY_LENGTH);
        assertTrue(ShmLayout.SLOT_TIMESTAMP + 8 <= ShmLayout.SLOT_HEADER_LENGTH);
    }

    @Test
    public void geometryIsPageAlignedAndStridesAreCacheLines() {
        ShmLayout.Geometry g = ShmLayout.geometry(1 << 20, 8, 64);
        assertEquals(4096 + 12288, g.slotsOffset()); // 64 + 64 entries of 128 bytes, in whole pages
        assertEquals((1 << 20) + 64, g.slotStride());
        assertEquals(4096 + 12288 + 8L * ((1 << 20) + 64), g.totalSize());
        assertEquals(g.slotsOffset(), g.slotOffset(1));
        assertEquals(g.slotsOffset(), g.slotOffset(9));
        assertEquals(g.slotsOffset() + g.slotStride(), g.slotOffset(2));
        ShmLayout.Geometry small = ShmLayout.geometry(1, 1, 64);
        assertEquals(64, small.slotStride());
        assertEquals(0, ShmLayout.geometry(100, 3, 1000).slotsOffset() % ShmLayout.PAGE);
        assertNotEquals(g.entryOffset(0), g.entryOffset(1));
    }

    @Test
    public void impossibleGeometriesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ShmLayout.geometry(0, 8, 64));
        assertThrows(IllegalArgumentException.class, () -> ShmLayout.geometry(64, 0, 64));
        assertThrows(IllegalArgumentException.class, () -> ShmLayout.geometry(64, 8, 0));
        assertThrows(IllegalArgumentException.class, () -> ShmLayout.geometry(Integer.MAX_VALUE, 8, 64));
        assertThrows(IllegalArgumentException.class, () -> ShmLayout.geometry(64, ShmLayout.MAX_SLOT_COUNT + 1, 64));
    }
}
