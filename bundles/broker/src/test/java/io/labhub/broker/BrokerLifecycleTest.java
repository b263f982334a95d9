package io.labhub.broker;

import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelName;
import io.labhub.api.ChannelState;
import io.labhub.api.ErrorCode;
import io.labhub.api.InvalidInputException;
import io.labhub.api.LabHubException;
import io.labhub.api.spi.ChannelEvent;
import io.labhub.broker.client.BrokerClient;
import io.labhub.broker.client.BrokerClientConfig;
import io.labhub.validation.Validators;
import org.junit.Rule;
import org.junit.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.labhub.broker.TestBed.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/** Start, bind, close: endpoints resolve to real ports, and nothing is left running. */
public class BrokerLifecycleTest {

    @Rule
    public final TestBed bed = new TestBed();

    private static boolean threadAlive(String name) {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.isAlive() && t.getName().startsWith(name));
    }

    @Test
    public void closeLeavesNoThread() throws Exception {
        BrokerServer broker = bed.startBroker();
        assertTrue(broker.status().running());
        BrokerClient client = BrokerClient.start(BrokerClientConfig.of(broker.endpoint(),
                broker.publicKey()), bed.newClientSecurity());
        client.subscribe(e -> { });
        await("connected", Duration.ofSeconds(10), () -> client.status().connected());
        assertTrue(threadAlive("labhub-broker-client"));

        client.close();
        assertFalse(threadAlive("labhub-broker-client"));
        assertEquals("closed", client.status().message());
        bed.stopBroker();
        assertFalse(threadAlive("labhub-broker"));
        assertFalse(broker.status().running());
    }

    @Test
    public void ephemeralPortsResolveToRealOnes() {
        BrokerServer broker = bed.startBroker();
        assertTrue(broker.endpoint(), broker.endpoint().matches("tcp://127\\.0\\.0\\.1:\\d+"));
        assertTrue(broker.eventsEndpoint(), broker.eventsEndpoint().matches("tcp://127\\.0\\.0\\.1:\\d+"));
        assertEquals(bed.brokerSecurity().publicKey(), broker.publicKey());
    }

    @Test
    public void endpointInUseFailsStartAndLeavesNoThread() {
        BrokerServer first = bed.startBroker();
        LabHubException e = assertThrows(LabHubException.class, () -> BrokerServer.start(
                new BrokerConfig(first.endpoint(), "tcp://127.0.0.1:*", TestBed.HEARTBEAT, 3, 4096),
                bed.brokerSecurity(), Validators.defaults()));
        assertTrue(e.getMessage(), e.getMessage().contains(first.endpoint()));
        await("only the first broker's thread", Duration.ofSeconds(5), () -> Thread.getAllStackTraces().keySet()
                .stream().filter(t -> t.isAlive() && t.getName().equals("labhub-broker")).count() == 1);
    }

    @Test
    public void aMalformedEndpointIsRefusedByTheValidatorsRuleBeforeAnyThread() {
        long before = brokerThreads();
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> BrokerServer.start(
                new BrokerConfig("127.0.0.1:5570", "tcp://127.0.0.1:*", TestBed.HEARTBEAT, 3, 4096),
                bed.brokerSecurity(), Validators.defaults()));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertEquals("zmq.endpoint", e.rule());
        assertEquals("no broker thread started", before, brokerThreads());
    }

    private static long brokerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().equals("labhub-broker")).count();
    }

    @Test
    public void wildcardBindIsReachableAndEventsFollowTheBrokerHost() throws Exception {
        BrokerServer broker = BrokerServer.start(new BrokerConfig("tcp://*:0", "tcp://*:0", TestBed.HEARTBEAT,
                TestBed.MISSED_BEATS, 4096), bed.brokerSecurity(), Validators.defaults());
        try {
            String port = broker.endpoint().substring(broker.endpoint().lastIndexOf(':') + 1);
            BrokerClient client = bed.closeLater(BrokerClient.start(BrokerClientConfig.of("tcp://127.0.0.1:" + port,
                    broker.publicKey()), bed.newClientSecurity()));
            LinkedBlockingQueue<ChannelEvent> events = new LinkedBlockingQueue<>();
            client.subscribe(events::add);
            await("connected", Duration.ofSeconds(10), () -> client.status().connected());
            ChannelEvent seen = null;
            for (int i = 0; i < 50 && seen == null; i++) {
                client.register(new ChannelInfo(new ChannelName("wild.c" + i), ChannelKind.SHM, null, TestBed.segment(),
                        null, TestBed.SHM_SIZES, 0, ChannelState.ACTIVE));
                seen = events.poll(200, TimeUnit.MILLISECONDS);
            }
            assertTrue("an event arrived through the wildcard-bound PUB socket", seen != null);
            assertEquals(ChannelEvent.Type.REGISTERED, seen.type());
        } finally {
            broker.close();
        }
    }
}
