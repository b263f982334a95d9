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
 * The kernel32 (and one advapi32) functions the ring needs, as FFM downcalls, each checked against its
 * Win32 documentation (docs/shm-layout.md, "Windows"). HANDLE and pointers are {@code ADDRESS}, DWORD and
 * BOOL are {@code JAVA_INT}, SIZE_T is {@code JAVA_LONG} (64-bit Windows only). Every call captures
 * GetLastError into a per-thread scratch area, so the hot calls (SetEvent, WaitForSingleObject) allocate
 * nothing; names are passed as NUL-terminated UTF-16 in 2-byte aligned memory. Constructing this class
 * outside Windows fails with {@link UnsupportedOperationException} before any lookup.
 */
final class Kernel32 {

    static final MemorySegment INVALID_HANDLE_VALUE = MemorySegment.ofAddress(-1L);
    /** GetCurrentProcess()'s documented pseudo handle, (HANDLE) -1. */
    static final MemorySegment CURRENT_PROCESS = MemorySegment.ofAddress(-1L);
    static final int PAGE_READWRITE = 0x04;
    static final int FILE_MAP_WRITE = 0x0002;
    static final int FILE_MAP_READ = 0x0004;
    static final int SDDL_REVISION_1 = 1;
    /** Offset of RegionSize in MEMORY_BASIC_INFORMATION (64-bit). */
    static final long MBI_REGION_SIZE = 24;
    static final long MBI_LENGTH = 48;
    /** SECURITY_ATTRIBUTES (64-bit): DWORD nLength at 0, LPVOID lpSecurityDescriptor at 8, BOOL bInheritHandle at 16. */
    static final long SA_LENGTH = 24;

    private final StructLayout captureLayout;
    private final VarHandle lastError;
    private final MethodHandle createFileMapping;
    private final MethodHandle openFileMapping;
    private final MethodHandle mapViewOfFile;
    private final MethodHandle unmapViewOfFile;
    private final MethodHandle closeHandle;
    private final MethodHandle createEvent;
    private final MethodHandle setEvent;
    private final MethodHandle waitForSingleObject;
    private final MethodHandle virtualQuery;
    private final MethodHandle localFree;
    private final MethodHandle getProcessHandleCount;
    private final MethodHandle convertSddl;
    /** Per-thread GetLastError capture area (and a DWORD out-parameter after it), freed with its thread. */
    private final ThreadLocal<MemorySegment> scratch;

    Kernel32() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows")) {
            throw new UnsupportedOperationException("kernel32 exists only on Windows");
        }
        captureLayout = Linker.Option.captureStateLayout();
        lastError = captureLayout.varHandle(MemoryLayout.PathElement.groupElement("GetLastError"));
        long stateBytes = captureLayout.byteSize();
        long align = Math.max(8, captureLayout.byteAlignment());
        scratch = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(stateBytes + 8, align));
        Linker linker = Linker.nativeLinker();
        SymbolLookup k32 = SymbolLookup.libraryLookup("kernel32", Arena.global());
        SymbolLookup adv = SymbolLookup.libraryLookup("advapi32", Arena.global());
        Linker.Option err = Linker.Option.captureCallState("GetLastError");
        var A = ValueLayout.ADDRESS;
        var I = ValueLayout.JAVA_INT;
        var L = ValueLayout.JAVA_LONG;
        // HANDLE CreateFileMappingW(HANDLE hFile, LPSECURITY_ATTRIBUTES, DWORD flProtect, DWORD sizeHigh, DWORD sizeLow, LPCWSTR name)
        createFileMapping = linker.downcallHandle(k32.findOrThrow("CreateFileMappingW"),
                FunctionDescriptor.of(A, A, A, I, I, I, A), err);
        // HANDLE OpenFileMappingW(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCWSTR lpName)
        openFileMapping = linker.downcallHandle(k32.findOrThrow("OpenFileMappingW"),
                FunctionDescriptor.of(A, I, I, A), err);
        // LPVOID MapViewOfFile(HANDLE, DWORD dwDesiredAccess, DWORD offsetHigh, DWORD offsetLow, SIZE_T bytes)
        mapViewOfFile = linker.downcallHandle(k32.findOrThrow("MapViewOfFile"),
                FunctionDescriptor.of(A, A, I, I, I, L), err);
        // BOOL UnmapViewOfFile(LPCVOID)
        unmapViewOfFile = linker.downcallHandle(k32.findOrThrow("UnmapViewOfFile"), FunctionDescriptor.of(I, A), err);
        // BOOL CloseHandle(HANDLE)
        closeHandle = linker.downcallHandle(k32.findOrThrow("CloseHandle"), FunctionDescriptor.of(I, A), err);
        // HANDLE CreateEventW(LPSECURITY_ATTRIBUTES, BOOL bManualReset, BOOL bInitialState, LPCWSTR lpName)
        createEvent = linker.downcallHandle(k32.findOrThrow("CreateEventW"), FunctionDescriptor.of(A, A, I, I, A), err);
        // BOOL SetEvent(HANDLE)
        setEvent = linker.downcallHandle(k32.findOrThrow("SetEvent"), FunctionDescriptor.of(I, A), err);
        // DWORD WaitForSingleObject(HANDLE, DWORD dwMilliseconds)
        waitForSingleObject = linker.downcallHandle(k32.findOrThrow("WaitForSingleObject"), FunctionDescriptor.of(I, A, I), err);
        // SIZE_T VirtualQuery(LPCVOID, PMEMORY_BASIC_INFORMATION, SIZE_T dwLength)
        virtualQuery = linker.downcallHandle(k32.findOrThrow("VirtualQuery"), FunctionDescriptor.of(L, A, A, L), err);
        // HLOCAL LocalFree(HLOCAL): NULL on success
        localFree = linker.downcallHandle(k32.findOrThrow("LocalFree"), FunctionDescriptor.of(A, A), err);
        // BOOL GetProcessHandleCount(HANDLE hProcess, PDWORD pdwHandleCount)
        getProcessHandleCount = linker.downcallHandle(k32.findOrThrow("GetProcessHandleCount"),
                FunctionDescriptor.of(I, A, A), err);
        // BOOL ConvertStringSecurityDescriptorToSecurityDescriptorW(LPCWSTR, DWORD revision,
        //      PSECURITY_DESCRIPTOR *out (free with LocalFree), PULONG size (may be NULL))
        convertSddl = linker.downcallHandle(adv.findOrThrow("ConvertStringSecurityDescriptorToSecurityDescriptorW"),
                FunctionDescriptor.of(I, A, I, A, A), err);
    }

    /** A result and the GetLastError right after it. */
    record Result<T>(T value, int lastError) {
    }

    /** This thread's capture area (GetLastError of the last call made with it). */
    private MemorySegment state() {
        return scratch.get();
    }

    private int error(MemorySegment state) {
        return (int) lastError.get(state, 0L);
    }

    /** A {@code LPCWSTR} in {@code arena}: UTF-16LE, NUL-terminated, 2-byte aligned as WCHAR needs. */
    static MemorySegment wide(Arena arena, String text) {
        byte[] bytes = WindowsNames.wide(text);
        MemorySegment s = arena.allocate(bytes.length, 2);
        MemorySegment.copy(bytes, 0, s, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return s;
    }

    /** {@code sa} (an SA_LENGTH block) filled for descriptor {@code sd}, handles not inherited. */
    static MemorySegment securityAttributes(Arena arena, MemorySegment sd) {
        MemorySegment sa = arena.allocate(SA_LENGTH, 8);
        sa.set(ValueLayout.JAVA_INT, 0, (int) SA_LENGTH);
        sa.set(ValueLayout.ADDRESS, 8, sd);
        sa.set(ValueLayout.JAVA_INT, 16, 0);
        return sa;
    }

    Result<MemorySegment> createFileMapping(String name, long size, MemorySegment securityAttributes) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = state();
            MemorySegment h = (MemorySegment) createFileMapping.invokeExact(st, INVALID_HANDLE_VALUE, securityAttributes,
                    PAGE_READWRITE, WindowsNames.high(size), WindowsNames.low(size), wide(arena, name));
            return new Result<>(h, error(st));
        }
    }

    Result<MemorySegment> openFileMapping(String name) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = state();
            MemorySegment h = (MemorySegment) openFileMapping.invokeExact(st, FILE_MAP_READ | FILE_MAP_WRITE, 0,
                    wide(arena, name));
            return new Result<>(h, error(st));
        }
    }

    Result<MemorySegment> mapView(MemorySegment mapping, boolean writable, long offset, long length) throws Throwable {
        MemorySegment st = state();
        MemorySegment p = (MemorySegment) mapViewOfFile.invokeExact(st, mapping,
                writable ? FILE_MAP_WRITE : FILE_MAP_READ, WindowsNames.high(offset), WindowsNames.low(offset), length);
        return new Result<>(p, error(st));
    }

    /** The size of the region a view maps (how a consumer learns a mapping's size), or -1. */
    long regionSize(MemorySegment view) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mbi = arena.allocate(MBI_LENGTH, 8);
            long n = (long) virtualQuery.invokeExact(state(), view, mbi, MBI_LENGTH);
            return n == 0 ? -1 : mbi.get(ValueLayout.JAVA_LONG, MBI_REGION_SIZE);
        }
    }

    /** UnmapViewOfFile; @return 0 on success, else GetLastError */
    int unmap(MemorySegment view) {
        return bool("UnmapViewOfFile", unmapViewOfFile, view);
    }

    /** CloseHandle; @return 0 on success, else GetLastError */
    int close(MemorySegment handle) {
        return bool("CloseHandle", closeHandle, handle);
    }

    /** An auto-reset event (bManualReset FALSE), initially not signalled, created or opened by name. */
    Result<MemorySegment> createAutoResetEvent(String name, MemorySegment securityAttributes) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = state();
            MemorySegment h = (MemorySegment) createEvent.invokeExact(st, securityAttributes, 0, 0, wide(arena, name));
            return new Result<>(h, error(st));
        }
    }

    /** SetEvent; @return 0 on success, else GetLastError */
    int set(MemorySegment event) {
        return bool("SetEvent", setEvent, event);
    }

    Result<Integer> await(MemorySegment event, int millis) throws Throwable {
        MemorySegment st = state();
        int r = (int) waitForSingleObject.invokeExact(st, event, millis);
        return new Result<>(r, error(st));
    }

    /** GetProcessHandleCount of this process (a leak check for the tests), or -1. */
    long handleCount() throws Throwable {
        MemorySegment st = state();
        MemorySegment count = st.asSlice(captureLayout.byteSize(), 4);
        int ok = (int) getProcessHandleCount.invokeExact(st, CURRENT_PROCESS, count);
        return ok == 0 ? -1 : Integer.toUnsignedLong(count.get(ValueLayout.JAVA_INT, 0));
    }

    /**
     * ConvertStringSecurityDescriptorToSecurityDescriptorW: a self-relative descriptor for {@code sddl}, to be
     * freed with {@link #localFree}.
     */
    Result<MemorySegment> securityDescriptor(String sddl) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = state();
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            int ok = (int) convertSddl.invokeExact(st, wide(arena, sddl), SDDL_REVISION_1, out, MemorySegment.NULL);
            int e = error(st);
            return new Result<>(ok == 0 ? MemorySegment.NULL : out.get(ValueLayout.ADDRESS, 0), e);
        }
    }

    /** LocalFree; @return 0 on success, else GetLastError */
    int localFree(MemorySegment memory) {
        try {
            MemorySegment st = state();
            MemorySegment r = (MemorySegment) localFree.invokeExact(st, memory);
            return r.address() == 0 ? 0 : nonZero(error(st));
        } catch (Throwable t) {
            throw new IllegalStateException("LocalFree failed", t);
        }
    }

    /** A BOOL call of one handle or pointer; @return 0 when it returned TRUE, else GetLastError (never 0). */
    private int bool(String call, MethodHandle handle, MemorySegment arg) {
        try {
            MemorySegment st = state();
            int ok = (int) handle.invokeExact(st, arg);
            return ok != 0 ? 0 : nonZero(error(st));
        } catch (Throwable t) {
            throw new IllegalStateException(call + " failed", t);
        }
    }

    private static int nonZero(int lastError) {
        return lastError == 0 ? -1 : lastError;
    }
}
