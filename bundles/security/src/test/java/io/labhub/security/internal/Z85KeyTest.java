package io.labhub.security.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import org.junit.Test;
import org.zeromq.ZMQ;

public class Z85KeyTest {

    @Test
    public void acceptsGeneratedKeysAndRoundTrips() {
        for (int i = 0; i < 50; i++) {
            String key = CurveKeys.generate().publicKey();
            assertNull(Z85Key.check(key));
            assertEquals(key, Z85Key.encode(ZMQ.Curve.z85Decode(key)));
        }
    }

    @Test
    public void acceptsTheRfc32TestVector() {
        // ZeroMQ RFC 32: the 8 bytes 86 4F D2 6F B5 59 F7 5B encode to "HelloWorld".
        byte[] bytes = {(byte) 0x86, 0x4F, (byte) 0xD2, 0x6F, (byte) 0xB5, 0x59, (byte) 0xF7, 0x5B};
        byte[] key = new byte[32];
        for (int i = 0; i < 4; i++) {
            System.arraycopy(bytes, 0, key, i * 8, 8);
        }
        String z85 = Z85Key.encode(key);
        assertEquals("HelloWorld".repeat(4), z85);
        assertNull(Z85Key.check(z85));
    }

    @Test
    public void namesTheRuleBroken() {
        assertEquals("key.null", Z85Key.check(null).rule());
        assertEquals("key.length", Z85Key.check("abc").rule());
        assertEquals("key.alphabet", Z85Key.check("\"".repeat(40)).rule());
        assertEquals("key.decode", Z85Key.check("#".repeat(40)).rule());
        assertEquals("key.decode", Z85Key.check("%nSc1".repeat(8)).rule()); // 2^32, one above the maximum
        assertNull(Z85Key.check("%nSc0".repeat(8))); // 2^32 - 1
    }
}
