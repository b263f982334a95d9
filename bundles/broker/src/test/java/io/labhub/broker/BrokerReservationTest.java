package io.labhub.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.labhub.api.ChannelState;
import io.labhub.api.ErrorCode;
import io.labhub.security.CurveSecurityHandle;
import org.junit.Rule;
import org.junit.Test;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

import java.io.IOException;
import java.time.Duration;

import static io.labhub.broker.TestBed.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

/**
 * Issue 12, finding 4 (c), broker side of the hijack chain: the name of a lost producer stays reserved
 * for its key; another key is refused with CHANNEL_RESERVED while the rightful producer gets its name
 * back; after the grace another key may take it, and the event says the producer changed.
 */
public class BrokerReservationTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Rule
    public final TestBed bed = new TestBed();

    private String thermometer(String endpoint, String key) {
        return "\"name\":\"lab.thermometer\",\"kind\":\"pubsub\",\"endpoint\":\"" + endpoint + "\",\"serverKey\":\"" + key + "\"";
    }

    /** Waits for the channel's state while {@code alive} keeps heartbeating (it must not be lost meanwhile). */
    private void awaitState(ChannelState state, TestBed.Raw alive) {
        await("lab.thermometer " + state.wireName(), WAIT, () -> {
            try {
                assertEquals("ok", alive.request("heartbeat", "").path("status").asText());
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            return bed.broker().channels().stream()
                    .anyMatch(c -> c.name().value().equals("lab.thermometer") && c.state() == state);
        });
    }

    @Test
    public void lostProducersNameIsReservedForItsKey() throws IOException {
        // Default grace (30 s); a 3 s liveness window (100 ms x 30), so that both raw clients (which do
        // not heartbeat while the other's CURVE handshake and hello are under way) are surely live while
        // the attacker's first register is answered, even on a loaded machine.
        bed.startBroker(new BrokerConfig("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", TestBed.HEARTBEAT, 30,
                TestBed.MAX_MESSAGE_SIZE));
        TestBed.Raw rightful = bed.raw();
        TestBed.Raw attacker = bed.raw();
        assertEquals("ok", attacker.request("hello", "").path("status").asText());
        assertEquals("ok", rightful.request("hello", "").path("status").asText());
        assertEquals("ok", rightful.request("register", thermometer("tcp://10.0.0.5:40100", rightful.key()))
                .path("status").asText());
        JsonNode exists = attacker.request("register", thermometer("tcp://10.0.0.66:40100", attacker.key()));
        assertEquals(ErrorCode.CHANNEL_EXISTS.name(), exists.path("code").asText());

        // The rightful producer goes silent (crash, SIGSTOP, a stalled network): it is declared lost...
        awaitState(ChannelState.PRODUCER_LOST, attacker);
        // ... while the attacker keeps heartbeating, and tries again: the name is reserved.
        JsonNode reserved = attacker.request("register", thermometer("tcp://10.0.0.66:40100", attacker.key()));
        assertEquals(reserved.toString(), ErrorCode.CHANNEL_RESERVED.name(), reserved.path("code").asText());
        assertTrue(reserved.toString(), reserved.path("message").asText().contains("reserved"));
        JsonNode gone = attacker.request("discover", "\"name\":\"lab.thermometer\"");
        assertEquals(ErrorCode.CHANNEL_NOT_FOUND.name(), gone.path("code").asText());

        // The rightful producer comes back (same key): its name is its own.
        assertEquals("ok", rightful.request("hello", "").path("status").asText());
        JsonNode back = rightful.request("register", thermometer("tcp://10.0.0.5:40101", rightful.key()));
        assertEquals(back.toString(), "ok", back.path("status").asText());
        JsonNode found = attacker.request("discover", "\"name\":\"lab.thermometer\"");
        assertEquals(rightful.key(), found.path("channel").path("producer").asText());
        assertEquals("tcp://10.0.0.5:40101", found.path("channel").path("endpoint").asText());
    }

    @Test
    public void afterTheGraceAnotherKeyMayTakeItAndTheEventSaysSo() throws Exception {
        // A grace long enough that the first register after the loss surely falls inside it on a loaded machine.
        bed.startBroker(bed.config().withReservationGrace(Duration.ofSeconds(3)));
        CurveSecurityHandle watcherKeys = bed.newClientSecurity();
        ZMQ.Socket sub = watcherKeys.context().createSocket(SocketType.SUB);
        sub.setLinger(0);
        watcherKeys.secureClient(sub, bed.brokerSecurity().publicKey());
        sub.subscribe("lab.thermometer ".getBytes());
        sub.connect(bed.broker().eventsEndpoint());
        bed.closeLater(() -> watcherKeys.context().destroySocket(sub));

        TestBed.Raw rightful = bed.raw();
        TestBed.Raw other = bed.raw();
        rightful.request("hello", "");
        // Register until the subscription is up (events are best effort): the first event we see is ours.
        JsonNode first = null;
        for (int i = 0; i < 50 && first == null; i++) {
            rightful.request("register", thermometer("tcp://10.0.0.5:" + (40100 + i), rightful.key()));
            sub.setReceiveTimeOut(100);
            if (sub.recv(0) != null) {
                first = new ObjectMapper().readTree(sub.recv(0));
            }
        }
        assertNotNull("an event arrived", first);
        assertEquals(false, first.path("producerChanged").asBoolean(true));
        assertEquals("ok", other.request("hello", "").path("status").asText());

        awaitState(ChannelState.PRODUCER_LOST, other);
        JsonNode reply = other.request("register", thermometer("tcp://10.0.0.7:40200", other.key()));
        assertEquals(reply.toString(), ErrorCode.CHANNEL_RESERVED.name(), reply.path("code").asText());
        // Keep the other client alive and retry until the grace is over.
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!reply.path("status").asText().equals("ok")) {
            assertTrue("taken within " + WAIT, System.nanoTime() < deadline);
            other.request("heartbeat", "");
            reply = other.request("register", thermometer("tcp://10.0.0.7:40200", other.key()));
            if (!reply.path("status").asText().equals("ok")) {
                assertEquals(reply.toString(), ErrorCode.CHANNEL_RESERVED.name(), reply.path("code").asText());
            }
        }
        assertEquals(other.key(), reply.path("channel").path("producer").asText());

        JsonNode changed = null;
        sub.setReceiveTimeOut(5000);
        for (int i = 0; i < 20 && changed == null; i++) {
            String topic = sub.recvStr(0);
            assertNotNull("events keep coming", topic);
            JsonNode body = new ObjectMapper().readTree(sub.recv(0));
            if (topic.endsWith("channel_registered") && other.key().equals(body.path("channel").path("producer").asText())) {
                changed = body;
            }
        }
        assertNotNull("the take-over was announced", changed);
        assertTrue(changed.toString(), changed.path("producerChanged").asBoolean(false));
        assertEquals(rightful.key(), changed.path("previousProducer").asText());
    }
}
