package io.labhub.web.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.Test;

/** The console's TLS settings: a keystore opened with the owner-only password file before Jetty is told anything. */
public class TlsTest {

    static final String PASSWORD = "tls-test-password";

    static Path keystore(Path dir, String password) throws Exception {
        return io.labhub.testkit.Keystores.selfSigned(dir.resolve("web.p12"), password);
    }

    private static Path secret(Path dir, String name, String content, String perms) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, content + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(perms));
        return f;
    }

    @Test
    public void aKeystoreAndItsOwnerOnlyPasswordMakeHttps() throws Exception {
        Path dir = Files.createTempDirectory("web-tls");
        Path ks = keystore(dir, PASSWORD);
        WebConsole.Tls tls = WebConsole.Tls.of(ks, secret(dir, "pw", PASSWORD, "rw-------"));
        assertEquals(ks, tls.keystore());
        assertEquals(PASSWORD, tls.password());
        assertNull("neither set: plain HTTP", WebConsole.Tls.of(null, null));
    }

    @Test
    public void everyWrongSettingIsRefusedWithItsName() throws Exception {
        Path dir = Files.createTempDirectory("web-tls");
        Path ks = keystore(dir, PASSWORD);
        Path good = secret(dir, "pw", PASSWORD, "rw-------");
        assertRefused("go together", () -> WebConsole.Tls.of(ks, null));
        assertRefused("go together", () -> WebConsole.Tls.of(null, good));
        assertRefused("does not exist", () -> WebConsole.Tls.of(dir.resolve("missing.p12"), good));
        assertRefused("is accessible to group or others", () -> WebConsole.Tls.of(ks, secret(dir, "shared", PASSWORD, "rw-r--r--")));
        assertRefused("cannot be opened", () -> WebConsole.Tls.of(ks, secret(dir, "wrong", "not-the-password", "rw-------")));
        Path foreign = dir.resolve("foreign.p12");
        Files.writeString(foreign, "this is no keystore");
        assertRefused("cannot be opened", () -> WebConsole.Tls.of(foreign, good));
    }

    private static void assertRefused(String why, org.junit.function.ThrowingRunnable r) {
        IllegalStateException e = assertThrows(IllegalStateException.class, r);
        assertTrue(e.getMessage(), e.getMessage().contains(why) && e.getMessage().startsWith("io.labhub.web "));
    }
}
