package io.labhub.transport.shm.internal.platform.linux;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

import io.labhub.transport.shm.internal.platform.FileShmPlatform;
import io.labhub.transport.shm.internal.platform.ShmHandle;

/**
 * Segments are files in /dev/shm (inherited from the portable platform); waiting blocks in the kernel
 * on a futex (each consumer entry's own WAKE_WORD), so a sleeping consumer costs no CPU and a commit wakes
 * it with one syscall.
 */
public final class LinuxShmPlatform extends FileShmPlatform {

    private final Futex futex = new Futex();

    public LinuxShmPlatform(Path directory) {
        super(directory);
    }

    @Override
    public String id() {
        return "linux-futex";
    }

    @Override
    public boolean blocksInKernel() {
        return true;
    }

    @Override
    public WaitResult await(ShmHandle handle, int entry, MemorySegment word, int expected, long timeoutNanos) {
        if (word.byteSize() < 4 || (word.address() & 3) != 0) {
            throw new IllegalArgumentException("a futex word is 4 aligned bytes");
        }
        return switch (futex.await(word.address(), expected, timeoutNanos)) {
            case VALUE_CHANGED -> WaitResult.CHANGED;
            case TIMED_OUT -> WaitResult.TIMED_OUT;
            case WOKEN, INTERRUPTED -> WaitResult.WOKEN;
        };
    }

    @Override
    public void wake(ShmHandle handle, int entry, MemorySegment word) {
        // one entry's word: its owner's threads sleep on it (normally one), nobody else's
        futex.wake(word.address(), Integer.MAX_VALUE);
    }
}
