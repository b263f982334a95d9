package io.labhub.transport.shm.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.zip.CRC32C;

/**
 * CRC32C of a part of a mapped segment, computed over a heap copy in chunks. The JDK's CRC32C intrinsic
 * reading a mapping whose file was truncated meets SIGBUS in a stub HotSpot does not guard, and the JVM
 * dies (checked on JDK 25); the copy faults inside a guarded memory-segment access instead, which raises
 * {@code InternalError} that the ring turns into SEGMENT_INVALID. Not thread-safe (one per ring end).
 */
final class SafeCrc {

    private final CRC32C crc = new CRC32C();
    private final byte[] chunk = new byte[16 * 1024];

    int of(MemorySegment segment, long offset, int length) {
        crc.reset();
        for (long done = 0; done < length; ) {
            int n = (int) Math.min(chunk.length, length - done);
            MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, offset + done, chunk, 0, n);
            crc.update(chunk, 0, n);
            done += n;
        }
        return (int) crc.getValue();
    }
}
