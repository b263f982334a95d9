package io.labhub.core.internal;

import io.labhub.api.ChannelCounters;
import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelName;
import io.labhub.api.ConsumerOptions;
import io.labhub.api.Hub;
import io.labhub.api.Publisher;
import io.labhub.api.RequestClient;
import io.labhub.api.RequestHandler;
import io.labhub.api.RequestServer;
import io.labhub.api.ShmConsumer;
import io.labhub.api.ShmOptions;
import io.labhub.api.ShmProducer;
import io.labhub.api.Subscriber;
import io.labhub.api.ZmqOptions;
import io.labhub.api.spi.ChannelContext;
import io.labhub.api.spi.PubSubTransport;
import io.labhub.api.spi.ReqRepTransport;
import io.labhub.api.spi.ShmTransport;
import io.labhub.broker.BrokerConfig;
import io.labhub.broker.BrokerServer;
import io.labhub.broker.client.BrokerClient;
import io.labhub.broker.client.BrokerClientConfig;
import io.labhub.security.CurveSecurityFactory;
import io.labhub.security.CurveSecurityHandle;
import io.labhub.testkit.Await;
import io.labhub.transport.shm.internal.RingSettings;
import io.labhub.transport.shm.internal.ShmTransportImpl;
import io.labhub.transport.shm.internal.platform.SegmentAccess;
import io.labhub.transport.shm.internal.platform.ShmPlatforms;
import io.labhub.transport.zmq.internal.ZmqPubSubTransport;
import io.labhub.transport.zmq.internal.ZmqReqRepTransport;
import io.labhub.transport.zmq.internal.ZmqSettings;
import io.labhub.validation.Validators;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Real LabHub runtimes in one JVM for the shell's tests: one broker, and per runtime its own key pair,
 * broker client, {@link HubEngine} and real shm and zmq transports (all runtimes share one shm directory,
 * as processes on one host share /dev/shm). Only the wiring that OSGi does in a runtime is done here by
 * hand; this class lives in the core's package because the engine's constructor is not public.
 * Each runtime's transports count the consumers opened through them, so a test can prove that a command
 * joined nothing.
 */
public final class ShellTestRuntimes implements AutoCloseable {

    static final Duration HEARTBEAT = Duration.ofMillis(100);
    public static final Duration WAIT = Duration.ofSeconds(15);

    private final Path root;
    private final CurveSecurityHandle brokerSecurity;
    public final BrokerServer broker;
    private final Path shmDir;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    public ShellTestRuntimes(Path root) throws Exception {
        this.root = root;
        brokerSecurity = later(CurveSecurityFactory.start(Files.createDirectories(root.resolve("broker")), null));
        broker = later(BrokerServer.start(new BrokerConfig("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", HEARTBEAT, 3, 65536),
                brokerSecurity, Validators.defaults()));
        shmDir = Files.createDirectories(root.resolve("shm"));
    }

    /** One runtime: its Hub as bundle {@code owner} sees it, and counts of what its transports opened. */
    public final class Runtime {
        public final Hub hub;
        public final AtomicInteger consumersOpened = new AtomicInteger();
        private final HubEngine engine;

        Runtime(String name) throws Exception {
            CurveSecurityHandle security = later(CurveSecurityFactory.start(Files.createDirectories(root.resolve(name)),
                    root.resolve("allowed_keys")));
            security.allow(brokerSecurity.publicKey());
            brokerSecurity.allow(security.publicKey());
            BrokerClient client = BrokerClient.start(new BrokerClientConfig(broker.endpoint(), brokerSecurity.publicKey(),
                    HEARTBEAT, Duration.ofSeconds(2)), security);
            engine = new HubEngine(Validators.defaults(), new BrokerDirectory(client, security.publicKey(), Duration.ofSeconds(2)));
            closeables.add(engine::shutdown);
            ShmTransportImpl shm = new ShmTransportImpl(ShmPlatforms.load(shmDir), RingSettings.DEFAULTS, SegmentAccess.OWNER_ONLY);
            closeables.add(shm::deactivate);
            ZmqSettings zmq = new ZmqSettings(0, 0, "127.0.0.1", "", 0);
            ZmqPubSubTransport pubsub = new ZmqPubSubTransport(security, zmq);
            ZmqReqRepTransport reqrep = new ZmqReqRepTransport(security, zmq);
            closeables.add(pubsub::close);
            closeables.add(reqrep::close);
            engine.addTransport(new CountingShm(shm, consumersOpened));
            engine.addTransport(new CountingPubSub(pubsub, consumersOpened));
            engine.addTransport(new CountingReqRep(reqrep, consumersOpened));
            hub = new BundleHub(engine, name);
            Await.until(name + " connected to the broker", WAIT, () -> hub.status().brokerConnected());
        }
    }

    /** Starts a runtime named {@code name} (its key folder and its bundle's name). */
    public Runtime runtime(String name) throws Exception {
        return new Runtime(name);
    }

    /** The channel as the broker has it (its consumers are the attach count), or empty. */
    public Optional<ChannelInfo> atBroker(String name) {
        ChannelName n = new ChannelName(name);
        return broker.channels().stream().filter(c -> c.name().equals(n)).findFirst();
    }

    private <T extends AutoCloseable> T later(T c) {
        closeables.add(c);
        return c;
    }

    @Override
    public void close() {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                // best effort in teardown
            }
        }
    }

    private record CountingShm(ShmTransport delegate, AtomicInteger opened) implements ShmTransport {
        @Override
        public ShmProducer createProducer(ChannelContext context, ShmOptions options) {
            return delegate.createProducer(context, options);
        }

        @Override
        public ShmConsumer openConsumer(ChannelContext context, ConsumerOptions options) {
            opened.incrementAndGet();
            return delegate.openConsumer(context, options);
        }

        @Override
        public Optional<ChannelCounters> observe(ChannelName name) {
            return delegate.observe(name);
        }
    }

    private record CountingPubSub(PubSubTransport delegate, AtomicInteger opened) implements PubSubTransport {
        @Override
        public Publisher createPublisher(ChannelContext context, ZmqOptions options) {
            return delegate.createPublisher(context, options);
        }

        @Override
        public Subscriber openSubscriber(ChannelContext context, ConsumerOptions options) {
            opened.incrementAndGet();
            return delegate.openSubscriber(context, options);
        }
    }

    private record CountingReqRep(ReqRepTransport delegate, AtomicInteger opened) implements ReqRepTransport {
        @Override
        public RequestServer createServer(ChannelContext context, RequestHandler handler, ZmqOptions options) {
            return delegate.createServer(context, handler, options);
        }

        @Override
        public RequestClient openClient(ChannelContext context, ConsumerOptions options) {
            opened.incrementAndGet();
            return delegate.openClient(context, options);
        }
    }
}
