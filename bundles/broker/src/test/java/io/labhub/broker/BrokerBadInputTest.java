package io.labhub.broker;

import com.fasterxml.jackson.databind.JsonNode;
import io.labhub.api.ErrorCode;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/**
 * Every kind of bad message, sent with a raw CURVE DEALER as a foreign client would: each gets a typed
 * error reply, and the broker keeps serving (checked after every test by a valid exchange from another
 * client).
 */
public class BrokerBadInputTest {

    @Rule
    public final TestBed bed = new TestBed();

    private TestBed.Raw raw;

    @Before
    public void start() throws IOException {
        bed.startBroker();
        raw = bed.raw();
    }

    @After
    public void brokerStillServes() throws IOException {
        TestBed.Raw other = bed.raw();
        assertOk(other.request("hello", ""));
        assertOk(other.request("register", TestBed.shmFields("still.alive")));
        JsonNode found = other.request("discover", "\"name\":\"still.alive\"");
        assertOk(found);
        assertEquals(other.key(), found.path("channel").path("producer").asText());
    }

    private static void assertOk(JsonNode reply) {
        assertEquals(reply.toString(), "ok", reply.path("status").asText());
        assertEquals(1, reply.path("v").asInt());
    }

    private static void assertError(JsonNode reply, ErrorCode code) {
        assertEquals(reply.toString(), "error", reply.path("status").asText());
        assertEquals(reply.toString(), code.name(), reply.path("code").asText());
        assertEquals(1, reply.path("v").asInt());
        assertFalse("the error says why", reply.path("message").asText().isEmpty());
    }

    @Test
    public void malformedJsonIsInvalidMessage() throws IOException {
        raw.send("{\"v\":1,\"id\":\"a\",\"type\":");
        JsonNode reply = raw.receive();
        assertError(reply, ErrorCode.INVALID_MESSAGE);
        assertTrue(reply.path("id").isNull());
    }

    @Test
    public void trailingGarbageAfterTheObjectIsInvalidMessage() throws IOException {
        raw.send("{\"v\":1,\"id\":\"a\",\"type\":\"list\"} {}");
        assertError(raw.receive(), ErrorCode.INVALID_MESSAGE);
    }

    @Test
    public void arrayInsteadOfObjectIsInvalidMessage() throws IOException {
        raw.send("[{\"v\":1,\"id\":\"a\",\"type\":\"list\"}]");
        assertError(raw.receive(), ErrorCode.INVALID_MESSAGE);
    }

    @Test
    public void scalarsInsteadOfObjectAreInvalidMessage() throws IOException {
        for (String scalar : new String[]{"42", "\"list\"", "true", "null"}) {
            raw.send(scalar);
            assertError(raw.receive(), ErrorCode.INVALID_MESSAGE);
        }
    }

    @Test
    public void emptyFrameIsInvalidMessage() throws IOException {
        raw.sendFrames(new byte[0]);
        assertError(raw.receive(), ErrorCode.INVALID_MESSAGE);
    }

    @Test
    public void missingIdIsInvalidMessage() throws IOException {
        raw.send("{\"v\":1,\"type\":\"list\"}");
        assertError(raw.receive(), ErrorCode.INVALID_MESSAGE);
    }

    @Test
    public void missingTypeIsInvalidMessageWithTheIdEchoed() throws IOException {
        raw.send("{\"v\":1,\"id\":\"x7\"}");
        JsonNode reply = raw.receive();
        assertError(reply, ErrorCode.INVALID_MESSAGE);
        assertEquals("x7", reply.path("id").asText());
    }

    @Test
    public void missingVersionIsInvalidMessage() throws IOException {
        raw.send("{\"id\":\"x8\",\"type\":\"list\"}");
        JsonNode reply = raw.receive();
        assertError(reply, ErrorCode.INVALID_MESSAGE);
        assertEquals("x8", reply.path("id").asText());
    }

    @Test
    public void missingRequestFieldIsInvalidArgumentNamingIt() throws IOException {
        assertOk(raw.request("hello", ""));
        JsonNode reply = raw.request("register", "\"kind\":\"shm\",\"endpoint\":\"seg\"");
        assertError(reply, ErrorCode.INVALID_ARGUMENT);
        assertEquals("field.name", reply.path("rule").asText());
        assertEquals("register", reply.path("type").asText());
        assertError(raw.request("discover", ""), ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    public void wrongFieldTypesAreRefused() throws IOException {
        assertOk(raw.request("hello", ""));
        assertError(raw.request("discover", "\"name\":42"), ErrorCode.INVALID_ARGUMENT);
        assertError(raw.request("register", "\"name\":\"a.b\",\"kind\":\"shm\",\"endpoint\":[1]"),
                ErrorCode.INVALID_ARGUMENT);
        assertError(raw.request("register", "\"name\":\"a.b\",\"kind\":\"shm\",\"endpoint\":\"s\",\"metadata\":[]"),
                ErrorCode.INVALID_ARGUMENT);
        assertError(raw.request("register", "\"name\":\"a.b\",\"kind\":\"tape\",\"endpoint\":\"s\""),
                ErrorCode.INVALID_ARGUMENT);
        raw.send("{\"v\":\"1\",\"id\":\"t\",\"type\":\"list\"}");
        assertError(raw.receive(), ErrorCode.INVALID_MESSAGE);
        raw.send("{\"v\":1,\"id\":{\"a\":1},\"type\":\"list\"}");
        assertError(raw.receive(), ErrorCode.INVALID_MESSAGE);
        raw.send("{\"v\":1,\"id\":\"t\",\"type\":7}");
        assertError(raw.receive(), ErrorCode.INVALID_MESSAGE);
        assertTrue(bed.broker().channels().isEmpty());
    }

    @Test
    public void unknownTypeIsUnknownType() throws IOException {
        JsonNode reply = raw.request("teleport", "");
        assertError(reply, ErrorCode.UNKNOWN_TYPE);
        assertTrue(reply.path("id").asText().startsWith("r"));
    }

    @Test
    public void wrongVersionIsUnsupportedVersion() throws IOException {
        raw.send("{\"v\":2,\"id\":\"v2\",\"type\":\"list\"}");
        JsonNode reply = raw.receive();
        assertError(reply, ErrorCode.UNSUPPORTED_VERSION);
        assertEquals("v2", reply.path("id").asText());
        assertEquals(1, reply.path("supported").get(0).asInt());
    }

    @Test
    public void oversizedMessageIsMessageTooLarge() throws IOException {
        String padding = "x".repeat(TestBed.MAX_MESSAGE_SIZE);
        raw.send("{\"v\":1,\"id\":\"big\",\"type\":\"list\",\"pad\":\"" + padding + "\"}");
        assertError(raw.receive(), ErrorCode.MESSAGE_TOO_LARGE);
    }

    @Test
    public void hugeMessageDropsOnlyThatConnection() throws IOException {
        byte[] huge = new byte[TestBed.MAX_MESSAGE_SIZE * 17];
        Arrays.fill(huge, (byte) 'x');
        raw.sendFrames(huge);
        assertEquals("no reply can be addressed: the connection is dropped unread", null, raw.receive(1000));
    }

    @Test
    public void multiFrameMessageIsInvalidMessage() throws IOException {
        raw.sendFrames("{\"v\":1,\"id\":\"m\",\"type\":\"list\"}".getBytes(StandardCharsets.UTF_8),
                "second".getBytes(StandardCharsets.UTF_8));
        JsonNode reply = raw.receive();
        assertError(reply, ErrorCode.INVALID_MESSAGE);
        assertEquals("m", reply.path("id").asText());
    }

    @Test
    public void binaryGarbageIsInvalidMessage() throws IOException {
        Random random = new Random(42);
        byte[] garbage = new byte[300];
        random.nextBytes(garbage);
        garbage[0] = (byte) 0xff; // not UTF-8
        raw.sendFrames(garbage);
        assertError(raw.receive(), ErrorCode.INVALID_MESSAGE);
    }

    @Test
    public void reqStyleEnvelopeIsAnsweredInTheSameEnvelope() throws IOException {
        raw.sendFrames(new byte[0], "{\"v\":1,\"id\":7,\"type\":\"list\"}".getBytes(StandardCharsets.UTF_8));
        raw.socket().setReceiveTimeOut(5000);
        byte[] delimiter = raw.socket().recv(0);
        assertEquals(0, delimiter.length);
        assertTrue(raw.socket().hasReceiveMore());
        String body = raw.socket().recvStr(0);
        assertTrue(body, body.contains("\"id\":7") && body.contains("\"status\":\"ok\""));
    }

    @Test
    public void heartbeatWithoutSessionIsUnknownClient() throws IOException {
        assertError(raw.request("heartbeat", ""), ErrorCode.UNKNOWN_CLIENT);
        assertError(raw.request("register", TestBed.shmFields("a.b")), ErrorCode.UNKNOWN_CLIENT);
        assertTrue(bed.broker().channels().isEmpty());
    }
}
