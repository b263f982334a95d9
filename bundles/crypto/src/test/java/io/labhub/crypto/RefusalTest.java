package io.labhub.crypto;

import static io.labhub.crypto.Vectors.*;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import com.neilalexander.jnacl.crypto.curve25519xsalsa20poly1305;
import com.neilalexander.jnacl.crypto.xsalsa20poly1305;
import java.util.Arrays;
import java.util.List;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;

/**
 * Tampered boxes, wrong keys and malformed arguments get NaCl's -1 from both backends, through the
 * entry points JeroMQ calls, and never an exception (JeroMQ calls these on its I/O thread). jnacl
 * returns -1 for a length below 32 but throws ArrayIndexOutOfBoundsException for an array shorter
 * than the length or key size; here every such case is -1.
 */
@RunWith(Parameterized.class)
public class RefusalTest {

    @Parameterized.Parameters(name = "{0}")
    public static List<Object[]> backends() {
        return BackendsUnderTest.settings();
    }

    private final String setting;

    public RefusalTest(String setting) {
        this.setting = setting;
    }

    @Before
    public void force() {
        BackendsUnderTest.force(setting);
    }

    @AfterClass
    public static void restore() {
        BackendsUnderTest.restore();
    }

    private static int open(byte[] c) {
        return curve25519xsalsa20poly1305.crypto_box_open_afternm(new byte[c.length], c, c.length, NONCE, FIRST_KEY);
    }

    @Test
    public void everyFlippedBitOfTagOrCiphertextIsRefused() {
        byte[] good = paddedBox();
        assertEquals(0, open(good));
        for (int i = 16; i < good.length; i++) {
            for (int bit = 0; bit < 8; bit += 3) {
                byte[] c = good.clone();
                c[i] ^= (byte) (1 << bit);
                assertEquals("byte " + i + " bit " + bit, -1, open(c));
            }
        }
    }

    @Test
    public void refusedOpenLeavesNoPlaintext() {
        byte[] c = paddedBox();
        c[100] ^= 1;
        byte[] m = new byte[c.length];
        assertEquals(-1, xsalsa20poly1305.crypto_secretbox_open(m, c, c.length, NONCE, FIRST_KEY));
        assertArrayEquals("nothing decrypted into m", new byte[c.length], m);
    }

    @Test
    public void wrongKeyOrNonceIsRefused() {
        byte[] wrongKey = FIRST_KEY.clone();
        wrongKey[0] ^= 1;
        assertEquals(-1, curve25519xsalsa20poly1305.crypto_box_open_afternm(new byte[163], paddedBox(), 163, NONCE,
                wrongKey));
        byte[] wrongNonce = NONCE.clone();
        wrongNonce[23] ^= 1;
        assertEquals(-1, curve25519xsalsa20poly1305.crypto_box_open_afternm(new byte[163], paddedBox(), 163,
                wrongNonce, FIRST_KEY));
        // Bob opening with Bob's own public key instead of Alice's: another shared key
        assertEquals(-1, curve25519xsalsa20poly1305.crypto_box_open(new byte[163], paddedBox(), 163, NONCE, BOB_PK,
                BOB_SK));
    }

    @Test
    public void truncatedBoxIsRefused() {
        byte[] c = paddedBox();
        for (int len : new int[] {162, 100, 33, 32}) {
            assertEquals("length " + len, -1, curve25519xsalsa20poly1305.crypto_box_open_afternm(new byte[len],
                    Arrays.copyOf(c, len), len, NONCE, FIRST_KEY));
        }
    }

    @Test
    public void lengthsBelowThePaddingAreRefusedAsJnaclDoes() {
        for (int len : new int[] {0, 1, 16, 31}) {
            assertEquals(-1, xsalsa20poly1305.crypto_secretbox(new byte[32], new byte[32], len, NONCE, FIRST_KEY));
            assertEquals(-1, xsalsa20poly1305.crypto_secretbox_open(new byte[32], new byte[32], len, NONCE,
                    FIRST_KEY));
            assertEquals(-1, curve25519xsalsa20poly1305.crypto_box_afternm(new byte[32], new byte[32], len, NONCE,
                    FIRST_KEY));
        }
        assertEquals(-1, xsalsa20poly1305.crypto_secretbox(new byte[64], new byte[64], -1, NONCE, FIRST_KEY));
    }

    @Test
    public void shortOrMissingArraysAreRefusedWithoutException() {
        byte[] m = paddedMessage();
        // output shorter than the length
        assertEquals(-1, xsalsa20poly1305.crypto_secretbox(new byte[162], m, 163, NONCE, FIRST_KEY));
        // input shorter than the length (a native backend would read past the array)
        assertEquals(-1, xsalsa20poly1305.crypto_secretbox(new byte[200], m, 200, NONCE, FIRST_KEY));
        assertEquals(-1, xsalsa20poly1305.crypto_secretbox_open(new byte[200], paddedBox(), 200, NONCE, FIRST_KEY));
        // length beyond int range
        assertEquals(-1, xsalsa20poly1305.crypto_secretbox(m, m, 1L << 40, NONCE, FIRST_KEY));
        // short nonce, short key, nulls
        assertEquals(-1, xsalsa20poly1305.crypto_secretbox(new byte[163], m, 163, new byte[23], FIRST_KEY));
        assertEquals(-1, xsalsa20poly1305.crypto_secretbox(new byte[163], m, 163, NONCE, new byte[31]));
        assertEquals(-1, xsalsa20poly1305.crypto_secretbox(null, m, 163, NONCE, FIRST_KEY));
        assertEquals(-1, xsalsa20poly1305.crypto_secretbox_open(new byte[163], null, 163, NONCE, FIRST_KEY));
        assertEquals(-1, xsalsa20poly1305.crypto_secretbox(new byte[163], m, 163, null, FIRST_KEY));
        assertEquals(-1, curve25519xsalsa20poly1305.crypto_box_beforenm(new byte[31], BOB_PK, ALICE_SK));
        assertEquals(-1, curve25519xsalsa20poly1305.crypto_box_beforenm(new byte[32], new byte[31], ALICE_SK));
        assertEquals(-1, curve25519xsalsa20poly1305.crypto_box_beforenm(new byte[32], BOB_PK, null));
        assertEquals(-1, curve25519xsalsa20poly1305.crypto_box_keypair(new byte[32], new byte[16]));
        assertEquals(-1, curve25519xsalsa20poly1305.crypto_box(new byte[163], m, 163, NONCE, new byte[3], ALICE_SK));
        assertEquals(-1, curve25519xsalsa20poly1305.crypto_box_open(new byte[163], paddedBox(), 163, NONCE, ALICE_PK,
                new byte[0]));
    }
}
