package io.labhub.itests;

import static io.labhub.itests.Web.WAIT;
import static io.labhub.itests.Web.code;
import static io.labhub.itests.Web.get;
import static io.labhub.itests.Web.post;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

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
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * The optional {@code webconsole} feature (issue 17): the Felix Web Console at /system/console on the console's
 * Jetty, behind the console's access rule, never its built-in admin/admin login. With a token: no token, no page;
 * the token, the bundle list; an action from a foreign Origin refused and nothing changed.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class WebConsoleIT {

    private static final String TOKEN = "web-console-it-0123456789abcdef";

    @Inject
    private BundleContext context;

    static Path deployDir() {
        return It.workDir().resolve("pax-webconsole-deploy");
    }

    @Configuration
    public Option[] config() throws Exception {
        Path home = It.workDir().resolve("pax-webconsole-home");
        PaxFeatures.freshDirectories(deployDir(), home);
        return OptionUtils.combine(
                PaxFeatures.framework(deployDir(), home, "boot", "framework", "base", "broker", "core", "web", "webconsole"),
                CoreOptions.frameworkProperty("org.apache.felix.http.require.config").value("true"));
    }

    @Test
    public void theFelixWebConsoleFollowsTheConsolesAccessRule() throws Exception {
        Path token = deployDir().resolveSibling("pax-webconsole-token");
        Files.writeString(token, TOKEN + "\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        It.writeWatched(deployDir().resolve("io.labhub.web.cfg"), "host = 127.0.0.1\nport = 0\ntokenFile = " + token + "\n");
        String base = Web.base(context, "(labhub.web.access=token)");
        String bearer = "Bearer " + TOKEN;
        String[] last = {""};
        Await.until("the Web Console lists the bundles with the token", WAIT, () -> {
            var r = get(base + "system/console/bundles.json", "Authorization", bearer);
            last[0] = r.statusCode() + " " + r.body();
            return r.statusCode() == 200 && r.body().contains("io.labhub.core");
        });

        var anonymous = get(base + "system/console/bundles.json");
        assertEquals(anonymous.body(), 401, anonymous.statusCode());
        assertEquals("AUTH_FAILED", code(anonymous));
        var builtIn = get(base + "system/console/bundles.json", "Authorization", "Basic YWRtaW46YWRtaW4="); // admin:admin
        assertEquals("the Web Console's own default login is no way in", 401, builtIn.statusCode());

        Bundle core = java.util.Arrays.stream(context.getBundles()).filter(b -> b.getSymbolicName().equals("io.labhub.core"))
                .findFirst().orElseThrow();
        String origin = base.substring(0, base.length() - 1);
        String foreign = "http://evil.example:" + origin.substring(origin.lastIndexOf(':') + 1);
        var stop = post(base + "system/console/bundles/" + core.getBundleId(), "application/x-www-form-urlencoded",
                "action=stop".getBytes(StandardCharsets.UTF_8), "Authorization", bearer, "Origin", foreign);
        assertEquals(stop.body(), 403, stop.statusCode());
        assertEquals("FORBIDDEN_ORIGIN", code(stop));
        assertEquals("the refused action changed nothing", Bundle.ACTIVE, core.getState());
        assertTrue(last[0], last[0].startsWith("200"));
    }
}
