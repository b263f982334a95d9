package io.labhub.transport.shm.internal.platform.windows;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Locale;

/**
 * The kernel32 functions the ring needs, as FFM downcalls. HANDLE and pointers are {@code ADDRESS},
 * DWORD and BOOL are {@code JAVA_INT}, SIZE_T is {@code JAVA_LONG} (64-bit Windows only). Every
 * call captures GetLastError. Constructing this class outside Windows fails with
 * {@link UnsupportedOperationException} before any lookup.
 */
final class Kernel32 {

    static final MemorySegment INVALID_HANDLE_VALUE = MemorySegment.ofAddress(-1L);
    static final int PAGE_READWRITE = 0x04;
    static final int FILE_MAP_WRITE = 0x0002;
    static final int FILE_MAP_READ = 0x0004;
    /** Offset of RegionSize in MEMORY_BASIC_INFORMATION (64-bit). */
    static final long MBI_REGION_SIZE = 24;
    static final long MBI_LENGTH = 48;

    private final StructLayout captureLayout;
    private final VarHandle lastError;
    private final MethodHandle createFileMapping;
    private final MethodHandle openFileMapping;
    private final MethodHandle mapViewOfFile;
    private final MethodHandle unmapViewOfFile;
    private final MethodHandle closeHandle;
    private final MethodHandle createEvent;
    private final MethodHandle setEvent;
    private final MethodHandle resetEvent;
    private final MethodHandle waitForSingleObject;
    private final MethodHandle virtualQuery;

    Kernel32() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows")) {
            throw new UnsupportedOperationException("kernel32 exists only on Windows");
        }
        captureLayout = Linker.Option.captureStateLayout();
        lastError = captureLayout.varHandle(MemoryLayout.PathElement.groupElement("GetLastError"));
        Linker linker = Linker.nativeLinker();
        SymbolLookup k32 = SymbolLookup.libraryLookup("kernel32", Arena.global());
        Linker.Option err = Linker.Option.captureCallState("GetLastError");
        var A = ValueLayout.ADDRESS;
        var I = ValueLayout.JAVA_INT;
        var L = ValueLayout.JAVA_LONG;
        createFileMapping = linker.downcallHandle(k32.findOrThrow("CreateFileMappingW"),
                FunctionDescriptor.of(A, A, A, I, I, I, A), err);
        openFileMapping = linker.downcallHandle(k32.findOrThrow("OpenFileMappingW"),
                FunctionDescriptor.of(A, I, I, A), err);
        mapViewOfFile = linker.downcallHandle(k32.findOrThrow("MapViewOfFile"),
                FunctionDescriptor.of(A, A, I, I, I, L), err);
        unmapViewOfFile = linker.downcallHandle(k32.findOrThrow("UnmapViewOfFile"), FunctionDescriptor.of(I, A), err);
        closeHandle = linker.downcallHandle(k32.findOrThrow("CloseHandle"), FunctionDescriptor.of(I, A), err);
        createEvent = linker.downcallHandle(k32.findOrThrow("CreateEventW"), FunctionDescriptor.of(A, A, I, I, A), err);
        setEvent = linker.downcallHandle(k32.findOrThrow("SetEvent"), FunctionDescriptor.of(I, A), err);
        resetEvent = linker.downcallHandle(k32.findOrThrow("ResetEvent"), FunctionDescriptor.of(I, A), err);
        waitForSingleObject = linker.downcallHandle(k32.findOrThrow("WaitForSingleObject"), FunctionDescriptor.of(I, A, I), err);
        virtualQuery = linker.downcallHandle(k32.findOrThrow("VirtualQuery"), FunctionDescriptor.of(L, A, A, L), err);
    }

    /** A result and the GetLastError right after it. */
    record Result<T>(T value, int lastError) {
    }

    private MemorySegment state(Arena arena) {
        return arena.allocate(captureLayout);
    }

    private int error(MemorySegment state) {
        return (int) lastError.get(state, 0L);
    }

    private static MemorySegment wide(Arena arena, String text) {
        return arena.allocateFrom(ValueLayout.JAVA_BYTE, WindowsNames.wide(text));
    }

    Result<MemorySegment> createFileMapping(String name, long size) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = state(arena);
            MemorySegment h = (MemorySegment) createFileMapping.invokeExact(st, INVALID_HANDLE_VALUE, MemorySegment.NULL,
                    PAGE_READWRITE, WindowsNames.high(size), WindowsNames.low(size), wide(arena, name));
            return new Result<>(h, error(st));
        }
    }

    Result<MemorySegment> openFileMapping(String name) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = state(arena);
            MemorySegment h = (MemorySegment) openFileMapping.invokeExact(st, FILE_MAP_READ | FILE_MAP_WRITE, 0,
                    wide(arena, name));
            return new Result<>(h, error(st));
        }
    }

    Result<MemorySegment> mapView(MemorySegment mapping, boolean writable, long offset, long length) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = state(arena);
            MemorySegment p = (MemorySegment) mapViewOfFile.invokeExact(st, mapping,
                    writable ? FILE_MAP_WRITE : FILE_MAP_READ, WindowsNames.high(offset), WindowsNames.low(offset), length);
            return new Result<>(p, error(st));
        }
    }

    /** The size of the region a view maps (how a consumer learns a mapping's size). */
    long regionSize(MemorySegment view) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = state(arena);
            MemorySegment mbi = arena.allocate(MBI_LENGTH, 8);
            long n = (long) virtualQuery.invokeExact(st, view, mbi, MBI_LENGTH);
            return n == 0 ? -1 : mbi.get(ValueLayout.JAVA_LONG, MBI_REGION_SIZE);
        }
    }

    void unmap(MemorySegment view) {
        call1(unmapViewOfFile, view);
    }

    void close(MemorySegment handle) {
        call1(closeHandle, handle);
    }

    Result<MemorySegment> createEvent(String name) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = state(arena);
            MemorySegment h = (MemorySegment) createEvent.invokeExact(st, MemorySegment.NULL, 1, 0, wide(arena, name));
            return new Result<>(h, error(st));
        }
    }

    void set(MemorySegment event) {
        call1(setEvent, event);
    }

    void reset(MemorySegment event) {
        call1(resetEvent, event);
    }

    Result<Integer> await(MemorySegment event, int millis) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = state(arena);
            int r = (int) waitForSingleObject.invokeExact(st, event, millis);
            return new Result<>(r, error(st));
        }
    }

    private void call1(MethodHandle handle, MemorySegment arg) {
        try (Arena arena = Arena.ofConfined()) {
            int ignored = (int) handle.invokeExact(state(arena), arg);
        } catch (Throwable t) {
            throw new IllegalStateException("kernel32 call failed", t);
        }
    }
}
