package io.labhub.crypto;

import static io.labhub.crypto.BackendsUnderTest.BOUNCY_CASTLE;
import static io.labhub.crypto.BackendsUnderTest.LIBSODIUM;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import io.labhub.crypto.internal.Backend;
import java.util.SplittableRandom;
import org.junit.Test;

/**
 * libsodium, Bouncy Castle and jnacl (the reference JeroMQ used so far) agree byte for byte on random
 * keys, nonces and message lengths, and each opens what the others boxed.
 */
public class CrossCheckTest {

    private static final int[] LENGTHS = {0, 1, 63, 64, 65, 4095, (1 << 20) + 17};
    private final SplittableRandom random = new SplittableRandom();

    private byte[] random(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    @Test
    public void publicKeysAndSharedKeysAgree() throws Throwable {
        for (int i = 0; i < 20; i++) {
            byte[] sk = random(32);
            byte[] other = random(32);
            byte[] ref = new byte[32];
            Jnacl.scalarmultBase(ref, sk);
            for (Backend b : new Backend[] {LIBSODIUM, BOUNCY_CASTLE}) {
                byte[] pk = new byte[32];
                assertEquals(0, b.scalarmultBase(pk, sk));
                assertArrayEquals(b.name(), ref, pk);
            }
            byte[] otherPk = new byte[32];
            Jnacl.scalarmultBase(otherPk, other);
            byte[] refK = new byte[32];
            Jnacl.beforenm(refK, otherPk, sk);
            for (Backend b : new Backend[] {LIBSODIUM, BOUNCY_CASTLE}) {
                byte[] k = new byte[32];
                assertEquals(0, b.beforenm(k, otherPk, sk));
                assertArrayEquals(b.name(), refK, k);
            }
        }
    }

    @Test
    public void boxesAgreeAndOpenAcrossImplementations() throws Throwable {
        for (int len : LENGTHS) {
            byte[] aliceSk = random(32);
            byte[] bobSk = random(32);
            byte[] alicePk = new byte[32];
            byte[] bobPk = new byte[32];
            Jnacl.scalarmultBase(alicePk, aliceSk);
            Jnacl.scalarmultBase(bobPk, bobSk);
            byte[] nonce = random(24);
            byte[] m = new byte[32 + len];
            System.arraycopy(random(len), 0, m, 32, len);
            int mlen = m.length;

            byte[] ref = new byte[mlen];
            assertEquals(0, Jnacl.box(ref, m, mlen, nonce, bobPk, aliceSk));
            byte[] kAlice = new byte[32];
            byte[] kBob = new byte[32];
            for (Backend b : new Backend[] {LIBSODIUM, BOUNCY_CASTLE}) {
                assertEquals(0, b.beforenm(kAlice, bobPk, aliceSk));
                assertEquals(0, b.beforenm(kBob, alicePk, bobSk));
                assertArrayEquals(kAlice, kBob);
                byte[] c = new byte[mlen];
                assertEquals(0, b.secretbox(c, m, mlen, nonce, kAlice));
                assertArrayEquals(b.name() + " box of " + len + " bytes", ref, c);

                byte[] opened = new byte[mlen];
                assertEquals(0, b.secretboxOpen(opened, ref, mlen, nonce, kBob));
                assertArrayEquals(b.name() + " opens jnacl's box of " + len + " bytes", m, opened);
            }
            byte[] c = new byte[mlen];
            LIBSODIUM.secretbox(c, m, mlen, nonce, kAlice);
            byte[] byJnacl = new byte[mlen];
            assertEquals(0, Jnacl.boxOpen(byJnacl, c, mlen, nonce, alicePk, bobSk));
            assertArrayEquals("jnacl opens libsodium's box of " + len + " bytes", m, byJnacl);
            byte[] byBc = new byte[mlen];
            assertEquals(0, BOUNCY_CASTLE.secretboxOpen(byBc, c, mlen, nonce, kBob));
            assertArrayEquals("Bouncy Castle opens libsodium's box of " + len + " bytes", m, byBc);
        }
    }
}
