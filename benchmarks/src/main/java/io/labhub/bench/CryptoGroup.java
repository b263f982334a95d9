package io.labhub.bench;

import com.neilalexander.jnacl.crypto.curve25519xsalsa20poly1305;
import io.labhub.crypto.Nacl;
import io.labhub.crypto.internal.Backends;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The crypto floor of CURVE: how many NaCl boxes one core makes, per backend of the crypto bundle,
 * through the very call JeroMQ makes for every message ({@code crypto_box_afternm} on a precomputed
 * key, a fresh nonce each time). Cases {@code box.SIZE.BACKEND}; side B alone measures, on one thread.
 * Before measuring, a box is opened again and compared, so a broken backend never yields a figure.
 */
final class CryptoGroup implements Group {

    @Override
    public String init(String side, Map<String, String> params) {
        return "-";
    }

    @Override
    public String setup(String caseName) {
        return "-";
    }

    @Override
    public double[] run(String caseName, String arg) throws Exception {
        String[] p = caseName.split("\\.");
        if (p.length != 3 || !p[0].equals("box")) {
            throw new IllegalArgumentException("unknown case " + caseName);
        }
        int size = Integer.parseInt(p[1]);
        Backends.select(p[2]);
        System.err.println("crypto case " + caseName + " on " + Nacl.backend());
        SplittableRandom random = new SplittableRandom(42);
        byte[] k = new byte[32];
        random.nextBytes(k);
        byte[] nonce = new byte[24];
        random.nextBytes(nonce);
        byte[] m = new byte[32 + size];
        random.nextBytes(m);
        Arrays.fill(m, 0, 32, (byte) 0);
        byte[] c = new byte[m.length];
        check(c, m, nonce, k);
        return Measure.rate(() -> {
            for (int i = 0; i < 8 && ++nonce[i] == 0; i++) {
                // carry into the next byte, as JeroMQ counts its nonces
            }
            if (curve25519xsalsa20poly1305.crypto_box_afternm(c, m, m.length, nonce, k) != 0) {
                throw new IllegalStateException("crypto_box_afternm failed");
            }
            return 1;
        }, size);
    }

    private static void check(byte[] c, byte[] m, byte[] nonce, byte[] k) {
        byte[] back = new byte[m.length];
        if (curve25519xsalsa20poly1305.crypto_box_afternm(c, m, m.length, nonce, k) != 0
                || curve25519xsalsa20poly1305.crypto_box_open_afternm(back, c, c.length, nonce, k) != 0
                || !Arrays.equals(back, m)) {
            throw new IllegalStateException("box/open round trip failed on " + Nacl.backend());
        }
    }

    @Override
    public void finish(String caseName) {
        // nothing runs on side A
    }

    @Override
    public void close() {
        Backends.select("auto");
    }
}
