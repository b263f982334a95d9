package io.labhub.crypto.internal;

/**
 * The NaCl calls with every argument checked before the backend sees it: a null or short array, a
 * negative or too large length returns NaCl's failure code {@code -1}, never an exception, because
 * JeroMQ calls these on its I/O thread. (jnacl throws ArrayIndexOutOfBoundsException there; libsodium
 * would read or write out of bounds.) A backend's unexpected RuntimeException is also turned into
 * {@code -1}.
 */
public final class Checked {

    /** NaCl crypto_box/secretbox sizes. */
    public static final int KEY = 32;
    public static final int NONCE = 24;
    public static final int ZERO = 32;

    private Checked() {
    }

    public static int scalarmultBase(byte[] pk, byte[] sk) {
        if (!key(pk) || !key(sk)) {
            return -1;
        }
        try {
            return Backends.current().scalarmultBase(pk, sk);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    public static int keypair(byte[] pk, byte[] sk) {
        if (!key(pk) || !key(sk)) {
            return -1;
        }
        try {
            return Backends.current().keypair(pk, sk);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    public static int beforenm(byte[] k, byte[] pk, byte[] sk) {
        if (!key(k) || !key(pk) || !key(sk)) {
            return -1;
        }
        try {
            return Backends.current().beforenm(k, pk, sk);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    public static int secretbox(byte[] c, byte[] m, long mlen, byte[] n, byte[] k) {
        if (!message(c, m, mlen) || !nonce(n) || !key(k)) {
            return -1;
        }
        try {
            return Backends.current().secretbox(c, m, (int) mlen, n, k);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    public static int secretboxOpen(byte[] m, byte[] c, long clen, byte[] n, byte[] k) {
        if (!message(m, c, clen) || !nonce(n) || !key(k)) {
            return -1;
        }
        try {
            return Backends.current().secretboxOpen(m, c, (int) clen, n, k);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    public static int box(byte[] c, byte[] m, long mlen, byte[] n, byte[] pk, byte[] sk) {
        byte[] k = new byte[KEY];
        if (beforenm(k, pk, sk) != 0) {
            return -1;
        }
        try {
            return secretbox(c, m, mlen, n, k);
        } finally {
            java.util.Arrays.fill(k, (byte) 0);
        }
    }

    public static int boxOpen(byte[] m, byte[] c, long clen, byte[] n, byte[] pk, byte[] sk) {
        byte[] k = new byte[KEY];
        if (beforenm(k, pk, sk) != 0) {
            return -1;
        }
        try {
            return secretboxOpen(m, c, clen, n, k);
        } finally {
            java.util.Arrays.fill(k, (byte) 0);
        }
    }

    private static boolean key(byte[] a) {
        return a != null && a.length >= KEY;
    }

    private static boolean nonce(byte[] a) {
        return a != null && a.length >= NONCE;
    }

    private static boolean message(byte[] out, byte[] in, long len) {
        return out != null && in != null && len >= ZERO && len <= in.length && len <= out.length;
    }
}
