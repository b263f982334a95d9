package io.labhub.crypto;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.URL;
import java.net.URLClassLoader;

/**
 * jnacl 1.0.0, the reference, loaded from its own jar in a class loader of its own: this module's
 * classes of the same names come first on the test class path, so {@code com.neilalexander...} here
 * would be ours, not jnacl's.
 */
final class Jnacl {

    private static final MethodHandle BOX;
    private static final MethodHandle BOX_OPEN;
    private static final MethodHandle BEFORENM;
    private static final MethodHandle SCALARMULT_BASE;

    static {
        try {
            // NaCl.class exists only in jnacl (this module does not define it): it locates jnacl's jar.
            URL jar = Class.forName("com.neilalexander.jnacl.NaCl").getProtectionDomain().getCodeSource()
                    .getLocation();
            ClassLoader loader = new URLClassLoader(new URL[] {jar}, null);
            Class<?> box = loader.loadClass("com.neilalexander.jnacl.crypto.curve25519xsalsa20poly1305");
            Class<?> curve = loader.loadClass("com.neilalexander.jnacl.crypto.curve25519");
            MethodHandles.Lookup l = MethodHandles.publicLookup();
            MethodType six = MethodType.methodType(int.class, byte[].class, byte[].class, long.class, byte[].class,
                    byte[].class, byte[].class);
            BOX = l.findStatic(box, "crypto_box", six);
            BOX_OPEN = l.findStatic(box, "crypto_box_open", six);
            BEFORENM = l.findStatic(box, "crypto_box_beforenm",
                    MethodType.methodType(int.class, byte[].class, byte[].class, byte[].class));
            SCALARMULT_BASE = l.findStatic(curve, "crypto_scalarmult_base",
                    MethodType.methodType(int.class, byte[].class, byte[].class));
            if (box.getProtectionDomain().getCodeSource().getLocation().equals(
                    com.neilalexander.jnacl.crypto.curve25519xsalsa20poly1305.class.getProtectionDomain()
                            .getCodeSource().getLocation())) {
                throw new IllegalStateException("jnacl reference resolved to the module under test");
            }
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Jnacl() {
    }

    static int box(byte[] c, byte[] m, long mlen, byte[] n, byte[] pk, byte[] sk) throws Throwable {
        return (int) BOX.invokeExact(c, m, mlen, n, pk, sk);
    }

    static int boxOpen(byte[] m, byte[] c, long clen, byte[] n, byte[] pk, byte[] sk) throws Throwable {
        return (int) BOX_OPEN.invokeExact(m, c, clen, n, pk, sk);
    }

    static int beforenm(byte[] k, byte[] pk, byte[] sk) throws Throwable {
        return (int) BEFORENM.invokeExact(k, pk, sk);
    }

    static int scalarmultBase(byte[] q, byte[] n) throws Throwable {
        return (int) SCALARMULT_BASE.invokeExact(q, n);
    }
}
