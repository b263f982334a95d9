package io.labhub.crypto.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * libsodium's NaCl-compatible functions ({@code crypto_box_beforenm}, {@code crypto_secretbox}, ...)
 * through FFM downcalls. The library is found by name, as the shm fragments find theirs: Debian's
 * {@code libsodium.so.23} first, then the unversioned names. Every downcall is
 * {@link Linker.Option#critical(boolean) critical} with heap access, so the Java arrays are passed as
 * they are ({@link MemorySegment#ofArray}): no copy, no native buffer, no allocation per call. A
 * critical call holds off the GC for its duration, which here is at most about a millisecond (1 MiB at
 * 1.5 GB/s); JeroMQ's frames are that size at the very most in LabHub's use.
 */
public final class Libsodium implements Backend {

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout ADDR = ValueLayout.ADDRESS;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;

    private final String name;
    private final MethodHandle scalarmultBase;
    private final MethodHandle beforenm;
    private final MethodHandle secretbox;
    private final MethodHandle secretboxOpen;
    private final MethodHandle randombytes;

    private Libsodium(SymbolLookup lib, Linker linker) throws Throwable {
        Linker.Option critical = Linker.Option.critical(true);
        MethodHandle init = linker.downcallHandle(find(lib, "sodium_init"), FunctionDescriptor.of(INT));
        int rc = (int) init.invokeExact();
        if (rc < 0) {
            throw new IllegalStateException("sodium_init() returned " + rc);
        }
        MethodHandle version = linker.downcallHandle(find(lib, "sodium_version_string"),
                FunctionDescriptor.of(ADDR));
        MemorySegment v = ((MemorySegment) version.invokeExact()).reinterpret(64);
        this.name = "libsodium " + v.getString(0) + " (FFM)";
        this.scalarmultBase = linker.downcallHandle(find(lib, "crypto_scalarmult_curve25519_base"),
                FunctionDescriptor.of(INT, ADDR, ADDR), critical);
        this.beforenm = linker.downcallHandle(find(lib, "crypto_box_curve25519xsalsa20poly1305_beforenm"),
                FunctionDescriptor.of(INT, ADDR, ADDR, ADDR), critical);
        this.secretbox = linker.downcallHandle(find(lib, "crypto_secretbox_xsalsa20poly1305"),
                FunctionDescriptor.of(INT, ADDR, ADDR, LONG, ADDR, ADDR), critical);
        this.secretboxOpen = linker.downcallHandle(find(lib, "crypto_secretbox_xsalsa20poly1305_open"),
                FunctionDescriptor.of(INT, ADDR, ADDR, LONG, ADDR, ADDR), critical);
        this.randombytes = linker.downcallHandle(find(lib, "randombytes_buf"),
                FunctionDescriptor.ofVoid(ADDR, LONG), critical);
    }

    /**
     * Loads libsodium.
     *
     * @throws IllegalStateException naming every library name tried and why each failed
     */
    public static Libsodium load() {
        return load(List.of("libsodium.so.23", System.mapLibraryName("sodium"), "libsodium.so", "libsodium.dylib",
                "sodium"));
    }

    /** Loads libsodium from the first of {@code libraryNames} that loads (tests try missing ones). */
    public static Libsodium load(List<String> libraryNames) {
        Set<String> names = new LinkedHashSet<>(libraryNames);
        List<String> failures = new ArrayList<>();
        Linker linker = Linker.nativeLinker();
        for (String n : names) {
            SymbolLookup lib;
            try {
                lib = SymbolLookup.libraryLookup(n, Arena.global());
            } catch (IllegalArgumentException e) {
                failures.add(n + ": not found");
                continue;
            }
            try {
                return new Libsodium(lib, linker);
            } catch (Throwable e) {
                failures.add(n + ": " + e);
            }
        }
        throw new IllegalStateException("libsodium not loaded (" + String.join("; ", failures) + ")");
    }

    private static MemorySegment find(SymbolLookup lib, String symbol) {
        return lib.find(symbol).orElseThrow(() -> new IllegalStateException("symbol " + symbol + " missing"));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int scalarmultBase(byte[] pk, byte[] sk) {
        try {
            return (int) scalarmultBase.invokeExact(MemorySegment.ofArray(pk), MemorySegment.ofArray(sk));
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    @Override
    public int keypair(byte[] pk, byte[] sk) {
        try {
            randombytes.invokeExact(MemorySegment.ofArray(sk), 32L);
        } catch (Throwable e) {
            throw rethrow(e);
        }
        return scalarmultBase(pk, sk);
    }

    @Override
    public int beforenm(byte[] k, byte[] pk, byte[] sk) {
        try {
            return (int) beforenm.invokeExact(MemorySegment.ofArray(k), MemorySegment.ofArray(pk),
                    MemorySegment.ofArray(sk));
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    @Override
    public int secretbox(byte[] c, byte[] m, int mlen, byte[] n, byte[] k) {
        try {
            return (int) secretbox.invokeExact(MemorySegment.ofArray(c), MemorySegment.ofArray(m), (long) mlen,
                    MemorySegment.ofArray(n), MemorySegment.ofArray(k));
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    @Override
    public int secretboxOpen(byte[] m, byte[] c, int clen, byte[] n, byte[] k) {
        try {
            return (int) secretboxOpen.invokeExact(MemorySegment.ofArray(m), MemorySegment.ofArray(c),
                    (long) clen, MemorySegment.ofArray(n), MemorySegment.ofArray(k));
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    private static RuntimeException rethrow(Throwable e) {
        if (e instanceof RuntimeException r) {
            return r;
        }
        if (e instanceof Error err) {
            throw err;
        }
        return new IllegalStateException(e);
    }
}
