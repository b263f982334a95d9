package io.labhub.validation.internal;

import io.labhub.api.InvalidInputException;

/**
 * Builds the {@link InvalidInputException}s of this bundle, so that every refusal has the same shape:
 * {@code [rule] sentence: "value"}, with the value truncated and escaped so that the message is one
 * line of printable ASCII whatever the input (see the package documentation of
 * {@code io.labhub.validation}).
 */
public final class Refusals {

    /** How many characters of an offending value a message shows. */
    public static final int SHOWN_CHARS = 64;

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private Refusals() {
    }

    /**
     * @param rule     the rule identifier
     * @param raw      the offending text as received (may be {@code null}, may be hostile)
     * @param sentence what is wrong; must itself be printable ASCII (use {@link #escape} on any part
     *                 that comes from the input)
     * @return the exception to throw; its {@code value()} is the displayed (escaped, truncated) text
     */
    public static InvalidInputException refuse(String rule, String raw, String sentence) {
        String shown = display(raw);
        String quoted = raw == null ? shown : '"' + shown + '"';
        return new InvalidInputException(rule, shown, "[" + rule + "] " + sentence + ": " + quoted);
    }

    /**
     * Like {@link #refuse} for a value that is not text (a number, a type name): shown without quotes.
     */
    public static InvalidInputException refuseValue(String rule, Object value, String sentence) {
        String shown = display(String.valueOf(value));
        return new InvalidInputException(rule, shown, "[" + rule + "] " + sentence + ": " + shown);
    }

    /**
     * @param raw any text, or {@code null}
     * @return {@code null} as {@code null}; otherwise the first {@value #SHOWN_CHARS} characters, escaped,
     *         followed by {@code ...(N chars)} when the text was longer
     */
    public static String display(String raw) {
        if (raw == null) {
            return "null";
        }
        if (raw.length() <= SHOWN_CHARS) {
            return escape(raw);
        }
        return escape(raw.substring(0, SHOWN_CHARS)) + "...(" + raw.length() + " chars)";
    }

    /**
     * Escapes every character outside printable ASCII as {@code \}{@code uXXXX}, a backslash as two and a
     * double quote as {@code \"}. Splitting a surrogate pair is harmless, since each half is escaped.
     */
    public static String escape(CharSequence raw) {
        StringBuilder out = new StringBuilder(raw.length() + 16);
        for (int i = 0; i < raw.length(); i++) {
            appendEscaped(out, raw.charAt(i));
        }
        return out.toString();
    }

    /**
     * Names the character at {@code index} for a message: {@code '/' (U+002F)} when it is printable
     * ASCII, else only its code point, e.g. {@code U+0430} or {@code U+1F600} (a whole surrogate pair).
     */
    public static String describeChar(String text, int index) {
        int cp = text.codePointAt(index);
        String code = String.format("U+%04X", cp);
        return cp >= 0x20 && cp < 0x7F ? "'" + escape(Character.toString(cp)) + "' (" + code + ")" : code;
    }

    private static void appendEscaped(StringBuilder out, char c) {
        if (c == '\\' || c == '"') {
            out.append('\\').append(c);
        } else if (c >= 0x20 && c < 0x7F) {
            out.append(c);
        } else {
            out.append("\\u")
                    .append(HEX[(c >> 12) & 0xF]).append(HEX[(c >> 8) & 0xF])
                    .append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
        }
    }
}
