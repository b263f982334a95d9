package io.labhub.transport.shm.internal.platform.windows;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;

import org.junit.Test;

import io.labhub.api.ChannelNotFoundException;
import io.labhub.api.ErrorCode;
import io.labhub.api.InvalidInputException;
import io.labhub.api.LabHubException;
import io.labhub.transport.shm.internal.platform.SegmentNames;
import io.labhub.transport.shm.internal.platform.ShmPlatform.WaitResult;
import io.labhub.transport.shm.internal.platform.ShmPlatforms;

/** What of the Windows fragment can be checked on any OS: names, encodings, error and wait mapping. */
public class WindowsPortablePartsTest {

    private static final String SEGMENT = "labhub-0123456789abcdef0123456789abcdef";

    @Test
    public void objectNamesAreSessionLocalAndDerivedFromTheSegmentOnly() {
        assertEquals("Local\\" + SEGMENT, WindowsNames.mappingName(SEGMENT));
        assertEquals("Local\\" + SEGMENT + "-w0", WindowsNames.eventName(WindowsNames.NAMESPACE, SEGMENT, 0));
        assertEquals("Global\\" + SEGMENT + "-w63", WindowsNames.eventName("Global\\", SEGMENT, 63));
        assertThrows(IllegalArgumentException.class, () -> WindowsNames.eventName(WindowsNames.NAMESPACE, SEGMENT, -1));
        LabHubException e = assertThrows(LabHubException.class, () -> WindowsNames.mappingName("Global\\evil"));
        assertEquals(ErrorCode.SEGMENT_INVALID, e.code());
        assertThrows(LabHubException.class, () -> WindowsNames.mappingName("labhub-..\\x"));
        String random = SegmentNames.random();
        assertTrue(WindowsNames.mappingName(random).endsWith(random));
    }

    @Test
    public void theNamespaceIsLocalByDefaultOrGlobalAndNothingElse() {
        assertEquals("Local\\", WindowsNames.namespace(null));
        assertEquals("Local\\", WindowsNames.namespace(""));
        assertEquals("Local\\", WindowsNames.namespace("local"));
        assertEquals("Global\\", WindowsNames.namespace("Global"));
        assertEquals("Global\\", WindowsNames.namespace("Global\\"));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> WindowsNames.namespace("Session\\1"));
        assertTrue(e.getMessage().contains("SeCreateGlobalPrivilege"));
        assertEquals("Global\\" + SEGMENT, WindowsNames.mappingName("Global\\", SEGMENT));
    }

    @Test
    public void everyObjectGetsAnExplicitDaclForSystemAndTheUserAndAGroupIsRefused() {
        assertEquals("D:P(A;;GA;;;SY)(A;;GA;;;S-1-5-21-1-2-3-1001)",
                WindowsNames.securityDescriptor("S-1-5-21-1-2-3-1001"));
        assertThrows(InvalidInputException.class, () -> WindowsNames.securityDescriptor("S-1-5)(A;;GA;;;WD"));
        assertThrows(InvalidInputException.class, () -> WindowsNames.securityDescriptor(null));
        WindowsNames.refuseGroup(null);
        WindowsNames.refuseGroup(" ");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> WindowsNames.refuseGroup("labusers"));
        assertTrue(e.getMessage(), e.getMessage().contains("not supported on Windows"));
    }

    @Test
    public void wideStringsAreUtf16LeWithATerminator() {
        assertArrayEquals(new byte[] {'L', 0, 'o', 0, 0, 0}, WindowsNames.wide("Lo"));
        assertArrayEquals(new byte[] {(byte) 0xAC, 0x20, 0, 0}, WindowsNames.wide("\u20AC"));
    }

    @Test
    public void sizesSplitIntoDwordsAndViewsAlignToTheGranularity() {
        long size = 0x1_2345_6789L;
        assertEquals(1, WindowsNames.high(size));
        assertEquals(0x2345_6789, WindowsNames.low(size));
        assertEquals(0, WindowsNames.high(4096));
        assertEquals(0xFFFF_FFFF, WindowsNames.low(0xFFFF_FFFFL));
        assertEquals(0, WindowsNames.alignDown(4096));
        assertEquals(65536, WindowsNames.alignDown(65536 + 4096));
        assertEquals(131072, WindowsNames.alignDown(131072));
    }

    @Test
    public void timeoutsRoundUpToMilliseconds() {
        assertEquals(0, WindowsNames.waitMillis(0));
        assertEquals(0, WindowsNames.waitMillis(-5));
        assertEquals(1, WindowsNames.waitMillis(1));
        assertEquals(100, WindowsNames.waitMillis(100_000_000));
        assertEquals(Integer.MAX_VALUE, WindowsNames.waitMillis(Long.MAX_VALUE));
    }

    @Test
    public void lastErrorsBecomeTypedExceptions() {
        assertTrue(WindowsErrors.failure("OpenFileMappingW", SEGMENT, WindowsErrors.ERROR_FILE_NOT_FOUND)
                instanceof ChannelNotFoundException);
        LabHubException denied = WindowsErrors.failure("OpenFileMappingW", SEGMENT, WindowsErrors.ERROR_ACCESS_DENIED);
        assertEquals(ErrorCode.SEGMENT_INVALID, denied.code());
        assertTrue(denied.getMessage().contains("access denied"));
        assertEquals(ErrorCode.INTERNAL, WindowsErrors.failure("CreateFileMappingW", SEGMENT, WindowsErrors.ERROR_ALREADY_EXISTS).code());
        assertTrue(WindowsErrors.failure("CreateFileMappingW", SEGMENT, WindowsErrors.ERROR_COMMITMENT_LIMIT)
                .getMessage().contains("pagefile"));
        assertTrue(WindowsErrors.failure("X", SEGMENT, 1234).getMessage().contains("1234"));
    }

    @Test
    public void waitResultsMapToTheRingsOutcomes() {
        assertEquals(WaitResult.WOKEN, WindowsErrors.waitResult(WindowsErrors.WAIT_OBJECT_0, 0));
        assertEquals(WaitResult.WOKEN, WindowsErrors.waitResult(WindowsErrors.WAIT_ABANDONED, 0));
        assertEquals(WaitResult.TIMED_OUT, WindowsErrors.waitResult(WindowsErrors.WAIT_TIMEOUT, 0));
        LabHubException e = assertThrows(LabHubException.class, () -> WindowsErrors.waitResult(WindowsErrors.WAIT_FAILED, 6));
        assertTrue(e.getMessage().contains("6"));
    }

    @Test
    public void offWindowsThePlatformRefusesCleanlyAndTheLoaderFallsBack() {
        if (System.getProperty("os.name", "").startsWith("Windows")) {
            return; // on Windows the real platform loads; nothing to check here
        }
        assertThrows(UnsupportedOperationException.class, () -> new WindowsShmPlatform(Path.of(".")));
        assertTrue(ShmPlatforms.load(Path.of(System.getProperty("java.io.tmpdir"))).id() != null);
    }
}
