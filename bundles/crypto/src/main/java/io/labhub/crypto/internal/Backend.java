package io.labhub.crypto.internal;

/**
 * One implementation of the NaCl primitives, with NaCl's calling conventions (zero padding: a message
 * starts with {@code ZEROBYTES} zero bytes, a box with {@code BOXZEROBYTES}). Callers
 * ({@link io.labhub.crypto.internal.Checked}) have already checked every array length, so an
 * implementation may assume {@code len <= out.length}, {@code len <= in.length}, 24-byte nonces and
 * 32-byte keys; it still returns {@code -1} for {@code len < 32}, a failed authentication or a
 * low-order public key (an all-zero shared secret).
 */
public interface Backend {

    /** @return a human-readable name with version, e.g. {@code libsodium 1.0.18 (FFM)} */
    String name();

    /** pk = X25519(sk, 9); 0 */
    int scalarmultBase(byte[] pk, byte[] sk);

    /** Fills sk with random bytes, pk = its public key; 0 */
    int keypair(byte[] pk, byte[] sk);

    /** k = HSalsa20(X25519(sk, pk), 0); 0, or -1 when the shared secret is all zero */
    int beforenm(byte[] k, byte[] pk, byte[] sk);

    /** NaCl crypto_secretbox (XSalsa20-Poly1305), also crypto_box_afternm */
    int secretbox(byte[] c, byte[] m, int mlen, byte[] n, byte[] k);

    /** NaCl crypto_secretbox_open, also crypto_box_open_afternm */
    int secretboxOpen(byte[] m, byte[] c, int clen, byte[] n, byte[] k);
}
