package io.labhub.broker.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.labhub.broker.TestBed;
import io.labhub.security.CurveSecurityHandle;
import org.junit.Rule;
import org.junit.Test;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.labhub.broker.TestBed.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/**
 * Issue 12, finding 7 (client part), against a scripted broker (a real CURVE ROUTER speaking the
 * protocol): every hello carries the client's session, one per client start; a {@code KEY_IN_USE}
 * refusal is reported and retried with back-off, never taken as admission, and the client gets in once
 * the broker admits the key again.
 */
public class BrokerClientSessionTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Rule
    public final TestBed bed = new TestBed();

    /** The real broker's rule (docs/protocol.md section 7): a copy with the same key waits for the first to go. */
    @Test
    public void aSecondClientWithTheSameKeyWaitsUntilTheFirstIsGoneAndNeverTakesOver() throws Exception {
        bed.startBroker();
        CurveSecurityHandle shared = bed.newClientSecurity(); // one key pair, as a copied runtime folder has
        BrokerClientConfig config = new BrokerClientConfig(bed.endpoint(), bed.brokerSecurity().publicKey(),
                TestBed.HEARTBEAT, Duration.ofSeconds(1));
        BrokerClient first = BrokerClient.start(config, shared);
        BrokerClient copy;
        try {
            await("first connected", Duration.ofSeconds(10), () -> first.status().connected());
            copy = bed.closeLater(BrokerClient.start(config, shared));
            await("the copy is told KEY_IN_USE", Duration.ofSeconds(10),
                    () -> copy.status().message().contains("KEY_IN_USE"));
            assertFalse(copy.status().connected());
            assertTrue("the first keeps its session", first.status().connected());
        } finally {
            first.close(); // the original goes away (stops heartbeating)
        }
        await("the copy gets in once the first is declared lost", Duration.ofSeconds(15),
                () -> copy.status().connected());
    }

    @Test
    public void helloCarriesOneSessionPerClientAndKeyInUseIsRetriedUntilAdmitted() throws Exception {
        CurveSecurityHandle brokerSide = bed.brokerSecurity();
        CurveSecurityHandle clientSide = bed.newClientSecurity();
        List<JsonNode> hellos = new CopyOnWriteArrayList<>();
        AtomicBoolean keyInUse = new AtomicBoolean(true);
        AtomicBoolean running = new AtomicBoolean(true);
        ZMQ.Socket router = brokerSide.context().createSocket(SocketType.ROUTER);
        router.setLinger(0);
        router.setReceiveTimeOut(50);
        brokerSide.secureServer(router);
        router.bind("tcp://127.0.0.1:*");
        String endpoint = router.getLastEndpoint();
        Thread broker = new Thread(() -> {
            while (running.get()) {
                byte[] identity = router.recv(0);
                if (identity == null) {
                    continue;
                }
                byte[] body = router.recv(0);
                try {
                    JsonNode request = JSON.readTree(body);
                    ObjectNode reply = JSON.createObjectNode();
                    reply.put("v", 1).set("id", request.get("id"));
                    reply.put("type", request.path("type").asText());
                    if (request.path("type").asText().equals("hello")) {
                        hellos.add(request);
                    }
                    if (keyInUse.get()) {
                        reply.put("status", "error").put("code", "KEY_IN_USE")
                                .put("message", "another client is connected with this key");
                    } else {
                        reply.put("status", "ok");
                    }
                    router.send(identity, ZMQ.SNDMORE);
                    router.send(JSON.writeValueAsBytes(reply), 0);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            brokerSide.context().destroySocket(router);
        }, "scripted-broker");
        broker.start();
        try {
            BrokerClient client = bed.closeLater(BrokerClient.start(new BrokerClientConfig(endpoint,
                    brokerSide.publicKey(), TestBed.HEARTBEAT, Duration.ofSeconds(1)), clientSide));
            await("hello retried after KEY_IN_USE", Duration.ofSeconds(10), () -> hellos.size() >= 3);
            assertFalse("KEY_IN_USE is no admission", client.status().connected());
            assertTrue(client.status().message(), client.status().message().contains("KEY_IN_USE"));
            assertTrue(client.status().message(), client.status().message().contains(clientSide.publicKey()));
            String session = hellos.get(0).path("session").asText();
            assertTrue("32 lowercase hex: " + session, session.matches("[0-9a-f]{32}"));
            for (JsonNode hello : hellos) {
                assertEquals("one session per client start", session, hello.path("session").asText());
            }

            keyInUse.set(false); // the other process holding the key is gone
            await("admitted once the broker accepts the key", Duration.ofSeconds(10), () -> client.status().connected());

            BrokerClient second = bed.closeLater(BrokerClient.start(new BrokerClientConfig(endpoint,
                    brokerSide.publicKey(), TestBed.HEARTBEAT, Duration.ofSeconds(1)), clientSide));
            int seen = hellos.size();
            await("second client says hello", Duration.ofSeconds(10), () -> second.status().connected());
            String other = hellos.get(hellos.size() - 1).path("session").asText();
            assertTrue(hellos.size() > seen);
            assertTrue("another client start, another session", !other.equals(session) && other.matches("[0-9a-f]{32}"));
        } finally {
            running.set(false);
            broker.join(5000);
        }
    }
}
