package io.labhub.crypto;

import io.labhub.crypto.internal.Backend;
import io.labhub.crypto.internal.Backends;
import io.labhub.crypto.internal.BouncyCastle;
import io.labhub.crypto.internal.Libsodium;
import java.util.List;

/** The two backends, each loaded directly (libsodium23 is a test prerequisite, installed by .ci/run). */
final class BackendsUnderTest {

    static final Backend LIBSODIUM = Libsodium.load();
    static final Backend BOUNCY_CASTLE = new BouncyCastle();

    private BackendsUnderTest() {
    }

    /** JUnit parameters: {name, setting of labhub.crypto.backend}. */
    static List<Object[]> settings() {
        return List.of(new Object[] {"libsodium"}, new Object[] {"bouncycastle"});
    }

    /** Forces {@code setting} for the facade classes (JeroMQ's view) and checks it took. */
    static void force(String setting) {
        Backend b = Backends.select(setting);
        String expected = setting.equals("libsodium") ? LIBSODIUM.name() : BOUNCY_CASTLE.name();
        if (!b.name().equals(expected) || !Nacl.backend().equals(expected)) {
            throw new AssertionError("forcing " + setting + " gave " + Nacl.backend());
        }
    }

    static void restore() {
        Backends.select("auto");
    }
}
