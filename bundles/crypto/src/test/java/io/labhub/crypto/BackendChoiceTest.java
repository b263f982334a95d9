package io.labhub.crypto;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.labhub.crypto.internal.Libsodium;
import java.io.File;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import org.junit.Test;

/** How the backend is chosen, and what happens when it cannot be. */
public class BackendChoiceTest {

    @Test
    public void autoPrefersLibsodiumHere() {
        io.labhub.crypto.internal.Backends.select("auto");
        assertTrue(Nacl.backend(), Nacl.backend().matches("libsodium 1\\.0\\.\\d+ \\(FFM\\)"));
        io.labhub.crypto.internal.Backends.select("BouncyCastle ");
        assertEquals("Bouncy Castle 1.87", Nacl.backend());
        io.labhub.crypto.internal.Backends.select(null);
        assertTrue(Nacl.backend().startsWith("libsodium"));
    }

    @Test
    public void unknownSettingIsRefusedNamingTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> io.labhub.crypto.internal.Backends.select("openssl"));
        assertEquals("labhub.crypto.backend=openssl is not one of libsodium, bouncycastle, auto", e.getMessage());
    }

    @Test
    public void missingLibraryIsReportedWithEveryNameTried() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Libsodium.load(List.of("libsodium-not-here.so.99", "nosuchsodium")));
        assertTrue(e.getMessage(), e.getMessage().contains("libsodium-not-here.so.99: not found")
                && e.getMessage().contains("nosuchsodium: not found"));
    }

    @Test
    public void scalarmultBaseRefusesWrongSizes() {
        assertThrows(IllegalArgumentException.class, () -> Nacl.scalarmultBase(new byte[32], new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> Nacl.scalarmultBase(new byte[33], new byte[32]));
        assertThrows(IllegalArgumentException.class, () -> Nacl.scalarmultBase(null, new byte[32]));
    }

    /**
     * A bad system property on a class path (no activator to fail): every call returns -1 and the backend
     * is named "none (...)"; nothing throws into the caller. Run in a class loader of its own, so this
     * JVM's chosen backend is untouched.
     */
    @Test
    public void badSystemPropertyMakesEveryCallFailWithoutThrowing() throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String p : System.getProperty("java.class.path").split(File.pathSeparator)) {
            urls.add(new File(p).toURI().toURL());
        }
        String old = System.getProperty(Nacl.BACKEND_PROPERTY);
        System.setProperty(Nacl.BACKEND_PROPERTY, "nonsense");
        try (URLClassLoader fresh = new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader())) {
            Class<?> nacl = fresh.loadClass("io.labhub.crypto.Nacl");
            String name = (String) nacl.getMethod("backend").invoke(null);
            assertTrue(name, name.startsWith("none (labhub.crypto.backend=nonsense is not one of"));
            Class<?> box = fresh.loadClass("com.neilalexander.jnacl.crypto.xsalsa20poly1305");
            Method secretbox = box.getMethod("crypto_secretbox", byte[].class, byte[].class, long.class, byte[].class,
                    byte[].class);
            assertEquals(-1, secretbox.invoke(null, new byte[64], new byte[64], 64L, new byte[24], new byte[32]));
        } finally {
            if (old == null) {
                System.clearProperty(Nacl.BACKEND_PROPERTY);
            } else {
                System.setProperty(Nacl.BACKEND_PROPERTY, old);
            }
        }
    }
}
