package io.labhub.itests;

import static io.labhub.itests.Web.WAIT;
import static io.labhub.itests.Web.code;
import static io.labhub.itests.Web.get;
import static io.labhub.itests.Web.post;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.labhub.api.ChannelState;
import io.labhub.api.Hub;
import io.labhub.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.CoreOptions;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.OptionUtils;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * The console's access rule (docs/web.md "Access"), one refusal per test, each by rewriting
 * {@code io.labhub.web.cfg} in a running framework: a non-loopback host without a token and a token file others
 * may read stop the console from listening (its component FAILED with the reason); with a token every request
 * needs it, an action also an own {@code Origin}. The wildcard host is reached on 127.0.0.1 only.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class WebAccessIT {

    private static final String TOKEN = "web-access-it-0123456789abcdef";

    @Inject
    private Hub hub;

    @Inject
    private BundleContext context;

    @Inject
    private ServiceComponentRuntime scr;

    static Path deployDir() {
        return It.workDir().resolve("pax-web-access-deploy");
    }

    static Path tokenDir() {
        return It.workDir().resolve("pax-web-access-token");
    }

    @Configuration
    public Option[] config() throws Exception {
        Path home = It.workDir().resolve("pax-web-access-home");
        PaxFeatures.freshDirectories(deployDir(), home);
        It.deleteTree(tokenDir());
        Files.createDirectories(tokenDir());
        return OptionUtils.combine(
                PaxFeatures.framework(deployDir(), home, "boot", "framework", "base", "broker", "core", "shm", "zmq", "web"),
                CoreOptions.frameworkProperty("org.apache.felix.http.require.config").value("true"));
    }

    private Path tokenFile(String name, String perms) throws Exception {
        Path f = tokenDir().resolve(name);
        Files.writeString(f, TOKEN + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(perms));
        return f;
    }

    private void configure(String cfg) throws Exception {
        It.writeWatched(deployDir().resolve("io.labhub.web.cfg"), cfg);
    }

    private String failure() {
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            if (d.name.equals("io.labhub.web.internal.WebConsole")) {
                for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                    if (c.state == ComponentConfigurationDTO.FAILED_ACTIVATION) {
                        return c.failure;
                    }
                }
            }
        }
        return null;
    }

    private boolean failing(String reason) {
        String f = failure();
        return f != null && f.contains(reason);
    }

    private void deployStage() throws Exception {
        Path jar = deployDir().resolve("labhub-sample-stage.jar");
        if (!Files.exists(jar)) {
            Files.copy(It.samplesDir().resolve("labhub-sample-stage.jar"), jar);
        }
        Await.until("stage.x registered", WAIT, () -> hub.find("stage.x").map(i -> i.state() == ChannelState.ACTIVE).orElse(false));
    }

    @Test
    public void aNonLoopbackHostWithoutATokenIsRefusedAndNothingListens() throws Exception {
        configure("host = 0.0.0.0\nport = 0\n");
        Await.until("the console's activation fails naming host and tokenFile", WAIT, () -> failing(
                "io.labhub.web host 0.0.0.0 is not a loopback address and no tokenFile"));
        Await.until("no Jetty of the console listens", WAIT, () -> !Web.anyRuntime(context));
    }

    @Test
    public void aTokenFileOthersMayReadIsRefused() throws Exception {
        Path shared = tokenFile("token-shared", "rw-r-----");
        configure("host = 127.0.0.1\nport = 0\ntokenFile = " + shared + "\n");
        Await.until("the console's activation fails naming the file's permissions", WAIT, () -> failing(
                "tokenFile " + shared + " is accessible to group or others"));
        Await.until("no Jetty of the console listens", WAIT, () -> !Web.anyRuntime(context));
    }

    @Test
    public void withATokenOnLoopbackEveryRequestNeedsItAndAnActionItsOwnOrigin() throws Exception {
        deployStage();
        Path token = tokenFile("token-loopback", "rw-------");
        configure("host = 127.0.0.1\nport = 0\ntokenFile = " + token + "\n");
        String base = Web.base(context, "(labhub.web.host=127.0.0.1)(labhub.web.access=token)");
        String bearer = "Bearer " + TOKEN;
        Await.until("the console answers with the token", WAIT,
                () -> get(base + "api/channels", "Authorization", bearer).statusCode() == 200);

        assertEquals(401, get(base + "api/channels").statusCode());
        assertEquals("AUTH_FAILED", code(get(base + "api/channels", "Authorization", "Bearer wrong-token-wrong-token")));
        assertEquals(200, get(base + "api/channels", "Cookie", "labhub_token=" + TOKEN).statusCode());

        byte[] position = "position".getBytes(StandardCharsets.UTF_8);
        String origin = base.substring(0, base.length() - 1);
        var noToken = post(base + "api/request/stage.x", "text/plain", position, "Origin", origin);
        assertEquals(noToken.body(), 401, noToken.statusCode());
        var cookieOnly = post(base + "api/request/stage.x", "text/plain", position, "Origin", origin, "Cookie", "labhub_token=" + TOKEN);
        assertEquals("a cookie is no credential for an action", 401, cookieOnly.statusCode());
        var foreign = post(base + "api/request/stage.x", "text/plain", position, "Authorization", bearer, "Origin", "http://evil.example:" + base.split(":")[2].replace("/", ""));
        assertEquals(foreign.body(), 403, foreign.statusCode());
        assertEquals("FORBIDDEN_ORIGIN", code(foreign));
        var ok = post(base + "api/request/stage.x", "text/plain", position, "Authorization", bearer);
        assertEquals(ok.body(), 200, ok.statusCode());
        assertTrue(ok.body(), ok.body().contains("position"));
    }

    @Test
    public void onAWildcardHostAReadWithoutTheTokenIsRefused() throws Exception {
        Path token = tokenFile("token-wildcard", "rw-------");
        configure("host = 0.0.0.0\nport = 0\ntokenFile = " + token + "\n");
        String base = Web.base(context, "(labhub.web.host=0.0.0.0)(labhub.web.access=token)");
        Await.until("the console answers with the token", WAIT,
                () -> get(base + "api/channels", "Authorization", "Bearer " + TOKEN).statusCode() == 200);
        var refused = get(base + "api/channels");
        assertEquals(refused.body(), 401, refused.statusCode());
        assertEquals("AUTH_FAILED", code(refused));
        assertEquals(401, get(base + "api/status").statusCode());
        assertEquals(401, get(base + "api/events").statusCode());
    }

    /**
     * HTTPS (docs/web.md "TLS"): with a keystore and its owner-only password file the console answers over TLS only,
     * with the keystore's certificate, and a plain-HTTP request to that port gets no answer of the console.
     */
    @Test
    public void withAKeystoreTheConsoleSpeaksHttpsOnly() throws Exception {
        String password = "web-access-it-keystore";
        Path ks = io.labhub.testkit.Keystores.selfSigned(tokenDir().resolve("web.p12"), password);
        Path pw = tokenDir().resolve("keystore-password");
        Files.writeString(pw, password + "\n");
        Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-------"));
        configure("host = 127.0.0.1\nport = 0\nkeystore = " + ks + "\nkeystorePasswordFile = " + pw + "\n");

        String port = Await.value("the console's HTTPS port", WAIT, () -> {
            var refs = context.getServiceReferences("org.osgi.service.servlet.runtime.HttpServiceRuntime",
                    "(&(org.apache.felix.http.name=labhub-web)(org.osgi.service.http.port.secure=*))");
            return refs == null ? null : String.valueOf(refs[0].getProperty("org.osgi.service.http.port.secure"));
        });
        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("web", java.security.KeyStore.getInstance(ks.toFile(), password.toCharArray()).getCertificate("web"));
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        javax.net.ssl.SSLContext ssl = javax.net.ssl.SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        java.net.http.HttpClient https = java.net.http.HttpClient.newBuilder().sslContext(ssl).connectTimeout(WAIT).build();
        java.net.URI channels = java.net.URI.create("https://127.0.0.1:" + port + "/api/channels");
        Await.until("the console answers over HTTPS", WAIT, () -> {
            try {
                return https.send(java.net.http.HttpRequest.newBuilder(channels).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
            } catch (java.io.IOException e) {
                return false; // Jetty starting its TLS connector
            }
        });
        int plain;
        try {
            plain = get("http://127.0.0.1:" + port + "/api/channels").statusCode();
        } catch (java.io.IOException e) {
            plain = -1; // the TLS connector closed the plain request
        }
        assertTrue("plain HTTP to the HTTPS port got " + plain, plain != 200);
        configure("host = 127.0.0.1\nport = 0\nkeystore = " + ks + "\n");
        Await.until("a keystore without its password file fails the console, naming both settings", WAIT,
                () -> failing("keystore and keystorePasswordFile go together"));
    }
}
