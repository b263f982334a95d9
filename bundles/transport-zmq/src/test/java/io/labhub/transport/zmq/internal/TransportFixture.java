package io.labhub.transport.zmq.internal;

import io.labhub.security.CurveSecurityFactory;
import io.labhub.security.CurveSecurityHandle;
import io.labhub.testkit.Await;
import io.labhub.testkit.FakeHub;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.rules.ExternalResource;
import org.junit.rules.TemporaryFolder;

/**
 * Two LabHub "runtimes" in one JVM, as the producer and consumer sides of the tests: each with its own
 * key pair and ZeroMQ context (real CURVE, real ZAP), both reading the same allow-list file. Plus the
 * test kit's FakeHub (the Hub and broker in one object), and the transports of each side.
 */
final class TransportFixture extends ExternalResource {

    static final Duration DEADLINE = Duration.ofSeconds(10);
    static final ZmqSettings SETTINGS = new ZmqSettings(0, 0, "127.0.0.1", "", 0);

    private final TemporaryFolder tmp;
    private final List<AutoCloseable> cleanup = new ArrayList<>();
    CurveSecurityHandle producerSide;
    CurveSecurityHandle consumerSide;
    FakeHub registry;
    ZmqPubSubTransport producerPubSub;
    ZmqPubSubTransport consumerPubSub;
    ZmqReqRepTransport producerReqRep;
    ZmqReqRepTransport consumerReqRep;

    TransportFixture(TemporaryFolder tmp) {
        this.tmp = tmp;
    }

    @Override
    protected void before() throws Throwable {
        Path root = tmp.newFolder().toPath();
        Path allowList = root.resolve("allowed_keys");
        producerSide = CurveSecurityFactory.start(root.resolve("producer"), allowList);
        consumerSide = CurveSecurityFactory.start(root.resolve("consumer"), allowList);
        Await.until("the producer side admits the consumer side's key", DEADLINE,
                () -> producerSide.isAllowed(consumerSide.publicKey()));
        registry = new FakeHub();
        producerPubSub = new ZmqPubSubTransport(producerSide, SETTINGS);
        consumerPubSub = new ZmqPubSubTransport(consumerSide, SETTINGS);
        producerReqRep = new ZmqReqRepTransport(producerSide, SETTINGS);
        consumerReqRep = new ZmqReqRepTransport(consumerSide, SETTINGS);
    }

    /** A third runtime whose key is NOT in the shared allow-list. */
    CurveSecurityHandle stranger() throws Exception {
        Path root = tmp.newFolder().toPath();
        CurveSecurityHandle h = CurveSecurityFactory.start(root.resolve("keys"), root.resolve("own_allow_list"));
        cleanup.add(h);
        return h;
    }

    <T extends AutoCloseable> T closeLater(T c) {
        cleanup.add(c);
        return c;
    }

    @Override
    protected void after() {
        consumerPubSub.close();
        consumerReqRep.close();
        producerPubSub.close();
        producerReqRep.close();
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            try {
                cleanup.get(i).close();
            } catch (Exception e) {
                // best effort in teardown
            }
        }
        registry.close();
        consumerSide.close();
        producerSide.close();
    }
}
