package io.labhub.validation;

import io.labhub.api.InvalidInputException;
import org.junit.Test;

import java.util.Random;

import static io.labhub.validation.Refused.assertRefused;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

public class Z85Test {

    /** RFC 32's test vector. */
    private static final byte[] HELLO_WORLD_BYTES = {
            (byte) 0x86, (byte) 0x4F, (byte) 0xD2, (byte) 0x6F, (byte) 0xB5, (byte) 0x59, (byte) 0xF7, (byte) 0x5B};

    private static final String ALPHABET =
            "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

    @Test
    public void encodesAndDecodesTheRfcTestVector() {
        assertEquals("HelloWorld", Z85.encode(HELLO_WORLD_BYTES));
        assertArrayEquals(HELLO_WORLD_BYTES, Z85.decode("HelloWorld"));
    }

    @Test
    public void encodesTheExtremesOfAGroup() {
        assertEquals("00000", Z85.encode(new byte[4]));
        assertEquals("%nSc0", Z85.encode(new byte[] {-1, -1, -1, -1}));
        assertArrayEquals(new byte[] {-1, -1, -1, -1}, Z85.decode("%nSc0"));
        assertArrayEquals(new byte[] {0, 0, 0, 84}, Z85.decode("0000#"));
        assertEquals("", Z85.encode(new byte[0]));
        assertArrayEquals(new byte[0], Z85.decode(""));
    }

    @Test
    public void roundTripsRandomData() {
        Random random = new Random(20261126);
        for (int length = 0; length <= 512; length += 4) {
            byte[] data = new byte[length];
            random.nextBytes(data);
            String text = Z85.encode(data);
            assertEquals(length / 4 * 5, text.length());
            for (int i = 0; i < text.length(); i++) {
                assertTrue(text, ALPHABET.indexOf(text.charAt(i)) >= 0);
            }
            assertArrayEquals(data, Z85.decode(text));
        }
    }

    @Test
    public void decodesEveryDigitInEveryPositionToItsValue() {
        for (int position = 0; position < 5; position++) {
            for (int digit = 0; digit < 85; digit++) {
                char[] group = "00000".toCharArray();
                group[position] = ALPHABET.charAt(digit);
                String text = new String(group);
                long value = digit * (long) Math.pow(85, 4 - position);
                if (value > 0xFFFF_FFFFL) {
                    // Only '$' and '#' (83, 84) in the leading position exceed 32 bits.
                    assertEquals(0, position);
                    assertTrue(digit >= 83);
                    assertRefused("z85.decode", () -> Z85.decode(text));
                } else {
                    byte[] bytes = Z85.decode(text);
                    assertEquals(value, ((bytes[0] & 0xFFL) << 24) | ((bytes[1] & 0xFFL) << 16)
                            | ((bytes[2] & 0xFFL) << 8) | (bytes[3] & 0xFFL));
                    assertEquals(text, Z85.encode(bytes));
                }
            }
        }
    }

    @Test
    public void refusesBadLengths() {
        assertRefused("z85.null", () -> Z85.encode(null));
        assertRefused("z85.null", () -> Z85.decode(null));
        InvalidInputException encode = assertRefused("z85.length", () -> Z85.encode(new byte[3]));
        assertEquals("3 bytes", encode.value());
        assertRefused("z85.length", () -> Z85.encode(new byte[33]));
        assertRefused("z85.length", () -> Z85.decode("HelloWorl"));
        assertRefused("z85.length", () -> Z85.decode("HelloWorld!"));
    }

    @Test
    public void refusesCharactersOutsideTheAlphabet() {
        InvalidInputException e = assertRefused("z85.alphabet", () -> Z85.decode("Hello~Worl"));
        assertTrue(e.getMessage(), e.getMessage().contains("'~' (U+007E) at index 5"));
        assertRefused("z85.alphabet", () -> Z85.decode("Hell\u0000World"));
        assertRefused("z85.alphabet", () -> Z85.decode("Hell\u0430World"));
        assertRefused("z85.alphabet", () -> Z85.decode("Hell\uFFFFWorld"));
    }

    @Test
    public void refusesGroupsAbove32Bits() {
        assertRefused("z85.decode", () -> Z85.decode("#####"));
        assertRefused("z85.decode", () -> Z85.decode("HelloWorld%nSc1"));
    }
}
