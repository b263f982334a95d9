package io.labhub.crypto;

import java.util.HexFormat;

/**
 * Published NaCl test vectors, as libsodium's test/default/box.c, box2.c, secretbox.c and scalarmult.c
 * (and their .exp files) carry them; they come from the NaCl distribution's tests (Bernstein,
 * "Cryptography in NaCl", section 15: Alice, Bob and the 131-byte message).
 */
final class Vectors {

    static final byte[] ALICE_SK = hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    static final byte[] ALICE_PK = hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    static final byte[] BOB_SK = hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    static final byte[] BOB_PK = hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    /** crypto_box_beforenm(BOB_PK, ALICE_SK): secretbox.c's "firstkey". */
    static final byte[] FIRST_KEY = hex("1b27556473e985d462cd51197a9a46c76009549eac6474f206c4ee0844f68389");
    /** A point of small order (box.c): beforenm with it must fail. */
    static final byte[] SMALL_ORDER = hex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800");
    static final byte[] NONCE = hex("69696ee955b62b73cd62bda875fc73d68219e0036b7a0b37");
    /** The 131-byte message (without the 32 zero bytes). */
    static final byte[] MESSAGE = hex(
            "be075fc53c81f2d5cf141316ebeb0c7b5228c52a4c62cbd44b66849b64244ffc"
            + "e5ecbaaf33bd751a1ac728d45e6c61296cdc3c01233561f41db66cce314adb31"
            + "0e3be8250c46f06dceea3a7fa1348057e2f6556ad6b1318a024a838f21af1fde"
            + "048977eb48f59ffd4924ca1c60902e52f0a089bc76897040e082f93776384864"
            + "5e0705");
    /** box.exp / secretbox: the box from byte 16 on (16-byte tag, then 131 bytes of ciphertext). */
    static final byte[] BOX_FROM_16 = hex(
            "f3ffc7703f9400e52a7dfb4b3d3305d98e993b9f48681273c29650ba32fc76ce"
            + "48332ea7164d96a4476fb8c531a1186ac0dfc17c98dce87b4da7f011ec48c972"
            + "71d2c20f9b928fe2270d6fb863d51738b48eeee314a7cc8ab932164548e526ae"
            + "90224368517acfeabd6bb3732bc0e9da99832b61ca01b6de56244a9e88d5f9b3"
            + "7973f622a43d14a6599b1f654cb45a74e355a5");

    private Vectors() {
    }

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    /** 32 zero bytes followed by the message: NaCl's input to crypto_box. */
    static byte[] paddedMessage() {
        byte[] m = new byte[32 + MESSAGE.length];
        System.arraycopy(MESSAGE, 0, m, 32, MESSAGE.length);
        return m;
    }

    /** 16 zero bytes followed by the published box: NaCl's input to crypto_box_open. */
    static byte[] paddedBox() {
        byte[] c = new byte[16 + BOX_FROM_16.length];
        System.arraycopy(BOX_FROM_16, 0, c, 16, BOX_FROM_16.length);
        return c;
    }
}
