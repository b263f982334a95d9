package io.labhub.validation.internal;

import io.labhub.api.InvalidInputException;
import io.labhub.api.text.SafeText;

/**
 * Builds the {@link InvalidInputException}s of this bundle, so that every refusal has the same shape:
 * {@code [rule] sentence: "value"}, with the value shown by {@link SafeText#display} (truncated and
 * escaped) so that the message is one line of printable ASCII whatever the input (see the package
 * documentation of {@code io.labhub.validation}).
 */
public final class Refusals {

    private Refusals() {
    }

    /**
     * @param rule     the rule identifier
     * @param raw      the offending text as received (may be {@code null}, may be hostile)
     * @param sentence what is wrong; must itself be printable ASCII (use {@link SafeText#escape} on any part
     *                 that comes from the input)
     * @return the exception to throw; its {@code value()} is the displayed (escaped, truncated) text
     */
    public static InvalidInputException refuse(String rule, String raw, String sentence) {
        String shown = SafeText.display(raw);
        String quoted = raw == null ? shown : '"' + shown + '"';
        return new InvalidInputException(rule, shown, "[" + rule + "] " + sentence + ": " + quoted);
    }

    /**
     * Like {@link #refuse} for a value that is not text (a number, a type name): shown without quotes.
     */
    public static InvalidInputException refuseValue(String rule, Object value, String sentence) {
        String shown = SafeText.display(String.valueOf(value));
        return new InvalidInputException(rule, shown, "[" + rule + "] " + sentence + ": " + shown);
    }

    /**
     * Names the character at {@code index} for a message: {@code '/' (U+002F)} when it is printable
     * ASCII, else only its code point, e.g. {@code U+0430} or {@code U+1F600} (a whole surrogate pair).
     */
    public static String describeChar(String text, int index) {
        int cp = text.codePointAt(index);
        String code = String.format("U+%04X", cp);
        return cp >= 0x20 && cp < 0x7F ? "'" + SafeText.escape(Character.toString(cp)) + "' (" + code + ")" : code;
    }
}
