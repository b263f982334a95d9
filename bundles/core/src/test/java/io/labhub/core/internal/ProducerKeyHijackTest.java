package io.labhub.core.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.labhub.api.ChannelCounters;
import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelName;
import io.labhub.api.ChannelNotFoundException;
import io.labhub.api.ChannelState;
import io.labhub.api.ConsumerOptions;
import io.labhub.api.LabHubException;
import io.labhub.api.Message;
import io.labhub.api.Publisher;
import io.labhub.api.Subscriber;
import io.labhub.api.ZmqOptions;
import io.labhub.api.spi.ChannelContext;
import io.labhub.api.spi.ChannelEvent;
import io.labhub.api.spi.PubSubTransport;
import io.labhub.broker.BrokerConfig;
import io.labhub.broker.BrokerServer;
import io.labhub.broker.client.BrokerClient;
import io.labhub.broker.client.BrokerClientConfig;
import io.labhub.security.CurveSecurityFactory;
import io.labhub.security.CurveSecurityHandle;
import io.labhub.testkit.Await;
import io.labhub.validation.Validators;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Issue 12, finding 4 (c), the whole hijack chain against a real broker over CURVE: the rightful
 * producer of {@code lab.thermometer} is lost; an attacker's key cannot take the name while it is
 * reserved; the rightful producer (same key, new endpoint) gets it back and the subscriber follows it;
 * when the attacker takes the name after the grace, the subscriber does not switch to it (a WARN says
 * why, and discover refuses it) unless {@code followProducerKeyChange} is set.
 */
public class ProducerKeyHijackTest {

    private static final Duration HEARTBEAT = Duration.ofMillis(100);
    private static final Duration GRACE = Duration.ofMillis(2000);
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final ChannelName NAME = new ChannelName("lab.thermometer");

    @Rule
    public final TemporaryFolder folder = new TemporaryFolder();

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private CurveSecurityHandle brokerSecurity;
    private BrokerServer broker;

    @After
    public void closeAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (RuntimeException e) {
                // best effort
            }
        }
    }

    private <T extends AutoCloseable> T later(T c) {
        closeables.add(c);
        return c;
    }

    private CurveSecurityHandle runtime() throws IOException {
        CurveSecurityHandle h = later(CurveSecurityFactory.start(folder.newFolder().toPath(), null));
        h.allow(brokerSecurity.publicKey());
        brokerSecurity.allow(h.publicKey());
        return h;
    }

    private BrokerClient client(CurveSecurityHandle security) {
        return later(BrokerClient.start(new BrokerClientConfig(broker.endpoint(), brokerSecurity.publicKey(), HEARTBEAT,
                Duration.ofSeconds(1)), security));
    }

    private static ChannelInfo offer(String endpoint, CurveSecurityHandle security) {
        return new ChannelInfo(NAME, ChannelKind.PUBSUB, null, endpoint, security.publicKey(), Map.of("unit", "degC"), 0,
                ChannelState.ACTIVE);
    }

    private Optional<ChannelInfo> atBroker() {
        return broker.channels().stream().filter(c -> c.name().equals(NAME)).findFirst();
    }

    /** A consumer that behaves as the zmq one: connects to what it discovers, follows REGISTERED events elsewhere. */
    static final class FollowingTransport implements PubSubTransport {
        final List<String> connectedTo = new CopyOnWriteArrayList<>();
        volatile ChannelContext context;

        @Override
        public Subscriber openSubscriber(ChannelContext ctx, ConsumerOptions options) {
            context = ctx;
            connectedTo.add(ctx.discover(options.waitForChannel()).endpoint());
            ctx.onEvent(e -> {
                String current = connectedTo.get(connectedTo.size() - 1);
                if (e.type() == ChannelEvent.Type.REGISTERED && !e.info().endpoint().equals(current)) {
                    connectedTo.add(e.info().endpoint());
                }
            });
            return new Subscriber() {
                @Override
                public Message receive(Duration timeout) {
                    return null;
                }

                @Override
                public Optional<Message> poll() {
                    return Optional.empty();
                }

                @Override
                public ChannelName name() {
                    return ctx.name();
                }

                @Override
                public ChannelKind kind() {
                    return ChannelKind.PUBSUB;
                }

                @Override
                public ChannelCounters counters() {
                    return new ChannelCounters(0, 0, 0, 0, 0, 0, 0, 0, 0);
                }

                @Override
                public boolean isOpen() {
                    return true;
                }

                @Override
                public void close() {
                    ctx.closed();
                }
            };
        }

        @Override
        public Publisher createPublisher(ChannelContext ctx, ZmqOptions options) {
            throw new UnsupportedOperationException();
        }
    }

    /** Events the consumer runtime's broker client received, to know when the take-over reached it. */
    private final List<ChannelEvent> consumerEvents = new CopyOnWriteArrayList<>();

    private FollowingTransport subscriberIn(CurveSecurityHandle security, boolean followKeyChange) {
        BrokerClient client = client(security);
        HubEngine engine = new HubEngine(Validators.defaults(), new BrokerDirectory(client, security.publicKey(),
                Duration.ofSeconds(1)), followKeyChange);
        FollowingTransport transport = new FollowingTransport();
        engine.addTransport(transport);
        new BundleHub(engine, "consumer").openSubscriber(NAME.value(), ConsumerOptions.DEFAULTS.withWaitForChannel(WAIT));
        // After the Hub's own listener: events reach listeners one at a time, in subscription order.
        client.subscribe(consumerEvents::add);
        return transport;
    }

    private void tryRegister(BrokerClient client, ChannelInfo offer) {
        try {
            client.register(offer);
        } catch (LabHubException refused) {
            // the broker's state below is what counts
        }
    }

    @Test
    public void attackerCannotTakeTheNameAndSubscribersDoNotFollowAnotherKey() throws Exception {
        brokerSecurity = later(CurveSecurityFactory.start(folder.newFolder().toPath(), null));
        broker = later(BrokerServer.start(new BrokerConfig("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", HEARTBEAT, 3, 65536)
                .withReservationGrace(GRACE), brokerSecurity, Validators.defaults()));
        CurveSecurityHandle rightfulKeys = runtime();
        CurveSecurityHandle attackerKeys = runtime();
        CurveSecurityHandle consumerKeys = runtime();

        BrokerClient rightful = client(rightfulKeys);
        rightful.register(offer("tcp://10.0.0.5:41001", rightfulKeys));
        Await.until("registered", WAIT, () -> atBroker().isPresent());
        FollowingTransport subscriber = subscriberIn(consumerKeys, false);
        assertEquals(List.of("tcp://10.0.0.5:41001"), subscriber.connectedTo);

        // 1. The rightful producer's runtime dies; the attacker tries to take the name: reserved.
        rightful.close();
        Await.until("producer lost", WAIT, () -> atBroker().map(ChannelInfo::state).orElse(null) == ChannelState.PRODUCER_LOST);
        BrokerClient attacker = client(attackerKeys);
        Await.until("attacker connected", WAIT, () -> attacker.status().connected());
        tryRegister(attacker, offer("tcp://10.0.0.66:41666", attackerKeys));
        assertEquals("still the rightful key's, reserved", rightfulKeys.publicKey(), atBroker().orElseThrow().producer());
        assertEquals(ChannelState.PRODUCER_LOST, atBroker().orElseThrow().state());

        // 2. The rightful producer restarts (same key, new port): it gets its name back, the subscriber follows.
        BrokerClient restarted = client(rightfulKeys);
        restarted.register(offer("tcp://10.0.0.5:41002", rightfulKeys));
        Await.until("back with its owner", WAIT, () -> atBroker().map(c -> c.state() == ChannelState.ACTIVE
                && c.producer().equals(rightfulKeys.publicKey())).orElse(false));
        Await.until("the subscriber followed the same key", WAIT, () -> subscriber.connectedTo.contains("tcp://10.0.0.5:41002"));

        // 3. It dies again and the attacker waits out the grace: the broker lets it take the name...
        restarted.close();
        Await.until("producer lost again", WAIT, () -> atBroker().map(ChannelInfo::state).orElse(null) == ChannelState.PRODUCER_LOST);
        Await.until("taken after the grace", WAIT, () -> {
            tryRegister(attacker, offer("tcp://10.0.0.66:41666", attackerKeys));
            return atBroker().map(c -> c.producer().equals(attackerKeys.publicKey())).orElse(false);
        });
        // ... but the subscriber does not switch to another key: the take-over event reached its runtime,
        Await.until("the take-over event reached the consumer's runtime", WAIT, () -> consumerEvents.stream().anyMatch(e ->
                e.type() == ChannelEvent.Type.REGISTERED && e.info().producer().equals(attackerKeys.publicKey())));
        // and it stays with the rightful producer's endpoint; discovering again refuses the other key.
        assertEquals("the subscriber never followed the attacker",
                List.of("tcp://10.0.0.5:41001", "tcp://10.0.0.5:41002"), subscriber.connectedTo);
        ChannelNotFoundException refused = assertThrows(ChannelNotFoundException.class,
                () -> subscriber.context.discover(Duration.ZERO));
        assertTrue(refused.getMessage(), refused.getMessage().contains("another key"));
    }

    @Test
    public void withFollowProducerKeyChangeTheSubscriberFollowsAnyKey() throws Exception {
        brokerSecurity = later(CurveSecurityFactory.start(folder.newFolder().toPath(), null));
        broker = later(BrokerServer.start(new BrokerConfig("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", HEARTBEAT, 3, 65536)
                .withReservationGrace(Duration.ZERO), brokerSecurity, Validators.defaults()));
        CurveSecurityHandle firstKeys = runtime();
        CurveSecurityHandle secondKeys = runtime();
        BrokerClient first = client(firstKeys);
        first.register(offer("tcp://10.0.0.5:41001", firstKeys));
        Await.until("registered", WAIT, () -> atBroker().isPresent());
        FollowingTransport subscriber = subscriberIn(runtime(), true);
        first.close();
        Await.until("producer lost", WAIT, () -> atBroker().map(ChannelInfo::state).orElse(null) == ChannelState.PRODUCER_LOST);
        BrokerClient second = client(secondKeys);
        Await.until("second connected", WAIT, () -> second.status().connected());
        second.register(offer("tcp://10.0.0.9:41009", secondKeys));
        Await.until("followed the other key, as configured", WAIT, () -> subscriber.connectedTo.contains("tcp://10.0.0.9:41009"));
        assertEquals(secondKeys.publicKey(), subscriber.context.discover(Duration.ZERO).producer());
    }
}
