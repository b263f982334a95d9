package io.labhub.transport.zmq.internal;

import static io.labhub.transport.zmq.internal.TransportFixture.DEADLINE;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertFalse;

import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ConsumerOptions;
import io.labhub.api.Publisher;
import io.labhub.api.RequestClient;
import io.labhub.api.Subscriber;
import io.labhub.api.ZmqOptions;
import io.labhub.testkit.Await;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.Optional;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.RuleChain;
import org.junit.rules.TemporaryFolder;

/**
 * Issue 13.4: a producer bound to all interfaces ({@code *}) advertises an address other hosts can reach
 * (the primary non-loopback interface), never loopback while another interface is up, even where the
 * host name resolves to 127.0.0.1 in /etc/hosts (as on this machine, where InetAddress.getLocalHost()
 * gives loopback). The advertised endpoint is then really used: a consumer connects to it.
 */
public class AdvertisedEndpointTest {

    private static final ZmqSettings ALL_INTERFACES = new ZmqSettings(0, 0, "*", "", 0);

    private final TemporaryFolder tmp = new TemporaryFolder();
    private final TransportFixture f = new TransportFixture(tmp);

    @Rule
    public RuleChain rules = RuleChain.outerRule(tmp).around(f);

    @Before
    public void aNonLoopbackInterfaceIsUp() throws Exception {
        boolean up = false;
        for (NetworkInterface n : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (n.isUp() && !n.isLoopback()) {
                for (InetAddress a : Collections.list(n.getInetAddresses())) {
                    up |= !a.isLinkLocalAddress();
                }
            }
        }
        Assume.assumeTrue("no non-loopback interface is up here", up);
    }

    private static void assertNotLoopback(String endpoint) throws Exception {
        String host = endpoint.substring("tcp://".length(), endpoint.lastIndexOf(':')).replace("[", "").replace("]", "");
        assertFalse(endpoint + " is a loopback endpoint", InetAddress.getByName(host).isLoopbackAddress());
    }

    @Test
    public void wildcardBindsAreNeverAdvertisedAsLoopback() throws Exception {
        assertNotLoopback(ZmqSettings.DEFAULTS.advertise("tcp://0.0.0.0:40123"));
        assertNotLoopback(ZmqSettings.DEFAULTS.advertise("tcp://*:40123"));
    }

    @Test
    public void aPublisherAndAServerBoundToAllInterfacesAdvertiseAReachableAddress() throws Exception {
        ZmqPubSubTransport producer = new ZmqPubSubTransport(f.producerSide, ALL_INTERFACES);
        f.closeLater(producer::close);
        ZmqReqRepTransport servers = new ZmqReqRepTransport(f.producerSide, ALL_INTERFACES);
        f.closeLater(servers::close);
        Publisher pub = producer.createPublisher(f.registry.context("adv.pub", ChannelKind.PUBSUB), ZmqOptions.DEFAULTS);
        servers.createServer(f.registry.context("adv.rep", ChannelKind.REQREP), r -> r, ZmqOptions.DEFAULTS);
        ChannelInfo pubInfo = f.registry.info("adv.pub");
        ChannelInfo repInfo = f.registry.info("adv.rep");
        assertNotLoopback(pubInfo.endpoint());
        assertNotLoopback(repInfo.endpoint());

        Subscriber sub = f.consumerPubSub.openSubscriber(f.registry.context("adv.pub", ChannelKind.PUBSUB), ConsumerOptions.DEFAULTS);
        byte[] reading = "reading".getBytes(StandardCharsets.UTF_8);
        java.util.concurrent.atomic.AtomicReference<Optional<io.labhub.api.Message>> got =
                new java.util.concurrent.atomic.AtomicReference<>(Optional.empty());
        Await.until("a message through the advertised endpoint " + pubInfo.endpoint(), DEADLINE, () -> {
            pub.publish(reading);
            got.set(sub.poll());
            return got.get().isPresent();
        });
        assertArrayEquals(reading, got.get().get().payload());
        RequestClient client = f.consumerReqRep.openClient(f.registry.context("adv.rep", ChannelKind.REQREP), ConsumerOptions.DEFAULTS);
        assertArrayEquals(reading, client.request(reading, Duration.ofSeconds(10)));
    }
}
