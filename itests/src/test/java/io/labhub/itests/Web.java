package io.labhub.itests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.labhub.testkit.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/** The web console's tests' HTTP side: finding the console's port, GET and POST with chosen headers. */
final class Web {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(WAIT).build();

    private Web() {
    }

    /**
     * The console's base URL on loopback, {@code http://127.0.0.1:PORT/}, PORT read from the HttpServiceRuntime that
     * serves it (the console runs on port 0: Felix HTTP picks a free one). {@code filter} narrows it to the
     * configuration the test waits for ({@code labhub.web.host}, {@code labhub.web.access}).
     */
    static String base(BundleContext context, String filter) {
        return Await.value("the console's HttpServiceRuntime " + filter, WAIT, () -> {
            ServiceReference<?>[] refs = context.getServiceReferences("org.osgi.service.servlet.runtime.HttpServiceRuntime",
                    "(&(org.apache.felix.http.name=labhub-web)" + filter + ")");
            if (refs == null) {
                return null;
            }
            Object port = refs[0].getProperty("org.osgi.service.http.port");
            return port == null ? null : "http://127.0.0.1:" + port + "/";
        });
    }

    static boolean anyRuntime(BundleContext context) throws Exception {
        return context.getServiceReferences("org.osgi.service.servlet.runtime.HttpServiceRuntime",
                "(org.apache.felix.http.name=labhub-web)") != null;
    }

    static HttpResponse<String> get(String url, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(WAIT).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String url, String contentType, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(WAIT)
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The typed error code of a JSON error answer. */
    static String code(HttpResponse<String> r) throws Exception {
        JsonNode e = JSON.readTree(r.body()).get("error");
        return e == null ? null : e.get("code").asText();
    }

    static JsonNode channel(JsonNode list, String name) {
        for (JsonNode c : list.get("channels")) {
            if (name.equals(c.get("name").asText())) {
                return c;
            }
        }
        return null;
    }
}
