package io.labhub.transport.zmq.internal;

import static io.labhub.transport.zmq.internal.TransportFixture.DEADLINE;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelTimeoutException;
import io.labhub.api.ConsumerOptions;
import io.labhub.api.Message;
import io.labhub.api.Publisher;
import io.labhub.api.RequestClient;
import io.labhub.api.Subscriber;
import io.labhub.api.ZmqOptions;
import io.labhub.security.CurveSecurityHandle;
import io.labhub.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.RuleChain;
import org.junit.rules.TemporaryFolder;

/**
 * Issue 12.6 (transport part): a consumer started before its key was allowed gets in after the key is
 * added (ZeroMQ never retries a refused CURVE handshake by itself). Real CURVE, real ZAP with the
 * producer's reloadable allow-list; the consumer's key is added only after it was refused.
 */
public class ReadmissionTest {

    /** Issue 12.6 asks for admission within a few seconds of the allow-list reload. */
    private static final Duration ADMITTED_WITHIN = Duration.ofSeconds(8);

    private final TemporaryFolder tmp = new TemporaryFolder();
    private final TransportFixture f = new TransportFixture(tmp);

    @Rule
    public RuleChain rules = RuleChain.outerRule(tmp).around(f);

    @Test
    public void aRequestClientRefusedAtFirstGetsInAfterItsKeyIsAllowed() throws Exception {
        CurveSecurityHandle late = f.stranger();
        ZmqReqRepTransport lateReqRep = new ZmqReqRepTransport(late, TransportFixture.SETTINGS);
        f.closeLater(lateReqRep::close);
        f.producerReqRep.createServer(f.registry.context("admit.stage", ChannelKind.REQREP), r -> r, ZmqOptions.DEFAULTS);
        RequestClient client = lateReqRep.openClient(f.registry.context("admit.stage", ChannelKind.REQREP), ConsumerOptions.DEFAULTS);
        byte[] home = "home".getBytes(StandardCharsets.UTF_8);
        assertThrows("refused while its key is not allowed", ChannelTimeoutException.class,
                () -> client.request(home, Duration.ofMillis(1500)));
        Await.until("the refusal was observed", DEADLINE, () -> ((ZmqRequestClient) client).handshakeRefusals() > 0); // refusal observed

        f.producerSide.allow(late.publicKey());
        long allowed = System.nanoTime();
        AtomicReference<byte[]> reply = new AtomicReference<>();
        Await.until("a reply after the key was allowed", ADMITTED_WITHIN, () -> {
            try {
                reply.set(client.request(home, Duration.ofMillis(500)));
                return true;
            } catch (ChannelTimeoutException notYet) {
                return false;
            }
        });
        assertArrayEquals(home, reply.get());
        System.out.printf("request client admitted %d ms after hub:allow%n", (System.nanoTime() - allowed) / 1_000_000);
    }

    @Test
    public void aSubscriberRefusedAtFirstGetsInAfterItsKeyIsAllowed() throws Exception {
        CurveSecurityHandle late = f.stranger();
        ZmqPubSubTransport latePubSub = new ZmqPubSubTransport(late, TransportFixture.SETTINGS);
        f.closeLater(latePubSub::close);
        Publisher pub = f.producerPubSub.createPublisher(f.registry.context("admit.temp", ChannelKind.PUBSUB), ZmqOptions.DEFAULTS);
        Subscriber sub = latePubSub.openSubscriber(f.registry.context("admit.temp", ChannelKind.PUBSUB), ConsumerOptions.DEFAULTS);
        byte[] reading = "21.5".getBytes(StandardCharsets.UTF_8);
        long end = System.nanoTime() + Duration.ofMillis(1500).toNanos();
        while (System.nanoTime() - end < 0) {
            pub.publish(reading);
            assertTrue("nothing gets through while its key is not allowed", sub.poll().isEmpty());
            Thread.sleep(20); // a publishing pace, not synchronisation
        }
        Await.until("the refusal was observed", DEADLINE, () -> ((ZmqSubscriber) sub).handshakeRefusals() > 0); // refusal observed

        f.producerSide.allow(late.publicKey());
        long allowed = System.nanoTime();
        AtomicReference<Optional<Message>> got = new AtomicReference<>(Optional.empty());
        Await.until("a message after the key was allowed", ADMITTED_WITHIN, () -> {
            pub.publish(reading);
            got.set(sub.poll());
            return got.get().isPresent();
        });
        assertArrayEquals(reading, got.get().get().payload());
        System.out.printf("subscriber admitted %d ms after hub:allow%n", (System.nanoTime() - allowed) / 1_000_000);
    }
}
