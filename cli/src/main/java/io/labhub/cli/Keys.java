package io.labhub.cli;

import io.labhub.security.CurveKeyPair;
import io.labhub.security.internal.CurveKeys;
import java.nio.file.Path;

/**
 * This client's own key pair, kept as the runtime keeps its own (the security bundle's {@link CurveKeys}:
 * {@code labhub.key} owner-only in an owner-only directory, {@code labhub.pub}), created on first use. Its own,
 * not the runtime's: a broker refuses a second live process with one key ({@code KEY_IN_USE}), and an
 * operator admits or revokes the command apart from the runtime.
 */
final class Keys {

    /** Environment variable naming the key directory when {@code --keys} is not given. */
    static final String ENV = "LABHUB_CLI_KEYS";

    private Keys() {
    }

    static Path dir(Options o) {
        if (o.keys != null) {
            return o.keys;
        }
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        String xdg = System.getenv("XDG_CONFIG_HOME");
        Path config = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return config.resolve("labhub").resolve("cli");
    }

    static CurveKeyPair loadOrCreate(Path dir) {
        return CurveKeys.loadOrCreate(dir);
    }

    /**
     * The line that admits {@code key} when pasted into the hub's Gogo console. Z85 keys contain
     * {@code $ [ ] { }}: Gogo expands {@code $name} even inside double quotes, but takes single-quoted text
     * literally, and the Z85 alphabet has no single quote.
     */
    static String allowLine(String key) {
        return "hub:allow '" + key + "'";
    }
}
