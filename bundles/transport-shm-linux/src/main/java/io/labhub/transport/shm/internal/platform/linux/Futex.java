package io.labhub.transport.shm.internal.platform.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Locale;

import io.labhub.api.ErrorCode;
import io.labhub.api.LabHubException;

/**
 * futex(2) on a 32-bit word of a shared mapping, through {@code long syscall(long number, ...)}.
 * {@code syscall} is variadic: the downcall declares the number as the only fixed argument
 * ({@code firstVariadicArg(1)}) and passes every variadic argument as a {@code long}, as the C
 * default promotions do on LP64. errno is captured with {@code captureCallState("errno")}.
 * The shared (not {@code _PRIVATE}) operations are used: waiters live in different processes.
 * Addresses are passed as plain numbers so that a blocked wait does not pin the mapping's arena.
 */
public final class Futex {

    public static final int FUTEX_WAIT = 0;
    public static final int FUTEX_WAKE = 1;
    public static final int EAGAIN = 11;
    public static final int EINTR = 4;
    public static final int ETIMEDOUT = 110;
    /** The word's page is not backed (e.g. the segment file was truncated under the mapping). */
    public static final int EFAULT = 14;

    /** What one FUTEX_WAIT call returned. */
    public enum Outcome { WOKEN, VALUE_CHANGED, TIMED_OUT, INTERRUPTED }

    private final long sysFutex;
    private final MethodHandle syscall;
    private final StructLayout captureLayout = Linker.Option.captureStateLayout();
    private final VarHandle errno = captureLayout.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    /** Offset of the call-state area in a thread's scratch memory (after the 16-byte timespec). */
    private final long stateOffset = Math.max(16, captureLayout.byteAlignment());
    /**
     * Per-thread native scratch (timespec, then the captured call state), so that a wait or a wake does not
     * allocate and free native memory on every call. Freed by the GC with its thread's reference.
     */
    private final ThreadLocal<MemorySegment> scratch = ThreadLocal.withInitial(
            () -> Arena.ofAuto().allocate(stateOffset + captureLayout.byteSize(), Math.max(8, captureLayout.byteAlignment())));

    /** @throws UnsupportedOperationException on a CPU whose futex syscall number is not known here */
    public Futex() {
        this.sysFutex = syscallNumber(System.getProperty("os.arch", ""));
        Linker linker = Linker.nativeLinker();
        MemorySegment address = linker.defaultLookup().find("syscall")
                .orElseThrow(() -> new UnsupportedOperationException("libc has no syscall()"));
        FunctionDescriptor descriptor = FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG);
        this.syscall = linker.downcallHandle(address, descriptor, Linker.Option.firstVariadicArg(1),
                Linker.Option.captureCallState("errno"));
    }

    /** SYS_futex for the given {@code os.arch}. */
    public static long syscallNumber(String arch) {
        return switch (arch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> 202;
            case "aarch64", "arm64", "riscv64" -> 98;
            default -> throw new UnsupportedOperationException("no futex syscall number known for " + arch);
        };
    }

    /**
     * FUTEX_WAIT: sleeps while the word at {@code address} holds {@code expected}, at most
     * {@code timeoutNanos} (relative).
     */
    public Outcome await(long address, int expected, long timeoutNanos) {
        try {
            MemorySegment mem = scratch.get();
            MemorySegment timespec = mem;
            long nanos = Math.max(0, timeoutNanos);
            timespec.set(ValueLayout.JAVA_LONG, 0, nanos / 1_000_000_000L);
            timespec.set(ValueLayout.JAVA_LONG, 8, nanos % 1_000_000_000L);
            MemorySegment state = mem.asSlice(stateOffset, captureLayout.byteSize());
            long result = (long) syscall.invokeExact(state, sysFutex, address, (long) FUTEX_WAIT,
                    (long) expected, timespec.address(), 0L, 0L);
            if (result == 0) {
                return Outcome.WOKEN;
            }
            int err = (int) errno.get(state, 0L);
            return switch (err) {
                case EAGAIN -> Outcome.VALUE_CHANGED;
                case ETIMEDOUT -> Outcome.TIMED_OUT;
                case EINTR -> Outcome.INTERRUPTED;
                case EFAULT -> throw new LabHubException(ErrorCode.SEGMENT_INVALID,
                        "futex word is not backed by the segment any more (truncated?): EFAULT");
                default -> throw new LabHubException(ErrorCode.INTERNAL, "futex wait failed, errno " + err);
            };
        } catch (LabHubException e) {
            throw e;
        } catch (Throwable t) {
            throw new LabHubException(ErrorCode.INTERNAL, "futex wait failed: " + t, t);
        }
    }

    /** FUTEX_WAKE: wakes up to {@code count} waiters; @return how many were woken */
    public int wake(long address, int count) {
        try {
            MemorySegment state = scratch.get().asSlice(stateOffset, captureLayout.byteSize());
            long result = (long) syscall.invokeExact(state, sysFutex, address, (long) FUTEX_WAKE, (long) count, 0L, 0L, 0L);
            if (result < 0) {
                int err = (int) errno.get(state, 0L);
                throw new LabHubException(err == EFAULT ? ErrorCode.SEGMENT_INVALID : ErrorCode.INTERNAL,
                        "futex wake failed, errno " + err);
            }
            return (int) result;
        } catch (LabHubException e) {
            throw e;
        } catch (Throwable t) {
            throw new LabHubException(ErrorCode.INTERNAL, "futex wake failed: " + t, t);
        }
    }
}
