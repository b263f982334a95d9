package io.labhub.transport.zmq.internal;

import static io.labhub.transport.zmq.internal.TransportFixture.DEADLINE;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelName;
import io.labhub.api.ChannelState;
import io.labhub.api.ConsumerOptions;
import io.labhub.api.ErrorCode;
import io.labhub.api.LabHubException;
import io.labhub.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.RuleChain;
import org.junit.rules.TemporaryFolder;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/** A version-2 consumer meets a version-1 (or unknown-version) producer: a typed refusal and a counter, never a crash. */
public class WireVersionTest {

    private final TemporaryFolder tmp = new TemporaryFolder();
    private final TransportFixture f = new TransportFixture(tmp);

    @Rule
    public RuleChain rules = RuleChain.outerRule(tmp).around(f);

    private static void sendV1(ZMQ.Socket s, int type, long id, byte[] payload) {
        DocumentedWireFormatTest.sendV1(s, type, id, payload);
    }

    @Test
    public void aVersion1PublisherIsRefusedAndCountedNeverDelivered() {
        ZMQ.Socket old = f.producerSide.context().createSocket(SocketType.PUB);
        try {
            old.setLinger(0);
            f.producerSide.secureServer(old);
            old.bind("tcp://127.0.0.1:*");
            f.registry.register(new ChannelInfo(new ChannelName("doc.old"), ChannelKind.PUBSUB, f.producerSide.publicKey(),
                    old.getLastEndpoint(), f.producerSide.publicKey(), Map.of(), 0, ChannelState.ACTIVE));
            ZmqSubscriber sub = (ZmqSubscriber) f.consumerPubSub.openSubscriber(
                    f.registry.context("doc.old", ChannelKind.PUBSUB), ConsumerOptions.DEFAULTS);
            Await.until("the subscriber counts version-1 messages as refused", DEADLINE, () -> {
                sendV1(old, 1, 1, "old".getBytes(StandardCharsets.UTF_8));
                return sub.versionRefusals() > 0;
            });
            assertEquals("nothing of a version-1 peer is delivered", 0, sub.counters().messagesReceived());
            assertTrue(sub.poll().isEmpty());
            assertTrue(sub.counters().errors() >= sub.versionRefusals());
            assertTrue(sub.isOpen());
        } finally {
            old.close();
        }
    }

    @Test
    public void aProducerThatAdvertisesAnotherWireVersionIsRefusedAtOpenWithATypedError() {
        f.registry.register(new ChannelInfo(new ChannelName("doc.v1"), ChannelKind.PUBSUB, f.producerSide.publicKey(),
                "tcp://127.0.0.1:9", f.producerSide.publicKey(), Map.of("zmq.wireVersion", "1"), 0, ChannelState.ACTIVE));
        LabHubException e = org.junit.Assert.assertThrows(LabHubException.class, () -> f.consumerPubSub.openSubscriber(
                f.registry.context("doc.v1", ChannelKind.PUBSUB), ConsumerOptions.DEFAULTS));
        assertEquals(ErrorCode.UNSUPPORTED_VERSION, e.code());
        assertTrue(e.getMessage(), e.getMessage().contains("wire version 1"));
    }
}
