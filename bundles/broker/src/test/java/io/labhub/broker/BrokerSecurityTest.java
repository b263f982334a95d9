package io.labhub.broker;

import io.labhub.broker.client.BrokerClient;
import io.labhub.broker.client.BrokerClientConfig;
import io.labhub.security.CurveSecurityHandle;
import org.junit.Rule;
import org.junit.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import java.io.IOException;
import java.time.Duration;

import static io.labhub.broker.TestBed.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

/** Only CURVE clients whose key is in the allow-list get in; the others never reach the registry. */
public class BrokerSecurityTest {

    private static final String REGISTER = "{\"v\":1,\"id\":\"1\",\"type\":\"hello\"}";
    private static final String REGISTER2 = "{\"v\":1,\"id\":\"2\",\"type\":\"register\",\"name\":\"intruder.x\","
            + "\"kind\":\"shm\",\"endpoint\":\"seg\"}";

    @Rule
    public final TestBed bed = new TestBed();

    @Test
    public void clientWithAKeyNotInTheAllowListIsRefused() throws IOException {
        bed.startBroker();
        CurveSecurityHandle stranger = bed.newStrangerSecurity();
        long refusalsBefore = bed.brokerSecurity().refusals();
        ZMQ.Socket socket = stranger.context().createSocket(SocketType.DEALER);
        try {
            socket.setLinger(0);
            stranger.secureClient(socket, bed.brokerSecurity().publicKey());
            socket.connect(bed.broker().endpoint());
            socket.send(REGISTER);
            socket.send(REGISTER2);
            await("the ZAP handler refused the stranger", Duration.ofSeconds(10),
                    () -> bed.brokerSecurity().refusals() > refusalsBefore);
            socket.setReceiveTimeOut(500);
            assertNull("no reply to a refused client", socket.recv(0));
        } finally {
            stranger.context().destroySocket(socket);
        }
        assertTrue(bed.broker().channels().isEmpty());
        assertTrue(bed.broker().clients().isEmpty());
    }

    @Test
    public void brokerClientWithAStrangeKeyNeverConnects() throws IOException {
        bed.startBroker();
        CurveSecurityHandle stranger = bed.newStrangerSecurity();
        long refusalsBefore = bed.brokerSecurity().refusals();
        try (BrokerClient client = BrokerClient.start(new BrokerClientConfig(bed.broker().endpoint(),
                bed.brokerSecurity().publicKey(), TestBed.HEARTBEAT, Duration.ofMillis(300)), stranger)) {
            client.register(new io.labhub.api.ChannelInfo(new io.labhub.api.ChannelName("intruder.y"),
                    io.labhub.api.ChannelKind.SHM, null, "seg", null, null, 0, io.labhub.api.ChannelState.ACTIVE));
            await("refused", Duration.ofSeconds(10), () -> bed.brokerSecurity().refusals() > refusalsBefore);
            await("the client says so", Duration.ofSeconds(10),
                    () -> client.status().message().contains("refused") || client.status().message().contains("does not answer"));
            assertFalse(client.status().connected());
        }
        assertTrue(bed.broker().channels().isEmpty());
    }

    @Test
    public void clientWithoutCurveIsRefused() {
        bed.startBroker();
        try (ZContext plainContext = new ZContext()) {
            ZMQ.Socket socket = plainContext.createSocket(SocketType.DEALER);
            socket.setLinger(0);
            socket.connect(bed.broker().endpoint());
            socket.send(REGISTER);
            socket.send(REGISTER2);
            socket.setReceiveTimeOut(1500);
            assertNull("a NULL-mechanism client gets nothing", socket.recv(0));
        }
        assertTrue(bed.broker().channels().isEmpty());
        assertEquals(0, bed.broker().status().requests());
    }

    @Test
    public void plainClientIsRefused() {
        bed.startBroker();
        try (ZContext plainContext = new ZContext()) {
            ZMQ.Socket socket = plainContext.createSocket(SocketType.DEALER);
            socket.setLinger(0);
            socket.setPlainUsername("admin");
            socket.setPlainPassword("admin");
            socket.connect(bed.broker().endpoint());
            socket.send(REGISTER);
            socket.send(REGISTER2);
            socket.setReceiveTimeOut(1500);
            assertNull("a PLAIN client gets nothing", socket.recv(0));
        }
        assertTrue(bed.broker().channels().isEmpty());
        assertEquals(0, bed.broker().status().requests());
    }

    @Test
    public void clientThatDoesNotKnowTheBrokerKeyGetsNothing() throws IOException {
        bed.startBroker();
        CurveSecurityHandle client = bed.newClientSecurity();
        ZMQ.Socket socket = client.context().createSocket(SocketType.DEALER);
        try {
            socket.setLinger(0);
            client.secureClient(socket, client.generateKeyPair().publicKey()); // not the broker's key
            socket.connect(bed.broker().endpoint());
            socket.send(REGISTER);
            socket.setReceiveTimeOut(1500);
            assertNull(socket.recv(0));
        } finally {
            client.context().destroySocket(socket);
        }
        assertTrue(bed.broker().clients().isEmpty());
    }
}
