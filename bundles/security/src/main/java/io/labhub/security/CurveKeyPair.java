package io.labhub.security;

import java.util.Objects;

/**
 * A CURVE key pair, both halves Z85-encoded (40 characters each, 32 bytes decoded).
 * {@link #toString()} never prints the secret key.
 */
public record CurveKeyPair(String publicKey, String secretKey) {

    public CurveKeyPair {
        Objects.requireNonNull(publicKey, "publicKey");
        Objects.requireNonNull(secretKey, "secretKey");
    }

    @Override
    public String toString() {
        return "CurveKeyPair[publicKey=" + publicKey + ", secretKey=<hidden>]";
    }
}
