package io.labhub.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.labhub.api.ChannelState;
import io.labhub.api.Hub;
import io.labhub.api.Publisher;
import io.labhub.testkit.Await;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
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
import org.osgi.framework.ServiceReference;

/**
 * Issue 17 in a real framework with the {@code web} feature: the console on loopback at a port Felix HTTP picks
 * (port 0; read back from the HttpServiceRuntime's {@code osgi.http.endpoint}), the sample thermometer and stage
 * hot-deployed, and the endpoints read with the JDK's HttpClient as a browser would.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class WebIT {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    private Hub hub;

    @Inject
    private BundleContext context;

    static Path deployDir() {
        return It.workDir().resolve("pax-web-deploy");
    }

    @Configuration
    public Option[] config() throws Exception {
        Path home = It.workDir().resolve("pax-web-home");
        PaxFeatures.freshDirectories(deployDir(), home);
        Files.writeString(deployDir().resolve("io.labhub.web.cfg"), "host = 127.0.0.1\nport = 0\n");
        return OptionUtils.combine(
                PaxFeatures.framework(deployDir(), home, "boot", "framework", "base", "broker", "core", "shm", "zmq", "web"),
                // Felix HTTP waits for the console's configuration instead of listening on its defaults (docs/web.md)
                CoreOptions.frameworkProperty("org.apache.felix.http.require.config").value("true"));
    }

    /** The console's base URL, {@code http://127.0.0.1:PORT/}, once Jetty listens and the channel list answers. */
    static String base(BundleContext context) {
        String url = Await.value("the console's endpoint", WAIT, () -> {
            ServiceReference<?>[] refs = context.getServiceReferences("org.osgi.service.servlet.runtime.HttpServiceRuntime",
                    "(org.apache.felix.http.name=labhub-web)");
            if (refs == null) {
                return null;
            }
            Object endpoints = refs[0].getProperty("osgi.http.endpoint");
            return endpoints instanceof String[] e && e.length > 0 ? e[0] : null;
        });
        String base = url.endsWith("/") ? url : url + "/";
        Await.until("GET /api/channels answers 200", WAIT, () -> get(base + "api/channels").statusCode() == 200);
        return base;
    }

    static HttpResponse<String> get(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).timeout(WAIT).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    void deploySamples() throws Exception {
        for (String sample : new String[] {"thermometer", "stage"}) {
            String jar = "labhub-sample-" + sample + ".jar";
            if (!Files.exists(deployDir().resolve(jar))) {
                Files.copy(It.samplesDir().resolve(jar), deployDir().resolve(jar));
            }
        }
        for (String name : new String[] {"lab.thermometer", "stage.x"}) {
            Await.until(name + " registered", WAIT,
                    () -> hub.find(name).map(i -> i.state() == ChannelState.ACTIVE).orElse(false));
        }
    }

    static JsonNode channel(JsonNode list, String name) {
        for (JsonNode c : list.get("channels")) {
            if (name.equals(c.get("name").asText())) {
                return c;
            }
        }
        return null;
    }

    @Test
    public void theChannelListNamesTheSamplesWithTheirProducersCounters() throws Exception {
        deploySamples();
        String base = base(context);
        assertTrue(base, base.startsWith("http://127.0.0.1:"));
        Await.untilAsserted("both samples listed, the thermometer with counters that grow", WAIT, () -> {
            HttpResponse<String> r = get(base + "api/channels");
            assertEquals(r.body(), 200, r.statusCode());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
            JsonNode list = JSON.readTree(r.body());
            JsonNode thermometer = channel(list, "lab.thermometer");
            JsonNode stage = channel(list, "stage.x");
            assertNotNull(r.body(), thermometer);
            assertNotNull(r.body(), stage);
            assertEquals("pubsub", thermometer.get("kind").asText());
            assertEquals("reqrep", stage.get("kind").asText());
            assertEquals("active", thermometer.get("state").asText());
            assertTrue(r.body(), thermometer.get("counters").get("messagesSent").asLong() > 0);
            assertTrue(list.get("hub").get("brokerConnected").asBoolean());
        });
    }
}
