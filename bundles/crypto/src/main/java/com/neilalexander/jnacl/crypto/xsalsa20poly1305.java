package com.neilalexander.jnacl.crypto;

import io.labhub.crypto.internal.Checked;

/**
 * NaCl crypto_secretbox (xsalsa20poly1305) with jnacl 1.0.0's signatures; the same conventions and
 * return codes as {@link curve25519xsalsa20poly1305}.
 */
@SuppressWarnings({"checkstyle:TypeName", "checkstyle:MethodName"})
public class xsalsa20poly1305 {

    public static final int crypto_secretbox_KEYBYTES = 32;
    public static final int crypto_secretbox_NONCEBYTES = 24;
    public static final int crypto_secretbox_ZEROBYTES = 32;
    public static final int crypto_secretbox_BOXZEROBYTES = 16;

    public xsalsa20poly1305() {
    }

    public static int crypto_secretbox(byte[] c, byte[] m, long mlen, byte[] n, byte[] k) {
        return Checked.secretbox(c, m, mlen, n, k);
    }

    public static int crypto_secretbox_open(byte[] m, byte[] c, long clen, byte[] n, byte[] k) {
        return Checked.secretboxOpen(m, c, clen, n, k);
    }
}
