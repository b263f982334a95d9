package io.labhub.web.internal;

import io.labhub.api.Hub;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import jakarta.servlet.Servlet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console: runs where {@code io.labhub.web.cfg} exists (like the broker with its .cfg). It checks the access
 * rule first ({@link AccessPolicy#forListener}: a non-loopback host without a token, or a token file others can
 * read, fails the activation with the reason, which {@code hub:status} then shows, and Jetty is told not to
 * listen); then it configures Felix HTTP's one Jetty (pid {@value #JETTY_PID}: host, port and the name
 * {@value #SERVER_NAME} that the servlets target) and registers one servlet per endpoint on the whiteboard.
 *
 * <p>Why the console writes Jetty's configuration instead of asking for two .cfg files: one setting (host) decides
 * both where Jetty listens and which access rule applies, so it lives in one place.
 */
@Component(service = {}, configurationPid = WebConfig.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true)
@Designate(ocd = WebConfig.Config.class)
public class WebConsole {

    static final String JETTY_PID = "org.apache.felix.http";
    static final String SERVER_NAME = "labhub-web";
    /** Felix HTTP starts Jetty on its defaults (port 8080, every interface) at once unless this framework property is true. */
    static final String REQUIRE_CONFIG = "org.apache.felix.http.require.config";
    private static final Logger LOG = LoggerFactory.getLogger(WebConsole.class);

    private final ConfigurationAdmin cm;
    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();
    private final EventFeed feed;
    private final RequestServlet requests;
    private final SeriesServlet series;
    private final BrokerView broker;
    private final RecorderView recorder;

    @Activate
    public WebConsole(BundleContext context, WebConfig.Config config, @Reference Hub hub, @Reference ConfigurationAdmin cm,
                      @Reference ServiceComponentRuntime scr) throws IOException {
        this.cm = cm;
        AccessPolicy access;
        Tls tls;
        try {
            if (config.port() < 0 || config.port() > 65535) {
                throw new IllegalStateException("io.labhub.web port " + config.port() + " is not a TCP port (0-65535; 0 picks a free one)");
            }
            if (config.maxBodyBytes() < 1) {
                throw new IllegalStateException("io.labhub.web maxBodyBytes must be at least 1, not " + config.maxBodyBytes());
            }
            if (config.requestTimeoutMs() < 1) {
                throw new IllegalStateException("io.labhub.web requestTimeoutMs must be at least 1, not " + config.requestTimeoutMs());
            }
            String token = config.tokenFile().isBlank() ? null : TokenFile.read(resolve(context, config.tokenFile()));
            tls = Tls.of(config.keystore().isBlank() ? null : resolve(context, config.keystore()),
                    config.keystorePasswordFile().isBlank() ? null : resolve(context, config.keystorePasswordFile()));
            access = AccessPolicy.forListener(config.host(), token, tls != null);
        } catch (IllegalStateException e) {
            LOG.error("web console not started: {}", e.getMessage());
            jetty(disabled());
            throw e;
        }
        if (!Boolean.parseBoolean(context.getProperty(REQUIRE_CONFIG))) {
            LOG.warn("web console: the framework property {} is not true, so Felix HTTP listened on its own defaults until "
                    + "this configuration reached it", REQUIRE_CONFIG);
        }
        jetty(listening(config, access, tls));
        // one registry per console, never the client's static default one: a restart starts clean
        PrometheusRegistry registry = new PrometheusRegistry();
        Gate gate = new Gate(access, Counter.builder().name("labhub_web_refusals")
                .help("Requests the web console refused, by code (docs/web.md Access)").labelNames("code").register(registry));
        this.broker = BrokerView.available() ? new BrokerView(context) : null; // the broker feature is optional
        this.recorder = RecorderView.available() ? new RecorderView(context) : null; // and the recorder's
        registry.register(new HubMetrics(hub, context, scr, broker, recorder));
        JvmMetrics.builder().register(registry);
        ChannelTable table = new ChannelTable(hub);
        this.feed = new EventFeed(table);
        this.requests = new RequestServlet(gate, hub, config.maxBodyBytes(), Duration.ofMillis(config.requestTimeoutMs()));
        register(context, "/api/channels", new ChannelsServlet(gate, table));
        register(context, "/api/events", new EventsServlet(gate, feed));
        register(context, "/api/status", new StatusServlet(gate, context, scr, hub, broker, recorder));
        register(context, "/api/request/*", requests);
        register(context, "/metrics", new MetricsServlet(gate, registry));
        this.series = new SeriesServlet(gate, hub);
        register(context, "/api/series/*", series);
        register(context, "/api/preview/*", new PreviewServlet(gate, hub));
        register(context, "/", new PageServlet(gate));
        if (AdminConsoles.available()) { // the optional webconsole feature: the Felix Web Console behind the same rule
            registrations.add(AdminConsoles.register(context, gate, cm));
            LOG.info("web console: the Felix Web Console at /system/console follows the console's access rule");
        }
        LOG.info("web console on {}://{}:{}/ ({})", tls != null ? "https" : "http", config.host(),
                config.port() == 0 ? "(a free port)" : config.port(),
                access.tokenConfigured() ? "token required" : "loopback, no token: actions from the console's own page only");
    }

    /**
     * Whether a package this bundle imports optionally (the broker's API, the Web Console's SPI) is wired to it: the
     * classes that use one are loaded only after this said yes.
     */
    static boolean wired(String className) {
        try {
            Class.forName(className, false, WebConsole.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static Path resolve(BundleContext context, String file) {
        Path p = Path.of(file);
        String home = context.getProperty("labhub.home");
        return p.isAbsolute() || home == null ? p : Path.of(home).resolve(p);
    }

    private void register(BundleContext context, String pattern, Servlet servlet) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_PATTERN, pattern);
        props.put(HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_NAME, SERVER_NAME + " " + pattern);
        props.put(HttpWhiteboardConstants.HTTP_WHITEBOARD_TARGET, "(org.apache.felix.http.name=" + SERVER_NAME + ")");
        registrations.add(context.registerService(Servlet.class, servlet, props));
    }

    /**
     * The console's TLS key: a PKCS12 keystore and its password, read from an owner-only file (the rule of the token
     * file), checked by opening the keystore here, so a wrong password or a foreign file fails the console with
     * the setting named instead of a Jetty that cannot start.
     */
    record Tls(Path keystore, String password) {

        /** @return null for plain HTTP (neither set) */
        static Tls of(Path keystore, Path passwordFile) {
            if (keystore == null && passwordFile == null) {
                return null;
            }
            if (keystore == null || passwordFile == null) {
                throw new IllegalStateException("io.labhub.web keystore and keystorePasswordFile go together: set both for "
                        + "HTTPS, or neither for plain HTTP");
            }
            if (!Files.isRegularFile(keystore)) {
                throw new IllegalStateException("io.labhub.web keystore " + keystore + " does not exist or is not a file");
            }
            String password = TokenFile.read(passwordFile, "keystorePasswordFile", 6);
            try {
                java.security.KeyStore ks = java.security.KeyStore.getInstance(keystore.toFile(), password.toCharArray());
                boolean key = false;
                for (String alias : java.util.Collections.list(ks.aliases())) {
                    key |= ks.isKeyEntry(alias);
                }
                if (!key) {
                    throw new IllegalStateException("io.labhub.web keystore " + keystore + " holds no private key");
                }
            } catch (IOException | java.security.GeneralSecurityException e) {
                throw new IllegalStateException("io.labhub.web keystore " + keystore + " cannot be opened with the password of "
                        + "keystorePasswordFile " + passwordFile + " (a PKCS12 keystore, e.g. from keytool -genkeypair): "
                        + e.getMessage(), e);
            }
            return new Tls(keystore, password);
        }
    }

    private static Dictionary<String, Object> listening(WebConfig.Config config, AccessPolicy access, Tls tls) {
        Hashtable<String, Object> p = new Hashtable<>();
        // shown on the HttpServiceRuntime (Felix copies runtime.init.* there): which console this Jetty serves
        p.put("org.apache.felix.http.runtime.init.labhub.web.host", config.host());
        p.put("org.apache.felix.http.runtime.init.labhub.web.access", access.tokenConfigured() ? "token" : "loopback");
        p.put("org.apache.felix.http.name", SERVER_NAME);
        p.put("org.apache.felix.http.host", config.host());
        if (tls == null) {
            p.put("org.apache.felix.http.enable", "true");
            p.put("org.apache.felix.https.enable", "false");
            p.put("org.osgi.service.http.port", Integer.toString(config.port()));
        } else { // HTTPS only: no plain port beside it
            p.put("org.apache.felix.http.enable", "false");
            p.put("org.apache.felix.https.enable", "true");
            p.put("org.osgi.service.http.port.secure", Integer.toString(config.port()));
            p.put("org.apache.felix.https.keystore", tls.keystore().toString());
            p.put("org.apache.felix.https.keystore.password", tls.password());
            p.put("org.apache.felix.https.keystore.key.password", tls.password());
            p.put("org.apache.felix.https.keystore.type", "PKCS12");
        }
        p.put("org.apache.felix.http.jetty.sendServerHeader", "false");
        return p;
    }

    /** Jetty told not to listen at all (rather than deleted, which would send it back to its defaults). */
    private static Dictionary<String, Object> disabled() {
        Hashtable<String, Object> p = new Hashtable<>();
        p.put("org.apache.felix.http.name", SERVER_NAME);
        p.put("org.apache.felix.http.enable", "false");
        p.put("org.apache.felix.https.enable", "false");
        return p;
    }

    private void jetty(Dictionary<String, Object> props) throws IOException {
        Configuration c = cm.getConfiguration(JETTY_PID, "?");
        c.update(props);
    }

    @Deactivate
    void deactivate() {
        for (ServiceRegistration<?> r : registrations) {
            try {
                r.unregister();
            } catch (IllegalStateException e) {
                // already gone with the bundle
            }
        }
        registrations.clear();
        feed.close();
        requests.close();
        series.close();
        if (broker != null) {
            broker.close();
        }
        if (recorder != null) {
            recorder.close();
        }
        try {
            jetty(disabled());
        } catch (IOException | IllegalStateException e) {
            LOG.warn("web console: could not tell Jetty to stop listening: {}", e.toString());
        }
    }
}
