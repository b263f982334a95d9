package io.labhub.crypto.internal;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Properties;
import org.bouncycastle.crypto.engines.XSalsa20Engine;
import org.bouncycastle.crypto.macs.Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * The NaCl primitives from Bouncy Castle's lightweight API (no JCE provider): X25519, XSalsa20 and
 * Poly1305, composed the way NaCl composes them. The first 32 bytes of the XSalsa20 key stream are the
 * Poly1305 key; the message is encrypted with the stream from byte 32 on; the tag covers the
 * ciphertext. HSalsa20 (for {@code beforenm}) is written out here: Bouncy Castle uses it only inside
 * XSalsa20Engine.
 */
public final class BouncyCastle implements Backend {

    private static final byte[] SIGMA = "expand 32-byte k".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] ZERO16 = new byte[16];
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String name = "Bouncy Castle " + version();

    private static String version() {
        Properties p = new Properties();
        try (InputStream in = BouncyCastle.class.getResourceAsStream("crypto.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // the name is informative only
        }
        return p.getProperty("bcprov.version", "(unknown version)");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int scalarmultBase(byte[] pk, byte[] sk) {
        X25519.scalarMultBase(sk, 0, pk, 0);
        return 0;
    }

    @Override
    public int keypair(byte[] pk, byte[] sk) {
        byte[] s = new byte[32];
        RANDOM.nextBytes(s);
        System.arraycopy(s, 0, sk, 0, 32);
        return scalarmultBase(pk, sk);
    }

    @Override
    public int beforenm(byte[] k, byte[] pk, byte[] sk) {
        byte[] shared = new byte[32];
        try {
            if (!X25519.calculateAgreement(sk, 0, pk, 0, shared, 0)) {
                return -1;
            }
            hsalsa20(k, ZERO16, shared);
            return 0;
        } finally {
            Arrays.fill(shared, (byte) 0);
        }
    }

    @Override
    public int secretbox(byte[] c, byte[] m, int mlen, byte[] n, byte[] k) {
        if (mlen < 32) {
            return -1;
        }
        XSalsa20Engine stream = stream(n, k);
        byte[] polyKey = new byte[32];
        stream.processBytes(polyKey, 0, 32, polyKey, 0);
        stream.processBytes(m, 32, mlen - 32, c, 32);
        Poly1305 mac = new Poly1305();
        mac.init(new KeyParameter(polyKey));
        mac.update(c, 32, mlen - 32);
        mac.doFinal(c, 16);
        Arrays.fill(c, 0, 16, (byte) 0);
        Arrays.fill(polyKey, (byte) 0);
        return 0;
    }

    @Override
    public int secretboxOpen(byte[] m, byte[] c, int clen, byte[] n, byte[] k) {
        if (clen < 32) {
            return -1;
        }
        XSalsa20Engine stream = stream(n, k);
        byte[] polyKey = new byte[32];
        stream.processBytes(polyKey, 0, 32, polyKey, 0);
        Poly1305 mac = new Poly1305();
        mac.init(new KeyParameter(polyKey));
        mac.update(c, 32, clen - 32);
        byte[] tag = new byte[16];
        mac.doFinal(tag, 0);
        Arrays.fill(polyKey, (byte) 0);
        if (!MessageDigest.isEqual(tag, Arrays.copyOfRange(c, 16, 32))) {
            return -1;
        }
        stream.processBytes(c, 32, clen - 32, m, 32);
        Arrays.fill(m, 0, 32, (byte) 0);
        return 0;
    }

    private static XSalsa20Engine stream(byte[] n, byte[] k) {
        XSalsa20Engine engine = new XSalsa20Engine();
        engine.init(true, new ParametersWithIV(new KeyParameter(k, 0, 32), n, 0, 24));
        return engine;
    }

    /** HSalsa20 (NaCl crypto_core_hsalsa20): out = the 32-byte core of key k and 16-byte input in. */
    static void hsalsa20(byte[] out, byte[] in, byte[] k) {
        int x0 = le(SIGMA, 0), x5 = le(SIGMA, 4), x10 = le(SIGMA, 8), x15 = le(SIGMA, 12);
        int x1 = le(k, 0), x2 = le(k, 4), x3 = le(k, 8), x4 = le(k, 12);
        int x11 = le(k, 16), x12 = le(k, 20), x13 = le(k, 24), x14 = le(k, 28);
        int x6 = le(in, 0), x7 = le(in, 4), x8 = le(in, 8), x9 = le(in, 12);
        for (int i = 0; i < 20; i += 2) {
            x4 ^= Integer.rotateLeft(x0 + x12, 7);
            x8 ^= Integer.rotateLeft(x4 + x0, 9);
            x12 ^= Integer.rotateLeft(x8 + x4, 13);
            x0 ^= Integer.rotateLeft(x12 + x8, 18);
            x9 ^= Integer.rotateLeft(x5 + x1, 7);
            x13 ^= Integer.rotateLeft(x9 + x5, 9);
            x1 ^= Integer.rotateLeft(x13 + x9, 13);
            x5 ^= Integer.rotateLeft(x1 + x13, 18);
            x14 ^= Integer.rotateLeft(x10 + x6, 7);
            x2 ^= Integer.rotateLeft(x14 + x10, 9);
            x6 ^= Integer.rotateLeft(x2 + x14, 13);
            x10 ^= Integer.rotateLeft(x6 + x2, 18);
            x3 ^= Integer.rotateLeft(x15 + x11, 7);
            x7 ^= Integer.rotateLeft(x3 + x15, 9);
            x11 ^= Integer.rotateLeft(x7 + x3, 13);
            x15 ^= Integer.rotateLeft(x11 + x7, 18);
            x1 ^= Integer.rotateLeft(x0 + x3, 7);
            x2 ^= Integer.rotateLeft(x1 + x0, 9);
            x3 ^= Integer.rotateLeft(x2 + x1, 13);
            x0 ^= Integer.rotateLeft(x3 + x2, 18);
            x6 ^= Integer.rotateLeft(x5 + x4, 7);
            x7 ^= Integer.rotateLeft(x6 + x5, 9);
            x4 ^= Integer.rotateLeft(x7 + x6, 13);
            x5 ^= Integer.rotateLeft(x4 + x7, 18);
            x11 ^= Integer.rotateLeft(x10 + x9, 7);
            x8 ^= Integer.rotateLeft(x11 + x10, 9);
            x9 ^= Integer.rotateLeft(x8 + x11, 13);
            x10 ^= Integer.rotateLeft(x9 + x8, 18);
            x12 ^= Integer.rotateLeft(x15 + x14, 7);
            x13 ^= Integer.rotateLeft(x12 + x15, 9);
            x14 ^= Integer.rotateLeft(x13 + x12, 13);
            x15 ^= Integer.rotateLeft(x14 + x13, 18);
        }
        int[] words = {x0, x5, x10, x15, x6, x7, x8, x9};
        for (int i = 0; i < 8; i++) {
            out[4 * i] = (byte) words[i];
            out[4 * i + 1] = (byte) (words[i] >>> 8);
            out[4 * i + 2] = (byte) (words[i] >>> 16);
            out[4 * i + 3] = (byte) (words[i] >>> 24);
        }
    }

    private static int le(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }
}
