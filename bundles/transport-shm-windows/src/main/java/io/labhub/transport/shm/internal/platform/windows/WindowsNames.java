package io.labhub.transport.shm.internal.platform.windows;

import java.nio.charset.StandardCharsets;

import io.labhub.transport.shm.internal.platform.SegmentNames;

/**
 * Kernel object names and argument encodings (portable, so tested on any OS). Objects live in the
 * session-local {@code Local\} namespace, which needs no privilege (the {@code Global\} namespace
 * needs SeCreateGlobalPrivilege).
 */
public final class WindowsNames {

    public static final String NAMESPACE = "Local\\";
    public static final String EVENT_SUFFIX = "-notify";
    /** MapViewOfFile offsets must be multiples of the allocation granularity (64 KiB on every Windows). */
    public static final long ALLOCATION_GRANULARITY = 64 * 1024;

    private WindowsNames() {
    }

    /** {@code labhub-<hex>} to {@code Local\labhub-<hex>}; refuses names that are not LabHub's. */
    public static String mappingName(String segmentName) {
        SegmentNames.check(segmentName);
        return NAMESPACE + segmentName;
    }

    public static String eventName(String segmentName) {
        return mappingName(segmentName) + EVENT_SUFFIX;
    }

    /** A {@code LPCWSTR}: UTF-16LE with a terminating NUL character. */
    public static byte[] wide(String text) {
        byte[] chars = text.getBytes(StandardCharsets.UTF_16LE);
        byte[] out = new byte[chars.length + 2];
        System.arraycopy(chars, 0, out, 0, chars.length);
        return out;
    }

    /** The high DWORD of a 64-bit size or offset. */
    public static int high(long value) {
        return (int) (value >>> 32);
    }

    /** The low DWORD of a 64-bit size or offset. */
    public static int low(long value) {
        return (int) value;
    }

    /** The view offset to ask MapViewOfFile for, so that {@code offset} lies inside the view. */
    public static long alignDown(long offset) {
        return offset - Math.floorMod(offset, ALLOCATION_GRANULARITY);
    }

    /** A relative timeout in nanoseconds as WaitForSingleObject milliseconds (rounded up, below INFINITE). */
    public static int waitMillis(long nanos) {
        if (nanos <= 0) {
            return 0;
        }
        long ms = nanos / 1_000_000 + (nanos % 1_000_000 == 0 ? 0 : 1);
        return (int) Math.min(ms, Integer.MAX_VALUE); // far below INFINITE (0xFFFFFFFF)
    }
}
