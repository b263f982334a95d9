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
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.labhub.broker.TestBed.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/** Real processes, killed with SIGKILL: a producer, and the broker itself. */
public class BrokerProcessTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Rule
    public final TestBed bed = new TestBed();

    private final List<Process> children = new ArrayList<>();

    @After
    public void killChildren() {
        children.forEach(Process::destroyForcibly);
    }

    private String startChild(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ChildMain.class.getName());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        children.add(process);
        BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                String l;
                while ((l = reader.readLine()) != null) {
                    if (l.startsWith("READY ")) {
                        return l.substring(6);
                    }
                }
                return null;
            } catch (IOException e) {
                return null;
            }
        });
        String ready = line.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        if (ready == null) {
            fail("child " + args[0] + " did not start");
        }
        return ready;
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

        children.get(0).destroyForcibly(); // SIGKILL: no unregister, no goodbye
        children.get(0).waitFor(10, TimeUnit.SECONDS);

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

        children.get(0).destroyForcibly();
        children.get(0).waitFor(10, TimeUnit.SECONDS);
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
