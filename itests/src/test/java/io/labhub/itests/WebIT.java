package io.labhub.itests;

import static io.labhub.itests.Web.JSON;
import static io.labhub.itests.Web.WAIT;
import static io.labhub.itests.Web.channel;
import static io.labhub.itests.Web.code;
import static io.labhub.itests.Web.get;
import static io.labhub.itests.Web.post;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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

/**
 * Issue 17 in a real framework with the {@code web} feature: the console on loopback without a token at a port
 * Felix HTTP picks (port 0, read back from the HttpServiceRuntime), the sample thermometer and stage hot-deployed,
 * the endpoints read with the JDK's HttpClient as a browser would. The token cases are in {@link WebAccessIT}.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class WebIT {

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
        It.writeWatched(deployDir().resolve("io.labhub.web.cfg"), "host = 127.0.0.1\nport = 0\n");
        return OptionUtils.combine(
                PaxFeatures.framework(deployDir(), home, "boot", "framework", "base", "broker", "core", "shm", "zmq", "recorder",
                        "web"),
                // Felix HTTP waits for the console's configuration instead of listening on its defaults (docs/web.md)
                CoreOptions.frameworkProperty("org.apache.felix.http.require.config").value("true"));
    }

    private String base() throws Exception {
        String base = Web.base(context, "(labhub.web.access=loopback)");
        Await.until("GET /api/channels answers 200", WAIT, () -> get(base + "api/channels").statusCode() == 200);
        return base;
    }

    private void deploySamples() throws Exception {
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

    @Test
    public void theChannelListNamesTheSamplesWithTheirProducersCounters() throws Exception {
        deploySamples();
        String base = base();
        Await.untilAsserted("both samples listed, the thermometer with counters", WAIT, () -> {
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
        // observing joined nothing: the broker counts no consumer of the thermometer for the console
        assertEquals(0, hub.find("lab.thermometer").orElseThrow().consumers());
    }

    @Test
    public void theEventStreamShowsAChannelAppearAndDisappear() throws Exception {
        String base = base();
        HttpResponse<InputStream> stream = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(base + "api/events")).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, stream.statusCode());
        assertEquals("text/event-stream", stream.headers().firstValue("Content-Type").orElse("").split(";")[0]);
        AtomicReference<String> latest = new AtomicReference<>("");
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith("data: ")) {
                        latest.set(line.substring(6));
                    }
                }
            } catch (java.io.IOException e) {
                // closed by the test
            }
        }, "WebIT-sse");
        reader.start();
        try {
            Await.until("a first channel list on the stream", WAIT, () -> latest.get().startsWith("{"));
            String name = "web.sse.probe";
            try (Publisher p = hub.createPublisher(name)) {
                Await.until(name + " on the stream", WAIT, () -> channel(JSON.readTree(latest.get()), name) != null);
                p.publish("x".getBytes(StandardCharsets.UTF_8));
            }
            Await.until(name + " gone from the stream after close", WAIT, () -> channel(JSON.readTree(latest.get()), name) == null);
        } finally {
            stream.body().close();
            reader.interrupt();
        }
    }

    @Test
    public void theStatusListsTheConsoleOnlineAndTheBrokerConnected() throws Exception {
        String base = base();
        HttpResponse<String> r = get(base + "api/status");
        assertEquals(r.body(), 200, r.statusCode());
        JsonNode status = JSON.readTree(r.body());
        assertTrue(r.body(), status.get("hub").get("brokerConnected").asBoolean());
        // the broker runs in this runtime: its clients, the runtime's own hub among them, live
        JsonNode broker = status.get("broker");
        assertTrue(r.body(), broker.get("running").asBoolean());
        assertTrue(r.body(), broker.get("liveClients").asInt() >= 1);
        boolean live = false;
        for (JsonNode c : broker.get("clients")) {
            live |= c.get("alive").asBoolean() && c.get("key").asText().length() == 40 && !c.get("lastHeartbeat").isNull();
        }
        assertTrue("a live client with its Z85 key and last heartbeat: " + r.body(), live);
        boolean console = false;
        for (JsonNode row : status.get("components")) {
            if (row.get("component").asText().equals("io.labhub.web.internal.WebConsole")) {
                console = "ONLINE".equals(row.get("status").asText());
            }
        }
        assertTrue(r.body(), console);
        assertTrue(r.body(), status.get("summary").get("ONLINE").asInt() > 0);
    }

    @Test
    public void aRecordingShowsInTheStatusAndTheMetricsWhileItRunsAndAfter() throws Exception {
        deploySamples();
        String base = base();
        io.labhub.recorder.Recorder recorder = Await.value("the recorder service", WAIT, () -> {
            org.osgi.framework.ServiceReference<io.labhub.recorder.Recorder> ref =
                    context.getServiceReference(io.labhub.recorder.Recorder.class);
            return ref == null ? null : context.getService(ref);
        });
        JsonNode before = JSON.readTree(get(base + "api/status").body()).get("recorder");
        assertNotNull("the recorder runs in this runtime", before);
        assertTrue(before.toString(), !before.get("recording").asBoolean());
        Path file = It.workDir().resolve("web-it-recording.h5");
        Files.deleteIfExists(file);
        recorder.start(java.util.List.of("lab.thermometer"), file);
        try {
            Await.untilAsserted("the status shows the run and its frames", WAIT, () -> {
                JsonNode r = JSON.readTree(get(base + "api/status").body()).get("recorder");
                assertTrue(r.toString(), r.get("recording").asBoolean());
                assertEquals(file.toString(), r.get("file").asText());
                JsonNode c = r.get("channels").get(0);
                assertEquals("lab.thermometer", c.get("name").asText());
                assertTrue(r.toString(), c.get("frames").asLong() > 0);
                assertEquals(0, c.get("lost").asLong());
                assertTrue(r.toString(), c.get("error").isNull());
            });
            Await.untilAsserted("the metrics show it", WAIT, () -> {
                String m = get(base + "metrics").body();
                assertTrue(m, m.contains("labhub_recorder_recording 1.0"));
                assertTrue(m, m.matches("(?s).*labhub_recorder_frames\\{channel=\"lab.thermometer\"\\} [1-9][0-9.E]*\n.*"));
            });
        } finally {
            recorder.stop();
        }
        JsonNode after = JSON.readTree(get(base + "api/status").body()).get("recorder");
        assertTrue(after.toString(), !after.get("recording").asBoolean());
        assertEquals("the last run's file", file.toString(), after.get("file").asText());
        assertTrue(after.toString(), after.get("fileError").isNull());
        assertTrue(get(base + "metrics").body().contains("labhub_recorder_recording 0.0"));
        assertTrue("the file was written", Files.size(file) > 0);
        Files.deleteIfExists(file);
    }

    @Test
    public void theStageMovesFromAPostOnItsOwnOriginAndItsTypedErrorsAreJson() throws Exception {
        deploySamples();
        String base = base();
        String origin = base.substring(0, base.length() - 1);
        byte[] move = "move 0.5".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> moved = post(base + "api/request/stage.x", "text/plain", move, "Origin", origin);
        assertEquals(moved.body(), 200, moved.statusCode());
        assertTrue(moved.body(), JSON.readTree(moved.body()).get("reply").asText().startsWith("moved to 0.500 mm"));
        HttpResponse<String> position = post(base + "api/request/stage.x", "application/json",
                "\"position\"".getBytes(StandardCharsets.UTF_8), "Sec-Fetch-Site", "same-origin");
        assertEquals(position.body(), 200, position.statusCode());
        assertEquals("position 0.500 mm", JSON.readTree(position.body()).get("reply").asText());

        HttpResponse<String> dance = post(base + "api/request/stage.x", "text/plain", "dance".getBytes(StandardCharsets.UTF_8), "Origin", origin);
        assertEquals(dance.body(), 400, dance.statusCode());
        assertEquals("INVALID_ARGUMENT", code(dance));
        HttpResponse<String> unknown = post(base + "api/request/no.such.stage", "text/plain", move, "Origin", origin);
        assertEquals(unknown.body(), 404, unknown.statusCode());
        assertEquals("CHANNEL_NOT_FOUND", code(unknown));
        HttpResponse<String> badName = post(base + "api/request/1-not-a-name", "text/plain", move, "Origin", origin);
        assertEquals(badName.body(), 400, badName.statusCode());
        assertEquals("INVALID_ARGUMENT", code(badName));
        HttpResponse<String> pubsub = post(base + "api/request/lab.thermometer", "text/plain", move, "Origin", origin);
        assertEquals(pubsub.body(), 400, pubsub.statusCode());
        HttpResponse<String> malformed = post(base + "api/request/stage.x", "application/json",
                "{\"move\":".getBytes(StandardCharsets.UTF_8), "Origin", origin);
        assertEquals(malformed.body(), 400, malformed.statusCode());
        assertEquals("INVALID_MESSAGE", code(malformed));
        HttpResponse<String> oversize = post(base + "api/request/stage.x", "text/plain", new byte[(1 << 20) + 1], "Origin", origin);
        assertEquals(oversize.body(), 413, oversize.statusCode());
        assertEquals("MESSAGE_TOO_LARGE", code(oversize));
    }

    @Test
    public void anActionWithoutProofOfItsOriginIsRefused() throws Exception {
        deploySamples();
        String base = base();
        byte[] position = "position".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> bare = post(base + "api/request/stage.x", "text/plain", position);
        assertEquals(bare.body(), 403, bare.statusCode());
        assertEquals("FORBIDDEN_ORIGIN", code(bare));
        HttpResponse<String> foreign = post(base + "api/request/stage.x", "text/plain", position, "Origin", "http://evil.example");
        assertEquals(foreign.body(), 403, foreign.statusCode());
        assertEquals("FORBIDDEN_ORIGIN", code(foreign));
        HttpResponse<String> otherPort = post(base + "api/request/stage.x", "text/plain", position, "Origin", "http://127.0.0.1:1");
        assertEquals(otherPort.body(), 403, otherPort.statusCode());
        HttpResponse<String> crossSite = post(base + "api/request/stage.x", "text/plain", position, "Sec-Fetch-Site", "cross-site");
        assertEquals(crossSite.body(), 403, crossSite.statusCode());
    }

    /** The value of the sample {@code name{labels}} in a text-format scrape, or -1 when it is not there. */
    private static double sample(String scrape, String series) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).split(" ")[0]);
            }
        }
        return -1;
    }

    @Test
    public void metricsAreScrapedInTheTextFormatAndAChannelCounterMovesBetweenScrapes() throws Exception {
        deploySamples();
        String base = base();
        String series = "labhub_channel_messages_sent_total{channel=\"lab.thermometer\",kind=\"pubsub\"}";
        HttpResponse<String> first = get(base + "metrics");
        assertEquals(first.body(), 200, first.statusCode());
        assertTrue(first.headers().firstValue("Content-Type").orElse(""), first.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        for (String line : first.body().split("\n")) {
            assertTrue("a text-format line: " + line, line.isEmpty() || line.startsWith("# HELP ") || line.startsWith("# TYPE ")
                    || line.matches("[a-zA-Z_:][a-zA-Z0-9_:]*(\\{.*\\})? [-+0-9.eEInfNa]+( [0-9]+)?"));
        }
        assertTrue(first.body(), first.body().contains("# TYPE labhub_channel_messages_sent_total counter"));
        assertEquals(first.body(), 1.0, sample(first.body(), "labhub_broker_connected"), 0);
        assertTrue(first.body(), sample(first.body(), "labhub_components{status=\"ONLINE\"}") > 0);
        assertTrue("the broker's live clients: " + first.body(), sample(first.body(), "labhub_broker_clients{state=\"live\"}") >= 1);
        Await.until("the broker counts the samples' registrations", WAIT,
                () -> sample(get(base + "metrics").body(), "labhub_broker_registrations") >= 3);
        assertTrue(first.body(), first.body().contains("# TYPE labhub_broker_requests_total counter"));
        assertTrue("JVM metrics: " + first.body(), first.body().contains("jvm_memory_used_bytes"));
        double before = sample(first.body(), series);
        assertTrue(first.body(), before >= 0);
        Await.until("the thermometer's counter moves between two scrapes", WAIT, () -> sample(get(base + "metrics").body(), series) > before);
    }

    private void deployCamera() throws Exception {
        Path cfg = deployDir().resolve("io.labhub.sample.camera.cfg");
        if (!Files.exists(cfg)) {
            Files.writeString(cfg, "width = 64\nheight = 48\nrateHz = 50\nslots = 8\n");
        }
        Path jar = deployDir().resolve("labhub-sample-camera.jar");
        if (!Files.exists(jar)) {
            Files.copy(It.samplesDir().resolve("labhub-sample-camera.jar"), jar);
        }
        Await.until("camera1.frames at 64x48", WAIT, () -> hub.find("camera1.frames")
                .map(i -> i.state() == ChannelState.ACTIVE && "64".equals(i.metadata().get("width"))).orElse(false));
    }

    private static java.awt.image.BufferedImage png(HttpResponse<byte[]> r) throws Exception {
        assertEquals(new String(r.body(), StandardCharsets.UTF_8), 200, r.statusCode());
        assertEquals("image/png", r.headers().firstValue("Content-Type").orElse(""));
        return javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(r.body()));
    }

    private static HttpResponse<byte[]> getBytes(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).timeout(WAIT).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    public void theCameraPreviewIsAnImageThatChangesAndJoinsNothing() throws Exception {
        deployCamera();
        String base = base();
        String url = base + "api/preview/camera1.frames.png?max=32";
        HttpResponse<byte[]> first = Await.value("a first preview", WAIT, () -> {
            HttpResponse<byte[]> r = getBytes(url);
            return r.statusCode() == 200 ? r : null;
        });
        java.awt.image.BufferedImage a = png(first);
        assertEquals("scaled to at most 32 a side by whole steps", 32, a.getWidth());
        assertEquals(24, a.getHeight());
        int lo = 255, hi = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int v = a.getRaster().getSample(x, y, 0);
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        assertTrue("auto-contrast spans the range: " + lo + ".." + hi, lo == 0 && hi == 255);
        long seq = Long.parseLong(first.headers().firstValue("X-LabHub-Sequence").orElseThrow());
        Await.untilAsserted("a later frame with other pixels", WAIT, () -> {
            HttpResponse<byte[]> r = getBytes(url);
            java.awt.image.BufferedImage b = png(r);
            assertTrue(Long.parseLong(r.headers().firstValue("X-LabHub-Sequence").orElseThrow()) > seq);
            boolean differs = false;
            for (int x = 0; x < a.getWidth() && !differs; x++) {
                differs = a.getRaster().getSample(x, 0, 0) != b.getRaster().getSample(x, 0, 0);
            }
            assertTrue("the moving ramp moved", differs);
        });
        assertEquals("the preview is an observer", 0, hub.find("camera1.frames").orElseThrow().consumers());
        assertEquals(400, get(base + "api/preview/lab.thermometer.png").statusCode());
        assertEquals(404, get(base + "api/preview/no.such.camera.png").statusCode());
        assertEquals(400, get(base + "api/preview/camera1.frames.png?max=nine").statusCode());
    }

    @Test
    public void thePageAndTheThermometersSeriesAreServed() throws Exception {
        deploySamples();
        String base = base();
        HttpResponse<String> page = get(base);
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(page.body(), page.body().contains("<title>LabHub console</title>") && page.body().contains("/console.js"));
        HttpResponse<String> js = get(base + "console.js");
        assertEquals(200, js.statusCode());
        assertTrue(js.body().contains("new EventSource('/api/events')"));
        assertEquals(200, get(base + "console.css").statusCode());
        assertEquals(404, get(base + "no-such-file.html").statusCode());
        Await.untilAsserted("the thermometer's celsius over the last minutes", WAIT, () -> {
            JsonNode s = JSON.readTree(get(base + "api/series/lab.thermometer").body());
            JsonNode celsius = s.get("fields").get("celsius");
            assertNotNull(s.toString(), celsius);
            assertTrue(s.toString(), celsius.size() >= 2);
            double v = celsius.get(celsius.size() - 1).get(1).asDouble();
            assertTrue("a plausible lab temperature: " + v, v > 0 && v < 60);
        });
        assertEquals(400, get(base + "api/series/stage.x").statusCode());
    }
}
