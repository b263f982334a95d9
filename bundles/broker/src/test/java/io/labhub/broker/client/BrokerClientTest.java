package io.labhub.broker.client;

import io.labhub.api.ChannelExistsException;
import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelName;
import io.labhub.api.ChannelNotFoundException;
import io.labhub.api.ChannelState;
import io.labhub.api.ErrorCode;
import io.labhub.api.LabHubException;
import io.labhub.api.spi.ChannelEvent;
import io.labhub.broker.BrokerServer;
import io.labhub.broker.TestBed;
import io.labhub.security.CurveSecurityHandle;
import io.labhub.testkit.Await;
import org.junit.Rule;
import org.junit.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.labhub.broker.TestBed.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/** The client library against a real broker, real sockets, real CURVE. */
public class BrokerClientTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration ASK = Duration.ofSeconds(3);

    @Rule
    public final TestBed bed = new TestBed();

    private BrokerClient client() throws IOException {
        CurveSecurityHandle security = bed.newClientSecurity();
        return bed.closeLater(BrokerClient.start(new BrokerClientConfig(bed.endpoint(),
                bed.brokerSecurity().publicKey(), TestBed.HEARTBEAT, Duration.ofSeconds(1)), security));
    }

    private static ChannelInfo pubsub(String name, String endpoint) {
        return new ChannelInfo(new ChannelName(name), ChannelKind.PUBSUB, null, endpoint, "S".repeat(40),
                Map.of("unit", "degC"), 0, ChannelState.ACTIVE);
    }

    private static ChannelInfo shm(String name) {
        return new ChannelInfo(new ChannelName(name), ChannelKind.SHM, null,
                String.format("labhub-%032x", name.hashCode() & 0xffffffffL), null, TestBed.SHM_SIZES, 0,
                ChannelState.ACTIVE);
    }

    private Optional<ChannelInfo> atBroker(String name) {
        return bed.broker().channels().stream().filter(c -> c.name().value().equals(name)).findFirst();
    }

    @Test
    public void registerDiscoverListUnregisterRoundTrip() throws IOException {
        bed.startBroker();
        BrokerClient producer = client();
        BrokerClient consumer = client();
        await("producer connected", WAIT, () -> producer.status().connected());

        producer.register(pubsub("lab.temp", "tcp://127.0.0.1:40001"));
        ChannelInfo found = consumer.discover(new ChannelName("lab.temp"), ASK);
        assertEquals("tcp://127.0.0.1:40001", found.endpoint());
        assertEquals(ChannelKind.PUBSUB, found.kind());
        assertEquals(producer.status().clientKey(), found.producer());
        assertEquals("S".repeat(40), found.serverKey());
        assertEquals(Map.of("unit", "degC"), found.metadata());
        assertEquals(ChannelState.ACTIVE, found.state());

        List<ChannelInfo> list = consumer.list(ASK);
        assertEquals(1, list.size());
        assertEquals(found, list.get(0));

        producer.unregister(new ChannelName("lab.temp"));
        await("channel gone", WAIT, () -> bed.broker().channels().isEmpty());
        assertThrows(ChannelNotFoundException.class, () -> consumer.discover(new ChannelName("lab.temp"), ASK));
    }

    @Test
    public void anotherClientGetsChannelExistsTheSameClientIsIdempotent() throws IOException {
        bed.startBroker();
        BrokerClient first = client();
        BrokerClient second = client();
        await("both connected", WAIT, () -> first.status().connected() && second.status().connected());

        first.register(pubsub("lab.motor", "tcp://127.0.0.1:40002"));
        ChannelExistsException e = assertThrows(ChannelExistsException.class,
                () -> second.register(pubsub("lab.motor", "tcp://127.0.0.1:49999")));
        assertEquals(ErrorCode.CHANNEL_EXISTS, e.code());

        first.register(pubsub("lab.motor", "tcp://127.0.0.1:40002"));
        first.register(pubsub("lab.motor", "tcp://127.0.0.1:40003"));
        ChannelInfo found = second.discover(new ChannelName("lab.motor"), ASK);
        assertEquals("tcp://127.0.0.1:40003", found.endpoint());
        assertEquals(first.status().clientKey(), found.producer());
        assertEquals(1, bed.broker().channels().size());
    }

    @Test
    public void eventsForRegisteredClosedAndProducerLost() throws Exception {
        bed.startBroker();
        BrokerClient watcher = client();
        BrokerClient producer = client();
        LinkedBlockingQueue<ChannelEvent> events = new LinkedBlockingQueue<>();
        watcher.subscribe(events::add);
        awaitSubscribed(producer, events);

        producer.register(pubsub("lab.x", "tcp://127.0.0.1:40010"));
        ChannelEvent registered = next(events, "lab.x");
        assertEquals(ChannelEvent.Type.REGISTERED, registered.type());
        assertEquals("tcp://127.0.0.1:40010", registered.info().endpoint());

        producer.unregister(new ChannelName("lab.x"));
        ChannelEvent closed = next(events, "lab.x");
        assertEquals(ChannelEvent.Type.CLOSED, closed.type());
        assertEquals(ChannelState.CLOSED, closed.info().state());

        BrokerClient doomed = client();
        doomed.register(pubsub("lab.y", "tcp://127.0.0.1:40011"));
        assertEquals(ChannelEvent.Type.REGISTERED, next(events, "lab.y").type());
        doomed.close(); // stops heartbeating without unregistering
        ChannelEvent lost = next(events, "lab.y");
        assertEquals(ChannelEvent.Type.PRODUCER_LOST, lost.type());
        assertEquals(ChannelState.PRODUCER_LOST, lost.info().state());
        assertThrows(ChannelNotFoundException.class, () -> watcher.discover(new ChannelName("lab.y"), ASK));
    }

    /** Events are best effort until the SUB socket is connected: register probes until one is seen. */
    private static void awaitSubscribed(BrokerClient producer, LinkedBlockingQueue<ChannelEvent> events)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        for (int i = 0; System.nanoTime() < deadline; i++) {
            ChannelName probe = new ChannelName("probe.p" + i);
            producer.register(pubsub(probe.value(), "tcp://127.0.0.1:1"));
            ChannelEvent event = events.poll(200, TimeUnit.MILLISECONDS);
            producer.unregister(probe);
            if (event != null) {
                drainProbes(events);
                return;
            }
        }
        fail("never received an event");
    }

    private static void drainProbes(LinkedBlockingQueue<ChannelEvent> events) throws InterruptedException {
        while (true) {
            ChannelEvent e = events.poll(300, TimeUnit.MILLISECONDS);
            if (e == null) {
                return;
            }
        }
    }

    private static ChannelEvent next(LinkedBlockingQueue<ChannelEvent> events, String name) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            ChannelEvent e = events.poll(100, TimeUnit.MILLISECONDS);
            if (e != null && e.info().name().value().equals(name)) {
                return e;
            }
        }
        fail("no event for " + name);
        return null;
    }

    @Test
    public void attachIsCountedPerClientAndOutlivesTheProducer() throws IOException {
        bed.startBroker();
        BrokerClient producer = client();
        BrokerClient one = client();
        BrokerClient two = client();
        await("connected", WAIT, () -> producer.status().connected() && one.status().connected()
                && two.status().connected());
        ChannelName name = new ChannelName("cam.frames");
        producer.register(shm("cam.frames"));

        one.attach(name);
        one.attach(name); // a second local consumer in the same process
        two.attach(name);
        await("two consumers", WAIT, () -> atBroker("cam.frames").map(ChannelInfo::consumers).orElse(0) == 2);

        one.detach(name); // one local consumer left in 'one'
        producer.unregister(name);
        await("closed, still listed", WAIT, () -> atBroker("cam.frames").map(ChannelInfo::state)
                .orElse(null) == ChannelState.CLOSED);
        assertEquals(2, (int) atBroker("cam.frames").get().consumers());

        one.detach(name);
        await("one consumer", WAIT, () -> atBroker("cam.frames").map(ChannelInfo::consumers).orElse(0) == 1);
        two.close(); // abruptly: its attachment is dropped when it is declared lost
        await("segment released", WAIT, () -> atBroker("cam.frames").isEmpty());
    }

    @Test
    public void attachToAnUnknownChannelIsRefused() throws IOException {
        bed.startBroker();
        BrokerClient consumer = client();
        await("connected", WAIT, () -> consumer.status().connected());
        assertThrows(ChannelNotFoundException.class, () -> consumer.attach(new ChannelName("no.such")));
    }

    @Test
    public void lostChannelIsTakenOverByANewProducer() throws IOException {
        bed.startBroker(bed.config().withReservationGrace(Duration.ZERO)); // another key may take it at once
        BrokerClient first = client();
        first.register(pubsub("lab.pump", "tcp://127.0.0.1:40020"));
        await("registered", WAIT, () -> atBroker("lab.pump").isPresent());
        first.close();
        await("producer lost", WAIT, () -> atBroker("lab.pump").map(ChannelInfo::state).orElse(null)
                == ChannelState.PRODUCER_LOST);

        BrokerClient second = client();
        await("connected", WAIT, () -> second.status().connected());
        second.register(pubsub("lab.pump", "tcp://127.0.0.1:40021"));
        ChannelInfo info = second.discover(new ChannelName("lab.pump"), ASK);
        assertEquals(second.status().clientKey(), info.producer());
        assertEquals("tcp://127.0.0.1:40021", info.endpoint());
    }

    @Test
    public void brokerRestartLosesNothing() throws Exception {
        BrokerServer first = bed.startBroker();
        BrokerClient producer = client();
        BrokerClient consumer = client();
        AtomicInteger registeredEvents = new AtomicInteger();
        consumer.subscribe(e -> {
            if (e.type() == ChannelEvent.Type.REGISTERED && e.info().name().value().equals("lab.after")) {
                registeredEvents.incrementAndGet();
            }
        });
        producer.register(pubsub("lab.a", "tcp://127.0.0.1:40030"));
        producer.register(shm("lab.b"));
        await("both registered", WAIT, () -> first.channels().size() == 2);
        consumer.attach(new ChannelName("lab.b"));
        await("attached", WAIT, () -> atBroker("lab.b").map(ChannelInfo::consumers).orElse(0) == 1);

        bed.stopBroker();
        await("client notices", WAIT, () -> !producer.status().connected());
        BrokerServer second = bed.startBroker();
        assertTrue(second != first);

        await("re-registered", WAIT, () -> second.channels().size() == 2
                && atBroker("lab.b").map(ChannelInfo::consumers).orElse(0) == 1);
        ChannelInfo a = consumer.discover(new ChannelName("lab.a"), ASK);
        assertEquals("tcp://127.0.0.1:40030", a.endpoint());
        assertEquals(producer.status().clientKey(), a.producer());
        assertTrue(producer.status().connected());

        // the consumer re-subscribed to the new broker's events
        long deadline = System.nanoTime() + WAIT.toNanos();
        for (int i = 0; registeredEvents.get() == 0 && System.nanoTime() < deadline; i++) {
            producer.register(pubsub("lab.after", "tcp://127.0.0.1:" + (41000 + i)));
            await("registered " + i, WAIT, () -> atBroker("lab.after").isPresent());
            // the event of this probe, or (the SUB not connected yet when it was published) the next probe
            Await.within("the event of probe " + i, Duration.ofMillis(500), () -> registeredEvents.get() > 0);
        }
        assertTrue("events arrive from the new broker", registeredEvents.get() > 0);
    }

    @Test
    public void brokerUnreachableAtStartThenAppears() throws IOException {
        bed.reserveEndpoints();
        BrokerClient producer = client();
        BrokerClientStatus before = producer.status();
        assertFalse(before.connected());
        assertNotNull(before.message());
        assertEquals(bed.endpoint(), before.brokerEndpoint());

        producer.register(pubsub("lab.late", "tcp://127.0.0.1:40040")); // returns at once: not connected
        await("status says unreachable", WAIT, () -> producer.status().message().contains("unreachable")
                || producer.status().message().contains("does not answer"));
        LabHubException e = assertThrows(LabHubException.class,
                () -> producer.discover(new ChannelName("lab.late"), Duration.ofMillis(300)));
        assertEquals(ErrorCode.BROKER_UNAVAILABLE, e.code());

        bed.startBroker();
        await("registered once the broker appears", WAIT, () -> atBroker("lab.late").isPresent());
        await("connected", WAIT, () -> producer.status().connected());
        assertNotNull(producer.status().lastContact());
        assertEquals(producer.status().clientKey(), atBroker("lab.late").get().producer());
    }

    @Test
    public void badBrokerKeyIsRefusedBeforeAnySocket() throws IOException {
        CurveSecurityHandle security = bed.newClientSecurity();
        LabHubException e = assertThrows(LabHubException.class, () -> BrokerClient.start(
                BrokerClientConfig.of("tcp://127.0.0.1:1", "not-a-key"), security));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    }

    @Test
    public void connectableEventsEndpointUsesTheBrokerHost() {
        assertEquals("tcp://10.0.0.5:5571", EventFeed.connectable("tcp://0.0.0.0:5571", "tcp://10.0.0.5:5570"));
        assertEquals("tcp://lab-host:5571", EventFeed.connectable("tcp://[::]:5571", "tcp://lab-host:5570"));
        assertEquals("tcp://127.0.0.1:5571", EventFeed.connectable("tcp://127.0.0.1:5571", "tcp://lab-host:5570"));
    }
}
