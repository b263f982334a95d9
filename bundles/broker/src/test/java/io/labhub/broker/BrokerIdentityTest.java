package io.labhub.broker;

import com.fasterxml.jackson.databind.JsonNode;
import io.labhub.api.ChannelState;
import io.labhub.api.ErrorCode;
import io.labhub.security.CurveSecurityHandle;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static io.labhub.broker.TestBed.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * Issue 12, finding 7 (broker side): a second process with a key that a live client holds (a copied
 * runtime folder, {@code bin/labhub -c} beside a running runtime) re-registered and then unregistered
 * the first one's channels. Now its hello with another session gets KEY_IN_USE, and so does everything
 * it sends afterwards, while the first keeps heartbeating; the same session again is the same client;
 * once the first is lost, the new session is accepted and gets the reserved names back.
 */
public class BrokerIdentityTest {

    private static final String S1 = "0123456789abcdef0123456789abcdef";
    private static final String S2 = "fedcba9876543210fedcba9876543210";

    @Rule
    public final TestBed bed = new TestBed();

    private final AtomicBoolean beating = new AtomicBoolean(true);
    private Thread heart;

    @After
    public void stopHeart() throws InterruptedException {
        beating.set(false);
        if (heart != null) {
            heart.join(5000);
        }
    }

    private static String hello(String session) {
        return "\"session\":\"" + session + "\"";
    }

    private static String thermometer(String key) {
        return "\"name\":\"lab.thermometer\",\"kind\":\"pubsub\",\"endpoint\":\"tcp://10.0.0.5:40100\",\"serverKey\":\"" + key + "\"";
    }

    private static void assertKeyInUse(JsonNode reply) {
        assertEquals(reply.toString(), ErrorCode.KEY_IN_USE.name(), reply.path("code").asText());
    }

    @Test
    public void secondProcessWithALiveKeyIsRefusedAndChangesNothing() throws Exception {
        bed.startBroker();
        CurveSecurityHandle shared = bed.newClientSecurity();
        TestBed.Raw first = bed.raw(shared);
        assertEquals("ok", first.request("hello", hello(S1)).path("status").asText());
        assertEquals("ok", first.request("register", thermometer(shared.publicKey())).path("status").asText());
        AtomicLong beats = new AtomicLong();
        heart = new Thread(() -> {
            while (beating.get()) {
                try {
                    if (first.request("heartbeat", "").path("status").asText().equals("ok")) {
                        beats.incrementAndGet();
                    }
                    Thread.sleep(TestBed.HEARTBEAT.toMillis() / 2); // the client's heartbeat pace
                } catch (IOException | InterruptedException e) {
                    return;
                }
            }
        }, "first-process-heartbeat");
        heart.start();

        TestBed.Raw second = bed.raw(shared);
        assertKeyInUse(second.request("hello", hello(S2)));
        assertKeyInUse(second.request("register", thermometer(shared.publicKey()).replace("40100", "40999")));
        assertKeyInUse(second.request("unregister", "\"name\":\"lab.thermometer\""));
        assertKeyInUse(second.request("heartbeat", ""));
        assertKeyInUse(second.request("hello", hello(S2)));
        TestBed.Raw third = bed.raw(shared); // another connection that never says hello
        assertKeyInUse(third.request("unregister", "\"name\":\"lab.thermometer\""));
        assertKeyInUse(third.request("hello", ""));
        assertKeyInUse(third.request("unregister", "\"name\":\"lab.thermometer\""));

        // Well past the liveness window: the first is alive and still owns its channel, unchanged.
        long seen = beats.get();
        await("the first keeps heartbeating", Duration.ofSeconds(10), () -> beats.get() >= seen + 2 * TestBed.MISSED_BEATS);
        assertEquals(ChannelState.ACTIVE, bed.broker().channels().get(0).state());
        assertEquals("tcp://10.0.0.5:40100", bed.broker().channels().get(0).endpoint());
        assertTrue(bed.broker().clients().get(0).alive());

        // The same session on a new connection is the same process (it reconnected): accepted.
        TestBed.Raw again = bed.raw(shared);
        assertEquals("ok", again.request("hello", hello(S1)).path("status").asText());
        assertEquals("ok", again.request("heartbeat", "").path("status").asText());

        // The first process stops: once it is lost, the second is accepted and gets the name back.
        beating.set(false);
        heart.join(5000);
        await("the first is lost", Duration.ofSeconds(10), () -> bed.broker().channels().get(0).state()
                == ChannelState.PRODUCER_LOST);
        assertEquals("ok", second.request("hello", hello(S2)).path("status").asText());
        JsonNode back = second.request("register", thermometer(shared.publicKey()).replace("40100", "40999"));
        assertEquals(back.toString(), "ok", back.path("status").asText());
        assertKeyInUse(first.request("heartbeat", ""));
    }

    @Test
    public void helloWithoutSessionBehavesAsBefore() throws IOException {
        bed.startBroker();
        CurveSecurityHandle shared = bed.newClientSecurity();
        TestBed.Raw one = bed.raw(shared);
        TestBed.Raw two = bed.raw(shared);
        assertEquals("ok", one.request("hello", "").path("status").asText());
        assertEquals("ok", two.request("hello", "").path("status").asText());
        assertEquals("ok", two.request("register", thermometer(shared.publicKey())).path("status").asText());
        assertEquals("ok", one.request("heartbeat", "").path("status").asText());
        JsonNode bad = one.request("hello", "\"session\":\"NOT-HEX\"");
        assertEquals(ErrorCode.INVALID_ARGUMENT.name(), bad.path("code").asText());
        assertEquals("field.session", bad.path("rule").asText());
    }
}
