package io.labhub.validation;

import io.labhub.api.ErrorCode;
import io.labhub.api.InvalidInputException;
import org.junit.function.ThrowingRunnable;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/** Asserts the shape every refusal must have. */
public final class Refused {

    private Refused() {
    }

    /**
     * Runs {@code call}, expects an {@link InvalidInputException} for {@code rule}, and checks that its
     * message names the rule, quotes its displayed value, and is one line of printable ASCII.
     */
    public static InvalidInputException assertRefused(String rule, ThrowingRunnable call) {
        InvalidInputException e = assertThrows(InvalidInputException.class, call);
        assertEquals("rule of: " + e.getMessage(), rule, e.rule());
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        String message = e.getMessage();
        assertTrue("message names the rule: " + message, message.startsWith("[" + rule + "] "));
        assertTrue("message shows the value " + e.value() + ": " + message, message.contains(e.value()));
        assertPrintableAscii(message);
        assertPrintableAscii(e.value());
        return e;
    }

    /** Fails when {@code text} holds anything but printable ASCII (so no NUL, newline, look-alike). */
    public static void assertPrintableAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c >= 0x7F) {
                fail(String.format("raw U+%04X at index %d of: %s", (int) c, i, text.replaceAll("[^ -~]", "?")));
            }
        }
    }
}
