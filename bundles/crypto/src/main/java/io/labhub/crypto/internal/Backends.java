package io.labhub.crypto.internal;

import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the backend once: {@value #PROPERTY} = {@code libsodium}, {@code bouncycastle} or
 * {@code auto} (the default: libsodium where it loads, else Bouncy Castle). Read from the framework
 * properties by the {@link Activator} (OSGi), from the system properties otherwise. A forced backend
 * that cannot load is an error (no silent fallback); in {@code auto} the reason libsodium did not load
 * is logged with the choice.
 */
public final class Backends {

    /** The property that forces a backend. */
    public static final String PROPERTY = "labhub.crypto.backend";

    private static final Logger LOG = LoggerFactory.getLogger(Backends.class);
    private static volatile Backend current;

    private Backends() {
    }

    /** @return the backend in use, chosen from the system property on first use */
    public static Backend current() {
        Backend b = current;
        if (b == null) {
            synchronized (Backends.class) {
                b = current;
                if (b == null) {
                    try {
                        b = choose(System.getProperty(PROPERTY));
                    } catch (RuntimeException e) {
                        // Said once; every NaCl call then fails with -1 (so CURVE fails) instead of retrying.
                        LOG.error("NaCl for CURVE: no backend ({}={}): {}", PROPERTY, System.getProperty(PROPERTY),
                                e.getMessage());
                        b = new Unavailable(e.getMessage());
                    }
                    current = b;
                }
            }
        }
        return b;
    }

    /**
     * Chooses (again) from {@code setting}; the backends hold no per-session state, so a switch is safe
     * at any time. Used by the activator (framework property) and by tests.
     *
     * @return the backend now in use
     * @throws IllegalArgumentException on an unknown setting; IllegalStateException when a forced
     *                                  backend cannot load
     */
    public static synchronized Backend select(String setting) {
        Backend b = choose(setting);
        current = b;
        return b;
    }

    /**
     * Uses {@code backend} from now on, without logging; for tests and benchmarks that wrap or compare
     * backends.
     */
    public static synchronized void use(Backend backend) {
        current = java.util.Objects.requireNonNull(backend, "backend");
    }

    private static Backend choose(String setting) {
        String s = setting == null || setting.isBlank() ? "auto" : setting.strip().toLowerCase(Locale.ROOT);
        Backend b;
        switch (s) {
            case "libsodium" -> b = Libsodium.load();
            case "bouncycastle" -> b = new BouncyCastle();
            case "auto" -> {
                Backend sodium;
                try {
                    sodium = Libsodium.load();
                } catch (RuntimeException | LinkageError e) {
                    LOG.info("NaCl for CURVE: libsodium unavailable ({}); using Bouncy Castle", e.getMessage());
                    sodium = null;
                }
                b = sodium != null ? sodium : new BouncyCastle();
            }
            default -> throw new IllegalArgumentException(PROPERTY + "=" + setting
                    + " is not one of libsodium, bouncycastle, auto");
        }
        LOG.info("NaCl for CURVE: {} ({}={})", b.name(), PROPERTY, s);
        return b;
    }

    /** What is in use when the backend set by the system property cannot load: every call fails. */
    private record Unavailable(String reason) implements Backend {
        @Override
        public String name() {
            return "none (" + reason + ")";
        }

        @Override
        public int scalarmultBase(byte[] pk, byte[] sk) {
            return -1;
        }

        @Override
        public int keypair(byte[] pk, byte[] sk) {
            return -1;
        }

        @Override
        public int beforenm(byte[] k, byte[] pk, byte[] sk) {
            return -1;
        }

        @Override
        public int secretbox(byte[] c, byte[] m, int mlen, byte[] n, byte[] k) {
            return -1;
        }

        @Override
        public int secretboxOpen(byte[] m, byte[] c, int clen, byte[] n, byte[] k) {
            return -1;
        }
    }
}
