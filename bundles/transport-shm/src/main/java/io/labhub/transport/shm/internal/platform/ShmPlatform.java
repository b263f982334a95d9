package io.labhub.transport.shm.internal.platform;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Operating-system services of the shared-memory ring. Implementations are thread-safe.
 *
 * <p>Errors: {@link #create} and {@link #open} throw {@link io.labhub.api.LabHubException} with
 * {@link io.labhub.api.ErrorCode#CHANNEL_NOT_FOUND} (no such segment), {@code SEGMENT_INVALID}
 * (exists but unusable) or {@code INTERNAL} (the OS refused).
 */
public interface ShmPlatform {

    /** What {@link #await} saw. */
    enum WaitResult {
        /** The word no longer held the expected value (before or while waiting). */
        CHANGED,
        /** Woken (possibly spuriously): re-check the condition. */
        WOKEN,
        /** The timeout passed. */
        TIMED_OUT
    }

    /** A short name for logs, such as {@code linux-futex}. */
    String id();

    /** Whether {@link #await} blocks in the kernel (true) or polls (the portable fallback). */
    boolean blocksInKernel();

    /**
     * Creates a new segment exclusively (fails if the name exists), {@code size} bytes of zeros,
     * owner-only (plus the group of {@code access}, if any).
     */
    ShmHandle create(String name, long size, SegmentAccess access);

    /** Opens an existing segment; its size is the OS's (the caller validates it). */
    ShmHandle open(String name);

    /** Removes the segment's name; mappings stay valid until unmapped. @return true if it existed */
    boolean unlink(String name);

    /** Names of the segments this platform can see that look like ours (for the janitor), or empty. */
    List<String> list();

    /**
     * Whether some process may still use the segment (has it open or mapped). The janitor removes a file
     * that does not validate only when this is false, so the default, "cannot tell", is {@code true}.
     */
    default boolean inUse(String name) {
        return true;
    }

    /**
     * Blocks while the 32-bit word at {@code word} (4 bytes, 4-aligned, inside {@code handle}'s
     * mapping) holds {@code expected}, at most {@code timeoutNanos}. The word is consumer-table entry
     * {@code entry}'s WAKE_WORD: each entry sleeps on its own word (futex) or its own event, named from the
     * segment and the entry (Windows), so a wake reaches only the entry it is meant for.
     */
    WaitResult await(ShmHandle handle, int entry, MemorySegment word, int expected, long timeoutNanos);

    /**
     * Wakes the threads (in any process) blocked in {@link #await} on entry {@code entry}'s word. The caller
     * changes the word first, so a waiter that has not blocked yet sees the change and does not block.
     */
    void wake(ShmHandle handle, int entry, MemorySegment word);
}
