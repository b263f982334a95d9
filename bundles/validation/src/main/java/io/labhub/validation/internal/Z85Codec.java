package io.labhub.validation.internal;

import java.util.Arrays;

/**
 * The Z85 codec of ZeroMQ RFC 32 (https://rfc.zeromq.org/spec/32/), with the refusal rules named by a
 * prefix so that the public codec reports {@code z85.*} and the key check reports {@code key.*}.
 *
 * <p>Every 4 bytes (big-endian unsigned 32-bit value) become 5 characters, most significant digit
 * first, in base 85 over the alphabet below.
 */
public final class Z85Codec {

    /** The 85 characters of RFC 32, in digit order. */
    public static final String ALPHABET =
            "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

    private static final char[] ENCODER = ALPHABET.toCharArray();
    /** Digit value of each ASCII character, -1 for characters outside the alphabet. */
    private static final byte[] DECODER = new byte[128];

    static {
        Arrays.fill(DECODER, (byte) -1);
        for (int i = 0; i < ENCODER.length; i++) {
            DECODER[ENCODER[i]] = (byte) i;
        }
    }

    private Z85Codec() {
    }

    /** @return whether {@code c} is one of the 85 characters */
    public static boolean inAlphabet(char c) {
        return c < 128 && DECODER[c] >= 0;
    }

    /**
     * @param data   bytes, a multiple of 4 long
     * @param prefix rule prefix, e.g. {@code z85}
     * @return the Z85 text, 5/4 as long
     */
    public static String encode(byte[] data, String prefix) {
        if (data == null) {
            throw Refusals.refuseValue(prefix + ".null", null, "Z85 encoding needs data");
        }
        if (data.length % 4 != 0) {
            throw Refusals.refuseValue(prefix + ".length", data.length + " bytes",
                    "Z85 encodes only a multiple of 4 bytes");
        }
        char[] out = new char[data.length / 4 * 5];
        int o = 0;
        for (int i = 0; i < data.length; i += 4) {
            long value = ((data[i] & 0xFFL) << 24) | ((data[i + 1] & 0xFFL) << 16)
                    | ((data[i + 2] & 0xFFL) << 8) | (data[i + 3] & 0xFFL);
            for (int d = 4; d >= 0; d--) {
                out[o + d] = ENCODER[(int) (value % 85)];
                value /= 85;
            }
            o += 5;
        }
        return new String(out);
    }

    /**
     * @param text   Z85 text, a multiple of 5 long
     * @param prefix rule prefix, e.g. {@code z85}
     * @return the bytes, 4/5 as long
     */
    public static byte[] decode(String text, String prefix) {
        if (text == null) {
            throw Refusals.refuse(prefix + ".null", null, "Z85 text is required");
        }
        if (text.length() % 5 != 0) {
            throw Refusals.refuse(prefix + ".length", text,
                    "Z85 text must be a multiple of 5 characters long, this one has " + text.length());
        }
        checkAlphabet(text, prefix);
        byte[] out = new byte[text.length() / 5 * 4];
        int o = 0;
        for (int i = 0; i < text.length(); i += 5) {
            long value = 0;
            for (int d = 0; d < 5; d++) {
                value = value * 85 + DECODER[text.charAt(i + d)];
            }
            if (value > 0xFFFF_FFFFL) {
                throw Refusals.refuse(prefix + ".decode", text, "the Z85 group \""
                        + io.labhub.api.text.SafeText.escape(text.substring(i, i + 5)) + "\" at index " + i
                        + " encodes a value above 2^32-1");
            }
            out[o++] = (byte) (value >>> 24);
            out[o++] = (byte) (value >>> 16);
            out[o++] = (byte) (value >>> 8);
            out[o++] = (byte) value;
        }
        return out;
    }

    /** Refuses, as {@code prefix.alphabet}, the first character outside the Z85 alphabet. */
    public static void checkAlphabet(String text, String prefix) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!inAlphabet(c)) {
                throw Refusals.refuse(prefix + ".alphabet", text, "character " + Refusals.describeChar(text, i)
                        + " at index " + i + " is not in the Z85 alphabet");
            }
        }
    }
}
