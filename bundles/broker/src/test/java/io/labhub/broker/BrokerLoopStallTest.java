package io.labhub.broker;

import com.fasterxml.jackson.databind.JsonNode;
import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelState;
import io.labhub.api.ErrorCode;
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
 * Issue 12, finding 4 (b) and (a): the broker loop itself is slow for a while (in the issue a 186 MB
 * {@code list} reply; here a real stall of the loop thread through a test hook, many times the
 * liveness window). A client that kept heartbeating must not be declared lost for it, while a client
 * that really went silent still is; and a key that floods the loop gets QUOTA_EXCEEDED beyond its
 * in-flight quota while another key is answered.
 */
public class BrokerLoopStallTest {

    private static final Duration STALL = Duration.ofMillis(2000);
    private static final int IN_FLIGHT = 64;

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

    private static String sensor(String name, String key) {
        return "\"name\":\"" + name + "\",\"kind\":\"pubsub\",\"endpoint\":\"tcp://10.0.0.5:40100\",\"serverKey\":\"" + key + "\"";
    }

    private ChannelState state(String name) {
        return bed.broker().channels().stream().filter(c -> c.name().value().equals(name)).map(ChannelInfo::state)
                .findFirst().orElse(null);
    }

    @Test
    public void aStalledLoopDoesNotDeclareHeartbeatingClientsLost() throws Exception {
        bed.startBroker();
        TestBed.Raw producer = bed.raw();
        TestBed.Raw silent = bed.raw();
        assertEquals("ok", producer.request("hello", "").path("status").asText());
        assertEquals("ok", producer.request("register", sensor("hb.sensor", producer.key())).path("status").asText());
        AtomicLong unknown = new AtomicLong();
        AtomicLong ok = new AtomicLong();
        heart = new Thread(() -> {
            while (beating.get()) {
                try {
                    JsonNode reply = producer.request("heartbeat", "");
                    if (reply.path("status").asText().equals("ok")) {
                        ok.incrementAndGet();
                    } else {
                        unknown.incrementAndGet();
                    }
                    Thread.sleep(TestBed.HEARTBEAT.toMillis() / 2); // the client's heartbeat pace
                } catch (IOException | InterruptedException e) {
                    return;
                }
            }
        }, "heartbeating-producer");
        heart.start();
        await("heartbeats answered", Duration.ofSeconds(5), () -> ok.get() >= 3);

        bed.broker().stallOnceForTest(STALL);
        await("the loop stalls", Duration.ofSeconds(5), () -> bed.broker().stallingForTest());
        // The silent client registers during the stall (its message waits in the queue) and never speaks again.
        assertEquals("ok", silent.request("hello", "").path("status").asText());
        assertEquals("ok", silent.request("register", sensor("silent.sensor", silent.key())).path("status").asText());
        assertTrue("the loop stalled for real", !bed.broker().stallingForTest());
        long okAfterStall = ok.get();

        await("the silent client is lost", Duration.ofSeconds(10), () -> state("silent.sensor") == ChannelState.PRODUCER_LOST);
        await("heartbeats go on after the stall", Duration.ofSeconds(5), () -> ok.get() >= okAfterStall + 2 * TestBed.MISSED_BEATS);
        assertEquals("the heartbeating producer's channel stayed active", ChannelState.ACTIVE, state("hb.sensor"));
        assertEquals("no heartbeat was answered UNKNOWN_CLIENT (never declared lost)", 0, unknown.get());
    }

    @Test
    public void aFloodBeyondTheInFlightQuotaIsRefusedWhileOthersAreAnswered() throws Exception {
        bed.startBroker(bed.config().withQuotas(BrokerConfig.DEFAULT_MAX_CHANNELS_PER_KEY,
                BrokerConfig.DEFAULT_MAX_METADATA_BYTES_PER_KEY, IN_FLIGHT));
        TestBed.Raw flooder = bed.raw();
        TestBed.Raw good = bed.raw();
        good.request("hello", "");
        bed.broker().stallOnceForTest(Duration.ofMillis(1000));
        await("the loop stalls", Duration.ofSeconds(5), () -> bed.broker().stallingForTest());
        int sent = 300;
        for (int i = 0; i < sent; i++) {
            flooder.send("{\"v\":1,\"id\":\"f" + i + "\",\"type\":\"list\",\"limit\":1}");
        }
        JsonNode answered = good.request("discover", "\"name\":\"no.such\"");
        assertEquals(answered.toString(), ErrorCode.CHANNEL_NOT_FOUND.name(), answered.path("code").asText());
        int served = 0;
        int refused = 0;
        for (int i = 0; i < sent; i++) {
            JsonNode reply = flooder.receive();
            if (reply.path("status").asText().equals("ok")) {
                served++;
            } else {
                assertEquals(reply.toString(), ErrorCode.QUOTA_EXCEEDED.name(), reply.path("code").asText());
                assertEquals("maxInFlightPerKey", reply.path("quota").asText());
                assertEquals(IN_FLIGHT, reply.path("limit").asInt());
                assertTrue("the id is echoed: " + reply, reply.path("id").asText().startsWith("f"));
                refused++;
            }
        }
        System.out.println("in-flight flood: " + sent + " sent during a stall, " + served + " served, " + refused
                + " refused QUOTA_EXCEEDED; the other key answered");
        assertTrue("some of the burst was refused: served " + served, refused > 0);
        assertTrue("the quota's worth was served: " + served, served >= IN_FLIGHT);
    }
}
