package com.neilalexander.jnacl.crypto;

import io.labhub.crypto.internal.Checked;

/**
 * NaCl crypto_box (curve25519xsalsa20poly1305) with jnacl 1.0.0's signatures. NaCl conventions: a
 * message buffer starts with {@value #crypto_box_ZEROBYTES} zero bytes and {@code mlen} includes them;
 * a box starts with {@value #crypto_box_BOXZEROBYTES} zero bytes. Every method returns 0 on success and
 * -1 on failure (forged or corrupted box, wrong key, length below 32, an array shorter than the length
 * or key size, a low-order public key); none throws.
 */
@SuppressWarnings({"checkstyle:TypeName", "checkstyle:MethodName"})
public class curve25519xsalsa20poly1305 {

    // jnacl 1.0.0's constant names (sic: "secretbox" in the box class), kept for source compatibility.
    public static final int crypto_secretbox_PUBLICKEYBYTES = 32;
    public static final int crypto_secretbox_SECRETKEYBYTES = 32;
    public static final int crypto_secretbox_BEFORENMBYTES = 32;
    public static final int crypto_secretbox_NONCEBYTES = 24;
    public static final int crypto_secretbox_ZEROBYTES = 32;
    public static final int crypto_secretbox_BOXZEROBYTES = 16;
    // NaCl's names.
    public static final int crypto_box_PUBLICKEYBYTES = 32;
    public static final int crypto_box_SECRETKEYBYTES = 32;
    public static final int crypto_box_BEFORENMBYTES = 32;
    public static final int crypto_box_NONCEBYTES = 24;
    public static final int crypto_box_ZEROBYTES = 32;
    public static final int crypto_box_BOXZEROBYTES = 16;

    public curve25519xsalsa20poly1305() {
    }

    /** publickey = X25519(secretkey, 9). */
    public static int crypto_box_getpublickey(byte[] publickey, byte[] secretkey) {
        return Checked.scalarmultBase(publickey, secretkey);
    }

    /** Fills secretkey with 32 random bytes and publickey with its public key. */
    public static int crypto_box_keypair(byte[] publickey, byte[] secretkey) {
        return Checked.keypair(publickey, secretkey);
    }

    /** k = the precomputed key for (publickey, secretkey). */
    public static int crypto_box_beforenm(byte[] k, byte[] publickey, byte[] secretkey) {
        return Checked.beforenm(k, publickey, secretkey);
    }

    public static int crypto_box_afternm(byte[] c, byte[] m, long mlen, byte[] n, byte[] k) {
        return Checked.secretbox(c, m, mlen, n, k);
    }

    public static int crypto_box_open_afternm(byte[] m, byte[] c, long clen, byte[] n, byte[] k) {
        return Checked.secretboxOpen(m, c, clen, n, k);
    }

    public static int crypto_box(byte[] c, byte[] m, long mlen, byte[] n, byte[] pk, byte[] sk) {
        return Checked.box(c, m, mlen, n, pk, sk);
    }

    public static int crypto_box_open(byte[] m, byte[] c, long clen, byte[] n, byte[] pk, byte[] sk) {
        return Checked.boxOpen(m, c, clen, n, pk, sk);
    }

    public static int crypto_box_afternm(byte[] c, byte[] m, byte[] n, byte[] k) {
        return Checked.secretbox(c, m, m == null ? 0 : m.length, n, k);
    }

    public static int crypto_box_open_afternm(byte[] m, byte[] c, byte[] n, byte[] k) {
        return Checked.secretboxOpen(m, c, c == null ? 0 : c.length, n, k);
    }

    public static int crypto_box(byte[] c, byte[] m, byte[] n, byte[] pk, byte[] sk) {
        return Checked.box(c, m, m == null ? 0 : m.length, n, pk, sk);
    }

    public static int crypto_box_open(byte[] m, byte[] c, byte[] n, byte[] pk, byte[] sk) {
        return Checked.boxOpen(m, c, c == null ? 0 : c.length, n, pk, sk);
    }
}
