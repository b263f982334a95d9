package io.labhub.transport.shm.internal.platform;

import java.lang.foreign.MemorySegment;

/**
 * An open segment. Mappings made by {@link #map} stay valid until {@link #close()}, which unmaps them
 * all (any later access throws {@link IllegalStateException}, never crashes the JVM).
 */
public interface ShmHandle extends AutoCloseable {

    /** The segment's name (as created or opened). */
    String name();

    /** The segment's size in bytes as the OS reported it when it was created or opened. */
    long size();

    /**
     * The size now, where the platform can tell cheaply (one stat), or -1. A file that shrank under its
     * mappings makes accesses to the lost pages fault: this is how a segment's users find out first.
     */
    default long currentSize() {
        return -1;
    }

    /**
     * Maps {@code length} bytes at {@code offset}. A read-only mapping is protected by the OS where
     * the platform can do that, and always read-only on the Java side.
     */
    MemorySegment map(long offset, long length, boolean writable);

    /** Releases the OS handle (file descriptor) while keeping the mappings, where the OS allows it. */
    void releaseDescriptor();

    /** Unmaps everything and releases the OS handle. Idempotent. */
    @Override
    void close();
}
