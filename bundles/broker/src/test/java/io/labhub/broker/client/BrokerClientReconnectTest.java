package io.labhub.broker.client;

import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelName;
import io.labhub.api.ChannelState;
import io.labhub.broker.BrokerClientInfo;
import io.labhub.broker.BrokerConfig;
import io.labhub.broker.TestBed;
import io.labhub.security.CurveSecurityHandle;
import org.junit.Rule;
import org.junit.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static io.labhub.broker.TestBed.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

/**
 * Issue 12, finding 7 (client part): the broker accepts messages only on connections that said hello
 * with the live session, and a DEALER that reconnects is a new connection. Against the real broker,
 * through a TCP proxy that drops the client's connection (ZeroMQ reconnects by itself, the broker still
 * knows the client): the client says hello again with the same session before anything else, is never
 * told KEY_IN_USE for it, and its registrations keep working: old ones stay active, new ones go through,
 * a discover issued right after the drop is answered.
 */
public class BrokerClientReconnectTest {

    @Rule
    public final TestBed bed = new TestBed();

    private static ChannelInfo pubsub(String name, int port) {
        return new ChannelInfo(new ChannelName(name), ChannelKind.PUBSUB, null, "tcp://127.0.0.1:" + port,
                "S".repeat(40), Map.of(), 0, ChannelState.ACTIVE);
    }

    private boolean activeAtBroker(String name, String producer) {
        return bed.broker().channels().stream().anyMatch(c -> c.name().value().equals(name)
                && c.state() == ChannelState.ACTIVE && producer.equals(c.producer()));
    }

    @Test
    public void aDroppedConnectionIsFollowedByHelloWithTheSameSessionAndRegistrationsKeepWorking() throws Exception {
        // The broker's liveness window (500 ms x 6) outlasts a reconnection: it still knows the client.
        bed.startBroker(new BrokerConfig("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", Duration.ofMillis(500), 6,
                TestBed.MAX_MESSAGE_SIZE));
        int brokerPort = Integer.parseInt(bed.broker().endpoint().substring(bed.broker().endpoint().lastIndexOf(':') + 1));
        TcpProxy proxy = bed.closeLater(new TcpProxy(brokerPort));
        CurveSecurityHandle security = bed.newClientSecurity();
        BrokerClient client = bed.closeLater(BrokerClient.start(new BrokerClientConfig(proxy.endpoint(),
                bed.brokerSecurity().publicKey(), TestBed.HEARTBEAT, Duration.ofSeconds(1)), security));
        BrokerSession loop = client.session();
        await("connected through the proxy", Duration.ofSeconds(10), () -> client.status().connected());
        client.register(pubsub("lab.before", 41000));
        assertTrue(activeAtBroker("lab.before", security.publicKey()));

        // Watch the client's status all along: it must never say KEY_IN_USE.
        AtomicBoolean watching = new AtomicBoolean(true);
        AtomicReference<String> keyInUseSeen = new AtomicReference<>();
        Thread watcher = new Thread(() -> {
            while (watching.get()) {
                String m = client.status().message();
                if (m.contains("KEY_IN_USE")) {
                    keyInUseSeen.compareAndSet(null, m);
                }
                Thread.onSpinWait();
            }
        }, "status-watcher");
        watcher.start();
        try {
            for (int round = 1; round <= 3; round++) {
                long hellos = loop.hellosSent();
                int connections = proxy.accepted();
                proxy.dropAll();
                await("round " + round + ": the DEALER reconnected", Duration.ofSeconds(10),
                        () -> proxy.accepted() > connections);
                // Asked at once after the drop: answered (sent after the new hello), not refused.
                ChannelInfo found = client.discover(new ChannelName("lab.before"), Duration.ofSeconds(5));
                assertEquals(security.publicKey(), found.producer());
                assertTrue("round " + round + ": hello said again after the reconnection", loop.hellosSent() > hellos);
                String name = "lab.after" + round;
                client.register(pubsub(name, 41000 + round));
                await("round " + round + ": " + name + " registered after the reconnection", Duration.ofSeconds(10),
                        () -> activeAtBroker(name, security.publicKey()));
                assertTrue("round " + round + ": the earlier channel is still active",
                        activeAtBroker("lab.before", security.publicKey()));
                await("round " + round + ": session open again", Duration.ofSeconds(10), () -> client.status().connected());
            }
        } finally {
            watching.set(false);
            watcher.join(5000);
        }
        assertNull("the client was never told KEY_IN_USE for its own reconnection", keyInUseSeen.get());
        assertEquals("no KEY_IN_USE taken as another process", 0, loop.keyInUseRefusals());
        assertTrue("the session was re-opened after each drop: " + loop.sessionsReopened(), loop.sessionsReopened() >= 3);
        BrokerClientInfo info = bed.broker().clients().stream()
                .filter(c -> c.clientKey().equals(security.publicKey())).findFirst().orElseThrow();
        assertTrue("the broker never declared the client lost", info.alive());
        assertEquals(4, info.channels());
    }
}
