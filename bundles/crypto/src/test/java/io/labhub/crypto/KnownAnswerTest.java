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
 * NaCl's published vectors (libsodium test/default box.c/.exp, box2.c, secretbox.c, scalarmult.c/.exp),
 * through the exact entry points JeroMQ calls, with each backend forced in turn.
 */
@RunWith(Parameterized.class)
public class KnownAnswerTest {

    @Parameterized.Parameters(name = "{0}")
    public static List<Object[]> backends() {
        return BackendsUnderTest.settings();
    }

    private final String setting;

    public KnownAnswerTest(String setting) {
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

    @Test
    public void scalarmultBaseGivesThePublishedPublicKeys() {
        byte[] pk = new byte[32];
        assertEquals(0, curve25519xsalsa20poly1305.crypto_box_getpublickey(pk, ALICE_SK));
        assertArrayEquals(ALICE_PK, pk);
        Nacl.scalarmultBase(pk, BOB_SK);
        assertArrayEquals(BOB_PK, pk);
    }

    @Test
    public void beforenmGivesFirstKeyFromBothSides() {
        byte[] k = new byte[32];
        assertEquals(0, curve25519xsalsa20poly1305.crypto_box_beforenm(k, BOB_PK, ALICE_SK));
        assertArrayEquals(FIRST_KEY, k);
        byte[] k2 = new byte[32];
        assertEquals(0, curve25519xsalsa20poly1305.crypto_box_beforenm(k2, ALICE_PK, BOB_SK));
        assertArrayEquals(FIRST_KEY, k2);
    }

    @Test
    public void boxGivesThePublishedBox() {
        byte[] c = new byte[163];
        assertEquals(0, curve25519xsalsa20poly1305.crypto_box(c, paddedMessage(), 163, NONCE, BOB_PK, ALICE_SK));
        assertArrayEquals(new byte[16], Arrays.copyOfRange(c, 0, 16));
        assertArrayEquals(BOX_FROM_16, Arrays.copyOfRange(c, 16, 163));
    }

    @Test
    public void boxAfternmGivesThePublishedBox() {
        byte[] k = new byte[32];
        assertEquals(0, curve25519xsalsa20poly1305.crypto_box_beforenm(k, BOB_PK, ALICE_SK));
        byte[] c = new byte[163];
        Arrays.fill(c, (byte) 0x55); // NaCl writes every byte, padding included
        assertEquals(0, curve25519xsalsa20poly1305.crypto_box_afternm(c, paddedMessage(), 163, NONCE, k));
        assertArrayEquals(paddedBox(), c);
    }

    @Test
    public void secretboxGivesThePublishedBoxAlsoInPlace() {
        byte[] c = new byte[163];
        assertEquals(0, xsalsa20poly1305.crypto_secretbox(c, paddedMessage(), 163, NONCE, FIRST_KEY));
        assertArrayEquals(paddedBox(), c);
        byte[] inPlace = paddedMessage();
        assertEquals(0, xsalsa20poly1305.crypto_secretbox(inPlace, inPlace, 163, NONCE, FIRST_KEY));
        assertArrayEquals(paddedBox(), inPlace);
    }

    @Test
    public void openAndOpenAfternmGiveThePublishedMessage() {
        byte[] m = new byte[163];
        Arrays.fill(m, (byte) 0x55);
        assertEquals(0, curve25519xsalsa20poly1305.crypto_box_open(m, paddedBox(), 163, NONCE, ALICE_PK, BOB_SK));
        assertArrayEquals(paddedMessage(), m);
        byte[] m2 = new byte[163];
        assertEquals(0, curve25519xsalsa20poly1305.crypto_box_open_afternm(m2, paddedBox(), 163, NONCE, FIRST_KEY));
        assertArrayEquals(paddedMessage(), m2);
        byte[] m3 = new byte[163];
        assertEquals(0, xsalsa20poly1305.crypto_secretbox_open(m3, paddedBox(), 163, NONCE, FIRST_KEY));
        assertArrayEquals(paddedMessage(), m3);
    }

    @Test
    public void smallOrderPublicKeyIsRefused() {
        byte[] k = new byte[32];
        assertEquals(-1, curve25519xsalsa20poly1305.crypto_box_beforenm(k, SMALL_ORDER, ALICE_SK));
        assertEquals(-1, curve25519xsalsa20poly1305.crypto_box(new byte[163], paddedMessage(), 163, NONCE,
                SMALL_ORDER, ALICE_SK));
        assertEquals(-1, curve25519xsalsa20poly1305.crypto_box_open(new byte[163], paddedBox(), 163, NONCE,
                SMALL_ORDER, BOB_SK));
    }

    @Test
    public void keypairGivesAMatchingRandomPair() {
        byte[] pk = new byte[32];
        byte[] sk = new byte[32];
        assertEquals(0, curve25519xsalsa20poly1305.crypto_box_keypair(pk, sk));
        byte[] derived = new byte[32];
        Nacl.scalarmultBase(derived, sk);
        assertArrayEquals(pk, derived);
        byte[] pk2 = new byte[32];
        byte[] sk2 = new byte[32];
        curve25519xsalsa20poly1305.crypto_box_keypair(pk2, sk2);
        assertEquals("two key pairs are different", false, Arrays.equals(sk, sk2));
    }
}
