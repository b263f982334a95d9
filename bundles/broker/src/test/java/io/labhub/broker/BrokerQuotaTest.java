package io.labhub.broker;

import com.fasterxml.jackson.databind.JsonNode;
import io.labhub.api.ErrorCode;
import org.junit.Rule;
import org.junit.Test;

import java.io.IOException;
import java.time.Duration;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

/**
 * Issue 12, finding 4 (a): one allowed key could register thousands of channels with large metadata.
 * Per-key quotas, with their defaults and configured, each refused with a typed QUOTA_EXCEEDED that
 * names the quota and its limit; another key is not affected.
 */
public class BrokerQuotaTest {

    @Rule
    public final TestBed bed = new TestBed();

    private static String pubsub(String name, String key, String metadata) {
        return "\"name\":\"" + name + "\",\"kind\":\"pubsub\",\"endpoint\":\"tcp://127.0.0.1:40000\",\"serverKey\":\""
                + key + "\",\"metadata\":" + metadata;
    }

    private static void assertQuota(JsonNode reply, String quota, long limit) {
        assertEquals(reply.toString(), "error", reply.path("status").asText());
        assertEquals(reply.toString(), ErrorCode.QUOTA_EXCEEDED.name(), reply.path("code").asText());
        assertEquals(reply.toString(), quota, reply.path("quota").asText());
        assertEquals(reply.toString(), limit, reply.path("limit").asLong());
        assertTrue(reply.toString(), reply.path("message").asText().contains(quota));
    }

    /**
     * The raw clients of these tests send no heartbeats: a liveness window (1 s x 60) longer than any test
     * here, so that only quotas are tested. With the bed's 100 ms x 3, a loaded machine declared the flooding
     * client lost mid-test (its 256 channels then reserved, still counted) and the final register was
     * refused: seen once in a full run.
     */
    private BrokerConfig patient() {
        BrokerConfig c = bed.config();
        return new BrokerConfig(c.endpoint(), c.eventsEndpoint(), Duration.ofSeconds(1), 60, c.maxMessageSize());
    }

    @Test
    public void defaultChannelQuotaIs256PerKey() throws IOException {
        bed.startBroker(patient());
        TestBed.Raw attacker = bed.raw();
        attacker.request("hello", "");
        String key = bed.brokerSecurity().publicKey();
        for (int i = 0; i < BrokerConfig.DEFAULT_MAX_CHANNELS_PER_KEY; i++) {
            JsonNode reply = attacker.request("register", pubsub("flood.c" + i, key, "{}"));
            assertEquals(reply.toString(), "ok", reply.path("status").asText());
        }
        assertQuota(attacker.request("register", pubsub("flood.extra", key, "{}")), "maxChannelsPerKey",
                BrokerConfig.DEFAULT_MAX_CHANNELS_PER_KEY);
        assertEquals("re-registering one it holds is still fine", "ok",
                attacker.request("register", pubsub("flood.c0", key, "{\"v\":\"2\"}")).path("status").asText());
        assertEquals(BrokerConfig.DEFAULT_MAX_CHANNELS_PER_KEY, bed.broker().channels().size());

        TestBed.Raw other = bed.raw();
        other.request("hello", "");
        assertEquals("another key has its own quota", "ok",
                other.request("register", pubsub("lab.thermometer", key, "{}")).path("status").asText());
        attacker.request("unregister", "\"name\":\"flood.c1\"");
        assertEquals("a freed slot can be used again", "ok",
                attacker.request("register", pubsub("flood.extra", key, "{}")).path("status").asText());
    }

    @Test
    public void defaultMetadataQuotaIsOneMebibytePerKey() throws IOException {
        bed.startBroker(patient());
        TestBed.Raw attacker = bed.raw();
        attacker.request("hello", "");
        String key = bed.brokerSecurity().publicKey();
        String value = "x".repeat(3500);
        String metadata = "{\"a\":\"" + value + "\",\"b\":\"" + value + "\"}"; // 7002 bytes as stored
        JsonNode refusal = null;
        int accepted = 0;
        for (int i = 0; i < 200 && refusal == null; i++) {
            JsonNode reply = attacker.request("register", pubsub("meta.c" + i, key, metadata));
            if (reply.path("status").asText().equals("ok")) {
                accepted++;
            } else {
                refusal = reply;
            }
        }
        assertNotNull("refused before 200 x 7 KB = 1.4 MB", refusal);
        assertQuota(refusal, "maxMetadataBytesPerKey", BrokerConfig.DEFAULT_MAX_METADATA_BYTES_PER_KEY);
        assertTrue("accepted " + accepted, (long) accepted * 7002 <= BrokerConfig.DEFAULT_MAX_METADATA_BYTES_PER_KEY);
        assertTrue("accepted " + accepted, (long) (accepted + 1) * 7002 > BrokerConfig.DEFAULT_MAX_METADATA_BYTES_PER_KEY);
        System.out.println("metadata quota: " + accepted + " channels of 7002 bytes accepted, the next refused");
    }

    @Test
    public void configuredQuotasApply() throws IOException {
        bed.startBroker(bed.config().withQuotas(3, 100, BrokerConfig.DEFAULT_MAX_IN_FLIGHT_PER_KEY)
                .withReservationGrace(Duration.ofSeconds(30)));
        TestBed.Raw client = bed.raw();
        client.request("hello", "");
        String key = bed.brokerSecurity().publicKey();
        assertQuota(client.request("register", pubsub("big.meta", key, "{\"k\":\"" + "y".repeat(120) + "\"}")),
                "maxMetadataBytesPerKey", 100);
        for (int i = 0; i < 3; i++) {
            assertEquals("ok", client.request("register", pubsub("few.c" + i, key, "{}")).path("status").asText());
        }
        assertQuota(client.request("register", pubsub("few.c3", key, "{}")), "maxChannelsPerKey", 3);
        assertTrue("a refusal leaves no trace", bed.broker().channels().stream()
                .noneMatch(c -> c.name().value().equals("few.c3") || c.name().value().equals("big.meta")));
    }
}
