package io.labhub.crypto;

import static io.labhub.crypto.Vectors.*;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import com.neilalexander.jnacl.crypto.curve25519xsalsa20poly1305;
import org.junit.Test;

/**
 * What jnacl (the code before this bundle) does where RefusalTest and KnownAnswerTest expect -1: it
 * throws into the caller (JeroMQ's I/O thread) on a short buffer and accepts a small-order public key.
 * Each case is set against this bundle's answer.
 */
public class JnaclBaselineTest {

    @Test
    public void shortOutputBufferThrowsInJnaclAndFailsCleanlyHere() {
        byte[] m = paddedMessage();
        assertThrows(ArrayIndexOutOfBoundsException.class,
                () -> Jnacl.box(new byte[100], m, m.length, NONCE, BOB_PK, ALICE_SK));
        assertEquals(-1, curve25519xsalsa20poly1305.crypto_box(new byte[100], m, m.length, NONCE, BOB_PK, ALICE_SK));
    }

    @Test
    public void smallOrderKeyIsAcceptedByJnaclAndRefusedHere() throws Throwable {
        assertEquals(0, Jnacl.beforenm(new byte[32], SMALL_ORDER, ALICE_SK));
        assertEquals(-1, curve25519xsalsa20poly1305.crypto_box_beforenm(new byte[32], SMALL_ORDER, ALICE_SK));
    }
}
