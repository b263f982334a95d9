package io.labhub.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Shared (not private: two processes) futex wait/wake through an FFM downcall to {@code syscall(202, ...)},
 * the same approach as bundles/transport-shm-linux's Futex, with the timespec allocated once per instance
 * (one instance per thread) so the floor measures the syscalls, not allocation.
 */
final class Futex {

    private static final long SYS_FUTEX = 202; // x86_64
    private static final long FUTEX_WAIT = 0;
    private static final long FUTEX_WAKE = 1;
    private static final MethodHandle SYSCALL;

    static {
        Linker linker = Linker.nativeLinker();
        MemorySegment address = linker.defaultLookup().find("syscall").orElseThrow();
        FunctionDescriptor d = FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG);
        SYSCALL = linker.downcallHandle(address, d, Linker.Option.firstVariadicArg(1));
    }

    private final MemorySegment timespec = Arena.ofAuto().allocate(16, 8);

    /** Sleeps while the int at {@code address} equals {@code expected}, at most {@code timeoutNanos}. */
    void await(long address, int expected, long timeoutNanos) {
        timespec.set(ValueLayout.JAVA_LONG, 0, timeoutNanos / 1_000_000_000L);
        timespec.set(ValueLayout.JAVA_LONG, 8, timeoutNanos % 1_000_000_000L);
        try {
            long r = (long) SYSCALL.invokeExact(SYS_FUTEX, address, FUTEX_WAIT, (long) expected, timespec.address(), 0L, 0L);
        } catch (Throwable t) {
            throw new IllegalStateException("futex wait: " + t, t);
        }
    }

    void wake(long address) {
        try {
            long r = (long) SYSCALL.invokeExact(SYS_FUTEX, address, FUTEX_WAKE, 1L, 0L, 0L, 0L);
        } catch (Throwable t) {
            throw new IllegalStateException("futex wake: " + t, t);
        }
    }
}
