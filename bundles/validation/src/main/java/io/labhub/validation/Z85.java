package io.labhub.validation;

import io.labhub.api.InvalidInputException;
import io.labhub.validation.internal.Z85Codec;

/**
 * The Z85 codec of ZeroMQ RFC 32 (https://rfc.zeromq.org/spec/32/), the text form of CURVE keys. This is
 * the runtime's one codec: security, the broker and the key files use it rather than their own.
 *
 * <p>Every 4 bytes become 5 characters of the alphabet
 * {@code 0-9 a-z A-Z . - : + = ^ ! / * ? & < > ( ) [ ] { } @ % $ #}. The RFC's test vector: bytes
 * {@code 86 4F D2 6F B5 59 F7 5B} are {@code HelloWorld}.
 *
 * <p>Stateless and thread-safe.
 */
public final class Z85 {

    private Z85() {
    }

    /**
     * @param data bytes, a multiple of 4 long
     * @return the Z85 text, 5/4 as long
     * @throws InvalidInputException {@code z85.null} or {@code z85.length} (not a multiple of 4 bytes)
     */
    public static String encode(byte[] data) {
        return Z85Codec.encode(data, "z85");
    }

    /**
     * @param text Z85 text, a multiple of 5 characters long
     * @return the bytes, 4/5 as long
     * @throws InvalidInputException {@code z85.null}, {@code z85.length} (not a multiple of 5),
     *                               {@code z85.alphabet} (a character outside the alphabet) or
     *                               {@code z85.decode} (a group encodes a value above 2<sup>32</sup>-1)
     */
    public static byte[] decode(String text) {
        return Z85Codec.decode(text, "z85");
    }
}
