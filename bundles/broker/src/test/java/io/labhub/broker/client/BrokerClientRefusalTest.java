package io.labhub.broker.client;

import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelName;
import io.labhub.api.ChannelState;
import io.labhub.api.ErrorCode;
import io.labhub.api.LabHubException;
import io.labhub.broker.BrokerConfig;
import io.labhub.broker.TestBed;
import org.junit.Rule;
import org.junit.Test;

import java.time.Duration;
import java.util.Map;

import static io.labhub.broker.TestBed.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/**
 * Issue 12, findings 4a and 4c (client part), against the real broker: a {@code register} the broker
 * answers with {@code CHANNEL_RESERVED} or {@code QUOTA_EXCEEDED} reaches the driver as a
 * {@link LabHubException} with that code, and the client does not send it again behind the driver's
 * back (the broker sees no further register while the client keeps heartbeating).
 */
public class BrokerClientRefusalTest {

    @Rule
    public final TestBed bed = new TestBed();

    private BrokerClient client() throws Exception {
        BrokerClient client = bed.closeLater(BrokerClient.start(new BrokerClientConfig(bed.endpoint(),
                bed.brokerSecurity().publicKey(), TestBed.HEARTBEAT, Duration.ofSeconds(2)), bed.newClientSecurity()));
        await("connected", Duration.ofSeconds(10), () -> client.status().connected());
        return client;
    }

    private static ChannelInfo pubsub(String name, int port) {
        return new ChannelInfo(new ChannelName(name), ChannelKind.PUBSUB, null, "tcp://127.0.0.1:" + port,
                "S".repeat(40), Map.of(), 0, ChannelState.ACTIVE);
    }

    /** Waits until the broker answered {@code beats} more requests ok, then checks nothing more was refused. */
    private void assertNoRetry(long refusedAfterThrow, int beats) {
        long okNow = bed.broker().status().requests();
        await(beats + " more requests answered (the client keeps heartbeating)", Duration.ofSeconds(10),
                () -> bed.broker().status().requests() >= okNow + beats);
        assertEquals("no register sent again behind the driver's back", refusedAfterThrow, bed.broker().status().refused());
    }

    @Test
    public void aReservedNameReachesTheDriverAsChannelReservedAndIsNotRetried() throws Exception {
        bed.startBroker(); // names of a lost producer reserved for 30 s (the default)
        BrokerClient first = client();
        first.register(pubsub("lab.thermometer", 40100));
        first.close(); // stops heartbeating: lost after 300 ms, the name reserved for its key
        await("the first producer is lost", Duration.ofSeconds(10), () -> bed.broker().channels().stream()
                .anyMatch(c -> c.name().value().equals("lab.thermometer") && c.state() == ChannelState.PRODUCER_LOST));

        BrokerClient other = client();
        LabHubException e = assertThrows(LabHubException.class, () -> other.register(pubsub("lab.thermometer", 40101)));
        assertEquals(e.getMessage(), ErrorCode.CHANNEL_RESERVED, e.code());
        assertTrue(e.getMessage(), e.getMessage().contains("reserved"));
        long refused = bed.broker().status().refused();
        assertNoRetry(refused, 20);
        assertFalse("the refused offer is not remembered", other.session().ledger.offers.containsKey(new ChannelName("lab.thermometer")));
    }

    @Test
    public void aFullQuotaReachesTheDriverAsQuotaExceededAndIsNotRetried() throws Exception {
        BrokerConfig base = bed.config();
        bed.startBroker(new BrokerConfig(base.endpoint(), base.eventsEndpoint(), base.heartbeatInterval(),
                base.missedBeats(), base.maxMessageSize(), 2, base.maxMetadataBytesPerKey(), base.maxInFlightPerKey(),
                base.reservationGrace()));
        BrokerClient client = client();
        client.register(pubsub("quota.a", 40200));
        client.register(pubsub("quota.b", 40201));
        LabHubException e = assertThrows(LabHubException.class, () -> client.register(pubsub("quota.c", 40202)));
        assertEquals(e.getMessage(), ErrorCode.QUOTA_EXCEEDED, e.code());
        assertTrue(e.getMessage(), e.getMessage().contains("maxChannelsPerKey"));
        long refused = bed.broker().status().refused();
        assertNoRetry(refused, 20);
        assertFalse("the refused offer is not remembered", client.session().ledger.offers.containsKey(new ChannelName("quota.c")));
        assertEquals("the two that fit stay", 2, bed.broker().channels().size());
    }
}
