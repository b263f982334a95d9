package io.labhub.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** TLS material for tests: a self-signed key made by the running JDK's own keytool, nothing checked in. */
public final class Keystores {

    private Keystores() {
    }

    /**
     * Writes a PKCS12 keystore with one EC key (alias {@code web}) whose certificate names 127.0.0.1 and localhost.
     *
     * @throws IllegalStateException with keytool's output when it fails
     */
    public static Path selfSigned(Path file, String password) throws IOException, InterruptedException {
        java.nio.file.Files.deleteIfExists(file);
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "web", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "san=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", file.toString(), "-storepass", password, "-keypass", password)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("keytool failed: " + out);
        }
        return file;
    }
}
