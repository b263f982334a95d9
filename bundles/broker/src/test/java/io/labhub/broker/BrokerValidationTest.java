package io.labhub.broker;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;

import java.io.IOException;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/** Names, keys and metadata are checked by the Validator before the registry is touched. */
public class BrokerValidationTest {

    @Rule
    public final TestBed bed = new TestBed();

    private TestBed.Raw raw;

    @Before
    public void start() throws IOException {
        bed.startBroker();
        raw = bed.raw();
        assertEquals("ok", raw.request("hello", "").path("status").asText());
    }

    private void assertRefused(String fields, String rulePrefix) throws IOException {
        JsonNode reply = raw.request("register", fields);
        assertEquals(reply.toString(), "INVALID_ARGUMENT", reply.path("code").asText());
        assertTrue(reply.toString(), reply.path("rule").asText().startsWith(rulePrefix));
        assertTrue("the registry was not touched", bed.broker().channels().isEmpty());
    }

    private static String shm(String name) {
        return "\"name\":\"" + name + "\",\"kind\":\"shm\",\"endpoint\":\"" + TestBed.segment() + "\"";
    }

    @Test
    public void invalidChannelNamesAreRefused() throws IOException {
        assertRefused(shm(""), "name.");
        assertRefused(shm("1camera"), "name.start");
        assertRefused(shm("camera..frames"), "name.level");
        assertRefused(shm("camera/frames"), "name.charset");
        assertRefused(shm("caméra"), "name.charset");
        assertRefused(shm("a".repeat(256)), "name.length");
        assertRefused(shm("bad name"), "name.charset");
        JsonNode reply = raw.request("discover", "\"name\":\"../etc/passwd\"");
        assertEquals("INVALID_ARGUMENT", reply.path("code").asText());
        assertTrue(reply.path("message").asText().contains("name"));
    }

    @Test
    public void invalidServerKeysAreRefused() throws IOException {
        String base = "\"name\":\"a.b\",\"kind\":\"pubsub\",\"endpoint\":\"tcp://127.0.0.1:5\",\"serverKey\":";
        assertRefused(base + "\"short\"", "key.length");
        assertRefused(base + "\"" + "~".repeat(40).replace('~', ' ') + "\"", "key.");
        assertRefused(base + "\"" + "\\\"".repeat(40) + "\"", "key.alphabet");
        assertRefused("\"name\":\"a.b\",\"kind\":\"pubsub\",\"endpoint\":\"tcp://127.0.0.1:5\"", "field.serverKey");
    }

    @Test
    public void invalidMetadataIsRefused() throws IOException {
        String base = shm("a.b") + ",\"metadata\":";
        assertRefused(base + "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":1}}}}}", "metadata.depth");
        assertRefused(base + "{\"bad key\":1}", "metadata.key");
        assertRefused(base + "{\"k\":null}", "metadata.value");
        assertRefused(base + "{\"k\":\"" + "x".repeat(5000) + "\"}", "metadata.value");
    }

    @Test
    public void invalidEndpointsAreRefused() throws IOException {
        assertRefused("\"name\":\"a.b\",\"kind\":\"shm\",\"endpoint\":\"\"", "endpoint.length");
        assertRefused("\"name\":\"a.b\",\"kind\":\"shm\",\"endpoint\":\"seg\\nment\"", "endpoint.charset");
    }

    /** Issue 12, finding 4: endpoints nobody else can reach, or that point at any file, were accepted. */
    @Test
    public void unreachableOrForeignEndpointsAreRefused() throws IOException {
        String key = ",\"serverKey\":\"" + bed.brokerSecurity().publicKey() + "\"";
        assertRefused("\"name\":\"lab.thermometer\",\"kind\":\"pubsub\",\"endpoint\":\"inproc://lab.thermometer\"" + key,
                "endpoint.scheme");
        assertRefused("\"name\":\"lab.stage\",\"kind\":\"reqrep\",\"endpoint\":\"ipc:///etc/passwd\"" + key,
                "endpoint.scheme");
        assertRefused("\"name\":\"lab.stage\",\"kind\":\"reqrep\",\"endpoint\":\"tcp://*:5000\"" + key, "endpoint.host");
        assertRefused("\"name\":\"lab.stage\",\"kind\":\"pubsub\",\"endpoint\":\"tcp://lab-pc:0\"" + key, "endpoint.port");
        assertRefused("\"name\":\"cam.frames\",\"kind\":\"shm\",\"endpoint\":\"ipc:///etc/passwd\",\"metadata\":"
                + "{\"shm.slotSize\":\"4096\",\"shm.slotCount\":\"8\"}", "endpoint.segment");
        assertRefused("\"name\":\"cam.frames\",\"kind\":\"shm\",\"endpoint\":\"" + TestBed.segment() + "\"",
                "endpoint.shmSize");
        JsonNode ok = raw.request("register", TestBed.shmFields("cam.frames"));
        assertEquals(ok.toString(), "ok", ok.path("status").asText());
        ok = raw.request("register", "\"name\":\"lab.thermometer\",\"kind\":\"pubsub\",\"endpoint\":\"tcp://lab-pc:40200\"" + key);
        assertEquals(ok.toString(), "ok", ok.path("status").asText());
    }
}
