package io.labhub.security.internal;

import io.labhub.api.InvalidInputException;

/**
 * Checks and converts CURVE keys in Z85 text form (ZeroMQ RFC 32): 40 characters for 32 bytes.
 *
 * <p>JeroMQ's own {@code ZMQ.Curve.z85Decode} accepts anything and returns garbage for bad input, so
 * every key is checked here first. TODO(validation bundle): once {@code io.labhub.validation} lands,
 * {@link #require} should delegate to {@code Validators.defaults().publicKey(z85)} so that one rule set
 * (and one set of rule names) covers the whole runtime; the rule names used here
 * ({@code key.null}, {@code key.length}, {@code key.alphabet}, {@code key.decode}) were picked to match.
 */
public final class Z85Key {

    /** The Z85 alphabet, in value order. */
    static final String ALPHABET =
            "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

    /** Length of a Z85-encoded CURVE key. */
    public static final int LENGTH = 40;

    /** Length of a decoded CURVE key. */
    public static final int BYTES = 32;

    private static final io.labhub.validation.Validator VALIDATOR = io.labhub.validation.Validators.defaults();

    private Z85Key() {
    }

    /** A broken rule: its stable identifier and a sentence that never quotes the key itself. */
    public record Problem(String rule, String description) {
    }

    /** @return what is wrong with {@code key}, or {@code null} when it is a valid Z85 CURVE key */
    public static Problem check(String key) {
        // The rule itself lives once, in the Validator; only the wording is adapted here, because the
        // Validator quotes the value and a secret key must never appear in a message or a log.
        try {
            VALIDATOR.publicKey(key);
            return null;
        } catch (InvalidInputException e) {
            String m = e.getMessage();
            int cut = m.lastIndexOf(": \"");
            return new Problem(e.rule(), cut > 0 ? m.substring(0, cut) : e.rule());
        }
    }

    public static boolean isValid(String key) {
        return check(key) == null;
    }

    /**
     * @param key  a public key to check (it is quoted in the error, so never pass a secret key)
     * @param what what the key is, for the message ("server public key")
     * @return {@code key}, when valid
     * @throws InvalidInputException naming the rule broken
     */
    public static String require(String key, String what) {
        Problem problem = check(key);
        if (problem != null) {
            String shown = io.labhub.api.text.SafeText.display(key);
            throw new InvalidInputException(problem.rule(), shown,
                    "Invalid " + what + " '" + shown + "': " + problem.description());
        }
        return key;
    }

    /** @return the 32 bytes of a valid key (checked first) */
    public static byte[] decode(String key, String what) {
        return io.labhub.validation.Z85.decode(require(key, what));
    }

    /** @return the Z85 text of a 32-byte key */
    public static String encode(byte[] key) {
        if (key == null || key.length != BYTES) {
            throw new IllegalArgumentException("a CURVE key has " + BYTES + " bytes");
        }
        return io.labhub.validation.Z85.encode(key);
    }
}
