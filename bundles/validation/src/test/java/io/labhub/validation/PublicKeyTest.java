package io.labhub.validation;

import io.labhub.api.InvalidInputException;
import org.junit.Test;

import java.util.Random;

import static io.labhub.validation.Refused.assertRefused;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

public class PublicKeyTest {

    /** The client public key of the zmq_curve(7) manual page's example. */
    private static final String ZMQ_EXAMPLE_KEY = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";

    private final Validator validator = Validators.defaults();

    private InvalidInputException refused(String rule, String key) {
        return assertRefused(rule, () -> validator.publicKey(key));
    }

    private static String withCharAt(String key, int index, char c) {
        return key.substring(0, index) + c + key.substring(index + 1);
    }

    @Test
    public void acceptsValidKeysAndReturnsThem() {
        assertSame(ZMQ_EXAMPLE_KEY, validator.publicKey(ZMQ_EXAMPLE_KEY));
        assertEquals(32, Z85.decode(ZMQ_EXAMPLE_KEY).length);
        String zeros = "0".repeat(40);
        assertSame(zeros, validator.publicKey(zeros));
        // The largest group value, 2^32-1, is "%nSc0".
        String ones = "%nSc0".repeat(8);
        assertSame(ones, validator.publicKey(ones));
        Random random = new Random(42);
        for (int i = 0; i < 100; i++) {
            byte[] key = new byte[32];
            random.nextBytes(key);
            String text = Z85.encode(key);
            assertSame(text, validator.publicKey(text));
        }
    }

    @Test
    public void refusesNullAndWrongLengths() {
        refused("key.null", null);
        refused("key.length", "");
        InvalidInputException short39 = refused("key.length", ZMQ_EXAMPLE_KEY.substring(0, 39));
        assertTrue(short39.getMessage().contains("has 39"));
        InvalidInputException long41 = refused("key.length", ZMQ_EXAMPLE_KEY + "0");
        assertTrue(long41.getMessage().contains("has 41"));
        refused("key.length", ZMQ_EXAMPLE_KEY + "00000");
        InvalidInputException huge = refused("key.length", "0".repeat(100_000));
        assertTrue(huge.value().endsWith("...(100000 chars)"));
    }

    @Test
    public void refusesCharactersOutsideTheZ85Alphabet() {
        for (char c : new char[] {'"', ',', '\'', ';', '\\', '~', '_', '|', '`', ' ', '\u0000', '\n', '\u007F'}) {
            InvalidInputException e = refused("key.alphabet", withCharAt(ZMQ_EXAMPLE_KEY, 7, c));
            assertTrue(e.getMessage(), e.getMessage().contains(String.format("U+%04X) at index 7", (int) c))
                    || e.getMessage().contains(String.format("U+%04X at index 7", (int) c)));
        }
    }

    @Test
    public void refusesLookAlikesOfZ85Characters() {
        // Cyrillic a, fullwidth 0, Greek omicron: 40 characters that look like a key.
        InvalidInputException cyrillic = refused("key.alphabet", withCharAt(ZMQ_EXAMPLE_KEY, 0, '\u0430'));
        assertTrue(cyrillic.value().startsWith("\\u0430ne@$"));
        refused("key.alphabet", withCharAt(ZMQ_EXAMPLE_KEY, 39, '\uFF10'));
        refused("key.alphabet", withCharAt(ZMQ_EXAMPLE_KEY, 20, '\u03BF'));
    }

    @Test
    public void refusesGroupsThatOverflow32Bits() {
        refused("key.decode", "#".repeat(40));
        InvalidInputException e = refused("key.decode", "0".repeat(35) + "%nSc1");
        assertTrue(e.getMessage(), e.getMessage().contains("\"%nSc1\" at index 35"));
    }
}
