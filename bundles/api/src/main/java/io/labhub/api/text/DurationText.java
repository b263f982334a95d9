package io.labhub.api.text;

import java.time.Duration;
import java.util.Locale;

import io.labhub.api.InvalidInputException;

/**
 * The one way a person types a duration to LabHub (the Gogo commands and {@code labhub-cli}): {@code 500ms},
 * {@code 5s} or a bare number of milliseconds, from 0 to an hour. Each caller decides whether 0 is allowed
 * and words its own error around {@link InvalidInputException#getMessage()}.
 *
 * @since 1.1
 */
public final class DurationText {

    /** The longest duration accepted. */
    public static final Duration MAX = Duration.ofHours(1);

    private DurationText() {
    }

    /**
     * @param what the option or argument, named in the error ({@code --interval}, {@code duration})
     * @throws InvalidInputException (rule {@code duration}) when the text is none of the forms, or over an hour
     */
    public static Duration parse(String what, String text) {
        String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        try {
            long millis;
            if (t.endsWith("ms")) {
                millis = Long.parseLong(t.substring(0, t.length() - 2));
            } else if (t.endsWith("s")) {
                millis = Math.multiplyExact(Long.parseLong(t.substring(0, t.length() - 1)), 1000L);
            } else {
                millis = Long.parseLong(t);
            }
            if (millis >= 0 && millis <= MAX.toMillis()) {
                return Duration.ofMillis(millis);
            }
        } catch (NumberFormatException | ArithmeticException e) {
            // the one message below
        }
        String shown = SafeText.display(text);
        throw new InvalidInputException("duration", shown, what
                + " must be a duration such as 500ms, 5s or 2000 (milliseconds), at most 1 h, not '" + shown + "'");
    }

    /** {@link #parse}, refusing zero too. */
    public static Duration positive(String what, String text) {
        Duration d = parse(what, text);
        if (d.isZero()) {
            throw new InvalidInputException("duration", "0", what + " must be positive, not '" + SafeText.display(text) + "'");
        }
        return d;
    }
}
