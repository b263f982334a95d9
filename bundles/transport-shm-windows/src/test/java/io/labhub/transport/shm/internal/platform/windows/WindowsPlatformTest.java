package io.labhub.transport.shm.internal.platform.windows;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

import org.junit.Assume;
import org.junit.Before;
import org.junit.Test;

import io.labhub.api.ChannelNotFoundException;
import io.labhub.api.ErrorCode;
import io.labhub.api.InvalidInputException;
import io.labhub.api.LabHubException;
import io.labhub.transport.shm.internal.platform.SegmentAccess;
import io.labhub.transport.shm.internal.platform.SegmentNames;
import io.labhub.transport.shm.internal.platform.ShmHandle;
import io.labhub.transport.shm.internal.platform.ShmPlatforms;

/**
 * The kernel32 platform itself: only on Windows (elsewhere every test skips with a message). What the ring's
 * scenario tests cannot show: a duplicate name, the object's lifetime, view sizes and handle leaks.
 */
public class WindowsPlatformTest {

    private WindowsShmPlatform platform;

    @Before
    public void onWindowsOnly() {
        Assume.assumeTrue("skipped: the kernel32 platform runs only on Windows (os.name is "
                + System.getProperty("os.name") + ")", System.getProperty("os.name", "").startsWith("Windows"));
        platform = (WindowsShmPlatform) ShmPlatforms.load(Path.of("."));
    }

    @Test
    public void aSecondCreateOfTheSameNameIsErrorAlreadyExists() {
        String name = SegmentNames.random();
        try (ShmHandle first = platform.create(name, 65536, SegmentAccess.OWNER_ONLY)) {
            LabHubException e = assertThrows(LabHubException.class,
                    () -> platform.create(name, 65536, SegmentAccess.OWNER_ONLY));
            assertEquals(ErrorCode.INTERNAL, e.code());
            assertTrue(e.getMessage(), e.getMessage().contains("already exists"));
            assertTrue("the first is untouched", first.map(0, 8, true).byteSize() == 8);
        }
    }

    @Test
    public void aMappingIsGoneAfterItsLastClose() {
        String name = SegmentNames.random();
        ShmHandle created = platform.create(name, 65536, SegmentAccess.OWNER_ONLY);
        ShmHandle opened = platform.open(name);
        created.close();
        opened.map(0, 8, false); // still held by the second handle
        opened.close();
        assertThrows(ChannelNotFoundException.class, () -> platform.open(name));
    }

    @Test
    public void anOpenedMappingReportsAtLeastItsSizeAndViewsShareTheBytes() {
        String name = SegmentNames.random();
        long size = 3 * 65536 + 1000;
        try (ShmHandle created = platform.create(name, size, SegmentAccess.OWNER_ONLY);
             ShmHandle opened = platform.open(name)) {
            assertTrue("size " + opened.size(), opened.size() >= size && opened.size() % 4096 == 0);
            MemorySegment w = created.map(2 * 65536 + 8, 64, true); // not on a 64 KiB boundary
            w.set(ValueLayout.JAVA_LONG, 0, 0x1234_5678_9ABCL);
            MemorySegment r = opened.map(2 * 65536 + 8, 64, false);
            assertEquals(0x1234_5678_9ABCL, r.get(ValueLayout.JAVA_LONG, 0));
            assertTrue(r.isReadOnly());
            LabHubException outside = assertThrows(LabHubException.class, () -> opened.map(0, opened.size() + 1, false));
            assertEquals(ErrorCode.SEGMENT_INVALID, outside.code());
        }
    }

    @Test
    public void aGroupIsRefusedAndTheNamespaceIsChecked() {
        assertThrows(InvalidInputException.class,
                () -> platform.create(SegmentNames.random(), 65536, new SegmentAccess("labusers")));
        assertThrows(InvalidInputException.class, () -> new WindowsShmPlatform(Path.of("."), "Elsewhere"));
    }

    @Test
    public void createOpenWakeAndCloseLeakNoHandle() {
        for (int warm = 0; warm < 5; warm++) {
            cycle();
        }
        long before = platform.handleCount();
        assertTrue("GetProcessHandleCount failed", before > 0);
        for (int i = 0; i < 200; i++) {
            cycle();
        }
        long after = platform.handleCount();
        assertTrue("handles before " + before + ", after 200 cycles " + after, after - before < 20);
    }

    private void cycle() {
        String name = SegmentNames.random();
        try (ShmHandle p = platform.create(name, 65536, SegmentAccess.OWNER_ONLY);
             ShmHandle c = platform.open(name)) {
            MemorySegment word = c.map(64, 4, true);
            platform.wake(p, 0, word);
            platform.wake(p, 1, word);
            platform.await(c, 0, word, word.get(ValueLayout.JAVA_INT, 0), 0);
        }
    }
}
