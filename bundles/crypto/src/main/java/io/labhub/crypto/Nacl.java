package io.labhub.crypto;

import io.labhub.crypto.internal.Backends;
import io.labhub.crypto.internal.Checked;

/** The NaCl backend behind CURVE. */
public final class Nacl {

    /** Framework or system property that forces a backend: {@code libsodium}, {@code bouncycastle} or {@code auto}. */
    public static final String BACKEND_PROPERTY = Backends.PROPERTY;

    /** Size of a CURVE (X25519) public or secret key, in bytes. */
    public static final int KEY_BYTES = 32;

    private Nacl() {
    }

    /** @return the backend in use, e.g. {@code libsodium 1.0.18 (FFM)} or {@code Bouncy Castle 1.87} */
    public static String backend() {
        return Backends.current().name();
    }

    /**
     * Derives a public key from a secret key: {@code pub = X25519(secret, 9)}.
     *
     * @throws IllegalArgumentException when either array is not {@value #KEY_BYTES} bytes long
     */
    public static void scalarmultBase(byte[] pub, byte[] secret) {
        if (pub == null || secret == null || pub.length != KEY_BYTES || secret.length != KEY_BYTES) {
            throw new IllegalArgumentException("pub and secret must each be " + KEY_BYTES + " bytes");
        }
        if (Checked.scalarmultBase(pub, secret) != 0) {
            throw new IllegalStateException("crypto_scalarmult_base failed in " + backend());
        }
    }
}
