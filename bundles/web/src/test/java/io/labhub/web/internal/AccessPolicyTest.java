package io.labhub.web.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.Test;

public class AccessPolicyTest {

    private static final String TOKEN = "0123456789abcdef0123";

    private static AccessPolicy.Request req(String method, String host, String origin, String site, String auth, String cookie) {
        return new AccessPolicy.Request(method, host, origin, site, auth, cookie, 8780);
    }

    @Test
    public void aNonLoopbackHostNeedsAToken() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> AccessPolicy.forListener("0.0.0.0", null));
        assertTrue(e.getMessage(), e.getMessage().contains("host 0.0.0.0") && e.getMessage().contains("tokenFile"));
        AccessPolicy.forListener("0.0.0.0", TOKEN);
        AccessPolicy.forListener("127.0.0.1", null);
        AccessPolicy.forListener("::1", null);
    }

    @Test
    public void onLoopbackWithoutATokenReadsAreOpenAndActionsNeedTheirOwnOrigin() {
        AccessPolicy p = AccessPolicy.forListener("127.0.0.1", null);
        assertNull(p.check(req("GET", "127.0.0.1:8780", null, null, null, null)));
        assertNull(p.check(req("POST", "127.0.0.1:8780", "http://127.0.0.1:8780", null, null, null)));
        assertNull(p.check(req("POST", "localhost:8780", "http://localhost:8780", null, null, null)));
        assertNull(p.check(req("POST", "localhost:8780", null, "same-origin", null, null)));
        assertEquals(403, p.check(req("POST", "127.0.0.1:8780", null, null, null, null)).status());
        assertEquals(403, p.check(req("POST", "127.0.0.1:8780", "http://evil.example", null, null, null)).status());
        assertEquals(403, p.check(req("POST", "127.0.0.1:8780", "http://evil.example:8780", null, null, null)).status());
        assertEquals(403, p.check(req("POST", "127.0.0.1:8780", "http://127.0.0.1:9999", null, null, null)).status());
        assertEquals(403, p.check(req("POST", "127.0.0.1:8780", "https://127.0.0.1:8780", null, null, null)).status());
        assertEquals(403, p.check(req("POST", "127.0.0.1:8780", null, "cross-site", null, null)).status());
        assertEquals(403, p.check(req("POST", "127.0.0.1:8780", "null", null, null, null)).status());
    }

    @Test
    public void withTlsTheOwnOriginIsHttpsAndThePlainOneIsForeign() {
        AccessPolicy p = AccessPolicy.forListener("0.0.0.0", TOKEN, true);
        assertNull(p.check(req("POST", "lab:8780", "https://lab:8780", null, "Bearer " + TOKEN, null)));
        AccessPolicy.Refusal plain = p.check(req("POST", "lab:8780", "http://lab:8780", null, "Bearer " + TOKEN, null));
        assertEquals(403, plain.status());
        assertEquals("FORBIDDEN_ORIGIN", plain.code());
    }

    @Test
    public void thePageItselfNeedsNoTokenButEveryEndpointDoes() {
        AccessPolicy p = AccessPolicy.forListener("0.0.0.0", TOKEN);
        assertNull("a browser without the token gets the page, to type the token in",
                p.checkPage(req("GET", "lab:8780", null, null, null, null)));
        assertEquals("AUTH_FAILED", p.check(req("GET", "lab:8780", null, null, null, null)).code());
        AccessPolicy.Refusal post = p.checkPage(req("POST", "lab:8780", "http://lab:8780", null, null, null));
        assertEquals(405, post.status());
        assertEquals("METHOD_NOT_ALLOWED", post.code());
        AccessPolicy local = AccessPolicy.forListener("127.0.0.1", null);
        assertNull(local.checkPage(req("GET", "127.0.0.1:8780", null, null, null, null)));
        assertEquals("the Host rule holds for the page too (DNS rebinding)", "FORBIDDEN_HOST",
                local.checkPage(req("GET", "evil.example:8780", null, null, null, null)).code());
    }

    @Test
    public void onLoopbackAForeignHostHeaderIsRefused() {
        AccessPolicy p = AccessPolicy.forListener("127.0.0.1", null);
        AccessPolicy.Refusal r = p.check(req("GET", "evil.example:8780", null, null, null, null));
        assertEquals(403, r.status());
        assertEquals("FORBIDDEN_HOST", r.code());
        assertNull(p.check(req("GET", "[::1]:8780", null, null, null, null)));
    }

    @Test
    public void withATokenEveryRequestNeedsItAndAnActionTheHeaderAndItsOwnOrigin() {
        AccessPolicy p = AccessPolicy.forListener("0.0.0.0", TOKEN);
        assertEquals(401, p.check(req("GET", "lab:8780", null, null, null, null)).status());
        assertEquals(401, p.check(req("GET", "lab:8780", null, null, "Bearer wrong", null)).status());
        assertNull(p.check(req("GET", "lab:8780", null, null, "Bearer " + TOKEN, null)));
        assertNull(p.check(req("GET", "lab:8780", null, null, null, "a=b; labhub_token=" + TOKEN)));
        assertEquals(401, p.check(req("POST", "lab:8780", "http://lab:8780", null, null, "labhub_token=" + TOKEN)).status());
        assertNull(p.check(req("POST", "lab:8780", null, null, "Bearer " + TOKEN, null)));
        assertNull(p.check(req("POST", "lab:8780", "http://lab:8780", null, "Bearer " + TOKEN, null)));
        assertEquals(403, p.check(req("POST", "lab:8780", "http://evil.example:8780", null, "Bearer " + TOKEN, null)).status());
    }

    @Test
    public void aTokenFileMustBeOwnerOnly() throws Exception {
        Path dir = Files.createTempDirectory("web-token");
        Path f = dir.resolve("token");
        Files.writeString(f, TOKEN + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> TokenFile.read(f));
        assertTrue(e.getMessage(), e.getMessage().contains("owner-only"));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        assertEquals(TOKEN, TokenFile.read(f));
        Files.writeString(f, "short");
        assertThrows(IllegalStateException.class, () -> TokenFile.read(f));
        assertThrows(IllegalStateException.class, () -> TokenFile.read(dir.resolve("missing")));
    }
}
