package io.labhub.api.text;

/**
 * The one way LabHub shows text it did not write (a channel name, a key, an endpoint, a payload) in a log
 * line or an exception message: at most {@value #SHOWN_CHARS} characters, followed by {@code ...(N chars)}
 * when the text was longer, and every character outside printable ASCII escaped, so that the result is
 * always one line of printable ASCII and a look-alike letter shows as what it is (a Cyrillic {@code а} is
 * {@code \u0430}, not {@code a}). Thread-safe, no state.
 */
public final class SafeText {

    /** How many characters of a text are shown. */
    public static final int SHOWN_CHARS = 64;

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private SafeText() {
    }

    /**
     * @param raw any text, or {@code null}
     * @return {@code "null"} for {@code null}; otherwise the first {@value #SHOWN_CHARS} characters,
     *         {@link #escape escaped}, followed by {@code ...(N chars)} when the text was longer
     */
    public static String display(String raw) {
        if (raw == null) {
            return "null";
        }
        if (raw.length() <= SHOWN_CHARS) {
            return escape(raw);
        }
        return escape(raw.subSequence(0, SHOWN_CHARS)) + "...(" + raw.length() + " chars)";
    }

    /**
     * A public key as log lines and messages name it: keys longer than 12 characters as their first 8
     * and {@code ...} (enough to tell keys apart in a lab, short enough for a line), shorter ones whole;
     * {@link #escape escaped} either way.
     *
     * @param key a Z85 public key or any text claimed to be one, or {@code null}
     * @return {@code "null"} for {@code null}, otherwise the shown form
     */
    public static String keyPrefix(String key) {
        if (key == null) {
            return "null";
        }
        return key.length() <= 12 ? escape(key) : escape(key.subSequence(0, 8)) + "...";
    }

    /**
     * Escapes every character outside printable ASCII as {@code \}{@code uXXXX} (upper-case hex), a
     * backslash as two and a double quote as {@code \"}; nothing is cut. Splitting a surrogate pair is
     * harmless, since each half is escaped.
     */
    public static String escape(CharSequence raw) {
        StringBuilder out = new StringBuilder(raw.length() + 16);
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
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
        return out.toString();
    }
}
