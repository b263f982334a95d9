package io.labhub.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Where the hub's broker is and which key it has. Flags win; otherwise the runtime home's configuration is
 * read as the runtime itself reads it: {@code conf/io.labhub.core.cfg} ({@code broker.endpoint},
 * {@code broker.publicKey}; an empty key means the runtime's own, {@code conf/keys/labhub.pub}, which is its
 * embedded broker's) and {@code conf/io.labhub.security.cfg} ({@code keysDir}, {@code allowList}).
 *
 * @param home          the runtime home (may not exist when both flags are given)
 * @param endpoint      the broker's request endpoint
 * @param brokerKey     the broker's public key (Z85); {@code null} until {@link #requireKey()} finds none
 * @param allowListFile the runtime's allow-list file (what {@code allow} appends to)
 */
record HubAddress(Path home, String endpoint, String brokerKey, Path allowListFile) {

    /** The Hub's default ({@code io.labhub.core broker.endpoint}). */
    static final String DEFAULT_ENDPOINT = "tcp://127.0.0.1:5570";

    static HubAddress resolve(Options o) {
        Path home = o.home != null ? o.home : defaultHome();
        Properties core = properties(home.resolve("conf/io.labhub.core.cfg"));
        Properties security = properties(home.resolve("conf/io.labhub.security.cfg"));
        if (o.broker == null && "local".equals(core.getProperty("directory", "broker").strip())) {
            throw new CliException("BROKER_UNAVAILABLE", CliException.UNREACHABLE, "the runtime at " + home
                    + " runs without a broker (io.labhub.core directory = local): there is nothing to connect to");
        }
        String endpoint = o.broker != null ? o.broker.strip() : core.getProperty("broker.endpoint", DEFAULT_ENDPOINT).strip();
        Path keysDir = path(home, security.getProperty("keysDir", ""), home.resolve("conf/keys"));
        Path allowList = path(home, security.getProperty("allowList", ""), keysDir.resolve("allowed_keys"));
        String key = o.brokerKey;
        if (key == null) {
            String configured = core.getProperty("broker.publicKey", "").strip();
            key = configured.isEmpty() ? readKeyFile(keysDir.resolve("labhub.pub")) : configured;
        }
        return new HubAddress(home, endpoint, key, allowList);
    }

    /** The distribution this command runs from (set by bin/labhub-cli), else the current directory. */
    private static Path defaultHome() {
        String home = System.getProperty("labhub.home", "");
        return Path.of(home.isBlank() ? "." : home);
    }

    private static Path path(Path home, String configured, Path fallback) {
        String c = configured.strip();
        return c.isEmpty() ? fallback : home.resolve(c);
    }

    private static Properties properties(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (NoSuchFileException e) {
            // not configured: the defaults apply, as in the runtime
        } catch (IOException | IllegalArgumentException e) {
            throw new CliException("INVALID_ARGUMENT", CliException.FAILED, "cannot read " + file + ": " + e.getMessage());
        }
        return p;
    }

    /** @return the first line of a key file that is neither blank nor a comment, or {@code null} when unreadable */
    static String readKeyFile(Path file) {
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                String l = line.strip();
                if (!l.isEmpty() && !l.startsWith("#")) {
                    return l;
                }
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    /** @return the broker key, or fails saying where it looked and what to pass instead */
    String requireKey() {
        if (brokerKey == null) {
            throw new CliException("BROKER_UNAVAILABLE", CliException.UNREACHABLE, "the broker's public key is not readable at "
                    + home.resolve("conf/keys/labhub.pub") + " (is --home the hub's runtime?); give it with --broker-key KEY");
        }
        return brokerKey;
    }
}
