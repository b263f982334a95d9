package io.labhub.broker;

import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelName;
import io.labhub.api.ChannelNotFoundException;
import io.labhub.api.ChannelState;
import io.labhub.api.spi.ChannelEvent;
import io.labhub.broker.client.BrokerClient;
import io.labhub.broker.client.BrokerClientConfig;
import io.labhub.security.CurveSecurityFactory;
import io.labhub.security.CurveSecurityHandle;
import io.labhub.testkit.ChildJvm;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;

import static io.labhub.broker.TestBed.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/** Real processes, killed with SIGKILL: a producer, and the broker itself. */
public class BrokerProcessTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Rule
    public final TestBed bed = new TestBed();

    private final List<ChildJvm> children = new ArrayList<>();

    @After
    public void killChildren() {
        children.forEach(ChildJvm::close);
    }

    /** Starts {@link ChildMain} with {@code args}; returns what it printed after {@code READY }. */
    private String startChild(String... args) throws Exception {
        ChildJvm child = ChildJvm.main(ChildMain.class).args(args).inheritStderr()
                .ready("READY ").readyTimeout(WAIT).start();
        children.add(child);
        return child.ready().substring("READY ".length());
    }

    /** Makes a key pair in {@code dir} (as the child will load it) and returns its public key. */
    private static String keysIn(Path dir) {
        try (CurveSecurityHandle handle = CurveSecurityFactory.start(dir, null)) {
            return handle.publicKey();
        }
    }

    @Test
    public void producerKilledWithSigkillIsDeclaredLost() throws Exception {
        bed.startBroker();
        Path childKeys = bed.newFolder();
        String childKey = keysIn(childKeys);
        bed.brokerSecurity().allow(childKey);
        CurveSecurityHandle watcherSecurity = bed.newClientSecurity();
        BrokerClient watcher = bed.closeLater(BrokerClient.start(new BrokerClientConfig(bed.endpoint(),
                bed.brokerSecurity().publicKey(), TestBed.HEARTBEAT, Duration.ofSeconds(1)), watcherSecurity));
        LinkedBlockingQueue<ChannelEvent> events = new LinkedBlockingQueue<>();
        watcher.subscribe(events::add);
        await("watcher connected", WAIT, () -> watcher.status().connected());

        assertEquals(childKey, startChild("producer", childKeys.toString(), bed.endpoint(),
                bed.brokerSecurity().publicKey(), "remote.sensor"));
        ChannelName name = new ChannelName("remote.sensor");
        await("registered by the child", WAIT, () -> bed.broker().channels().stream()
                .anyMatch(c -> c.name().equals(name) && c.state() == ChannelState.ACTIVE));
        assertEquals(childKey, watcher.discover(name, Duration.ofSeconds(3)).producer());

        children.get(0).kill(); // SIGKILL: no unregister, no goodbye; waits until it is gone

        await("declared lost", WAIT, () -> bed.broker().channels().stream()
                .anyMatch(c -> c.name().equals(name) && c.state() == ChannelState.PRODUCER_LOST));
        assertThrows(ChannelNotFoundException.class, () -> watcher.discover(name, Duration.ofSeconds(3)));
        // The event may have been published before the watcher's subscription was up: check only if seen.
        ChannelEvent event;
        while ((event = events.poll()) != null) {
            if (event.info().name().equals(name) && event.type() == ChannelEvent.Type.PRODUCER_LOST) {
                assertEquals(childKey, event.info().producer());
            }
        }
    }

    @Test
    public void brokerKilledAndRestartedGetsEverythingBack() throws Exception {
        Path brokerKeys = bed.newFolder();
        String brokerKey = keysIn(brokerKeys);
        CurveSecurityHandle producerSecurity = bed.newClientSecurity();
        CurveSecurityHandle consumerSecurity = bed.newClientSecurity();
        try (CurveSecurityHandle admin = CurveSecurityFactory.start(brokerKeys, null)) {
            admin.allow(producerSecurity.publicKey());
            admin.allow(consumerSecurity.publicKey());
        }
        String endpoint = bed.reserveEndpoints();
        String events = bed.config().eventsEndpoint();
        startChild("broker", brokerKeys.toString(), endpoint, events);

        BrokerClient producer = bed.closeLater(BrokerClient.start(new BrokerClientConfig(endpoint, brokerKey,
                TestBed.HEARTBEAT, Duration.ofSeconds(1)), producerSecurity));
        BrokerClient consumer = bed.closeLater(BrokerClient.start(new BrokerClientConfig(endpoint, brokerKey,
                TestBed.HEARTBEAT, Duration.ofSeconds(1)), consumerSecurity));
        ChannelName name = new ChannelName("survivor.channel");
        producer.register(new ChannelInfo(name, ChannelKind.REQREP, null, "tcp://127.0.0.1:40777",
                producerSecurity.publicKey(), Map.of("v", "1"), 0, ChannelState.ACTIVE));
        await("discoverable", WAIT, () -> discoverable(consumer, name));

        children.get(0).kill(); // SIGKILL, and waits until it is gone
        await("producer notices", WAIT, () -> !producer.status().connected());

        startChild("broker", brokerKeys.toString(), endpoint, events);
        await("discoverable again", WAIT, () -> discoverable(consumer, name));
        ChannelInfo info = consumer.discover(name, Duration.ofSeconds(3));
        assertEquals("tcp://127.0.0.1:40777", info.endpoint());
        assertEquals(producerSecurity.publicKey(), info.producer());
        assertEquals(Map.of("v", "1"), info.metadata());
        assertTrue(producer.status().connected());
    }

    private static boolean discoverable(BrokerClient client, ChannelName name) {
        try {
            client.discover(name, Duration.ofMillis(500));
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
