package io.labhub.transport.zmq.internal;

import static io.labhub.transport.zmq.internal.TransportFixture.DEADLINE;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.Publisher;
import io.labhub.api.ZmqOptions;
import io.labhub.security.CurveKeyPair;
import io.labhub.security.internal.CurveKeys;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.RuleChain;
import org.junit.rules.TemporaryFolder;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * A "foreign" peer that knows only docs/zmq-channels.md: plain JeroMQ sockets in their own context, its
 * own CURVE key pair (added to the allow-list), the header parsed by hand with the documented offsets.
 */
public class DocumentedWireFormatTest {

    private final TemporaryFolder tmp = new TemporaryFolder();
    private final TransportFixture f = new TransportFixture(tmp);

    @Rule
    public RuleChain rules = RuleChain.outerRule(tmp).around(f);

    private ZContext foreign;
    private CurveKeyPair keys;

    @Before
    public void foreignPeer() {
        foreign = new ZContext();
        keys = CurveKeys.generate();
        f.producerSide.allow(keys.publicKey());
    }

    @After
    public void closeForeign() {
        foreign.close();
    }

    private ZMQ.Socket connect(SocketType type, ChannelInfo info) {
        ZMQ.Socket s = foreign.createSocket(type);
        s.setLinger(0);
        s.setReceiveTimeOut(200);
        CurveKeys.secureClient(s, keys, info.serverKey());
        s.connect(info.endpoint());
        return s;
    }

    private static List<byte[]> receive(ZMQ.Socket s) {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < end) {
            byte[] first = s.recv(0);
            if (first != null) {
                List<byte[]> frames = new ArrayList<>();
                frames.add(first);
                while (s.hasReceiveMore()) {
                    frames.add(s.recv(0));
                }
                return frames;
            }
        }
        return null;
    }

    /** A v2 message as docs/zmq-channels.md section 2 prints it: the 32-byte header, then the payload, in one frame. */
    private static byte[] message(int type, long timeoutMillis, long id, long timestamp, long param, byte[] payload) {
        return ByteBuffer.allocate(32 + payload.length).put((byte) 2).put((byte) type).putShort((short) 32)
                .putInt((int) timeoutMillis).putLong(id).putLong(timestamp).putLong(param).put(payload).array();
    }

    /** A version 1 message (two frames: header, payload), as a LabHub runtime before wire format 2 sent it. */
    static void sendV1(ZMQ.Socket s, int type, long id, byte[] payload) {
        s.sendMore(ByteBuffer.allocate(32).put((byte) 1).put((byte) type).putShort((short) 0).putInt(5000)
                .putLong(id).putLong(0).putLong(0).array());
        s.send(payload);
    }

    private static byte[] payloadOf(byte[] frame) {
        int headerLength = Short.toUnsignedInt(ByteBuffer.wrap(frame).getShort(2));
        return java.util.Arrays.copyOfRange(frame, headerLength, frame.length);
    }

    @Test
    public void aForeignSubscriberReadsPublishedMessages() {
        Publisher pub = f.producerPubSub.createPublisher(f.registry.context("doc.pubsub", ChannelKind.PUBSUB), ZmqOptions.DEFAULTS);
        ZMQ.Socket sub = connect(SocketType.SUB, f.registry.info("doc.pubsub"));
        sub.subscribe(new byte[0]);
        List<byte[]> frames = null;
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (frames == null && System.nanoTime() < end) {
            pub.publish("hello".getBytes(StandardCharsets.UTF_8));
            byte[] first = sub.recv(0);
            if (first != null) {
                frames = new ArrayList<>(List.of(first));
                while (sub.hasReceiveMore()) {
                    frames.add(sub.recv(0));
                }
            }
        }
        assertNotNull("the foreign subscriber got nothing", frames);
        assertEquals("one frame per message (wire format 2)", 1, frames.size());
        ByteBuffer h = ByteBuffer.wrap(frames.get(0));
        assertEquals(32 + 5, frames.get(0).length);
        assertEquals("version", 2, h.get(0));
        assertEquals("type PUBLISH", 1, h.get(1));
        assertEquals("header length", 32, h.getShort(2));
        long seq = h.getLong(8);
        assertTrue(seq >= 1);
        long ts = h.getLong(16);
        assertTrue(Math.abs(ts - System.currentTimeMillis() * 1_000_000L) < 60_000_000_000L);
        long session = h.getLong(24);
        assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), payloadOf(frames.get(0)));

        pub.publish(new byte[0]);
        List<byte[]> next = receive(sub);
        assertEquals(1, next.size());
        assertEquals("an empty payload is the header alone", 32, next.get(0).length);
        ByteBuffer h2 = ByteBuffer.wrap(next.get(0));
        assertEquals(session, h2.getLong(24));
        assertTrue(h2.getLong(8) > seq);
    }

    @Test
    public void aForeignClientPingsRequestsAndGetsTypedErrors() throws Exception {
        f.producerReqRep.createServer(f.registry.context("doc.reqrep", ChannelKind.REQREP),
                r -> {
                    if (r.length == 1) {
                        throw new IllegalArgumentException("one byte is not a command");
                    }
                    return ("re:" + new String(r, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
                }, ZmqOptions.DEFAULTS.withMaxMessageSize(100));
        ChannelInfo info = f.registry.info("doc.reqrep");
        assertEquals("100", info.metadata().get("zmq.maxMessageSize"));
        ZMQ.Socket dealer = connect(SocketType.DEALER, info);

        dealer.send(message(5, 0, 77, 0, 0, new byte[0]));
        List<byte[]> pong = receive(dealer);
        assertEquals(1, pong.size());
        assertEquals(32, pong.get(0).length);
        assertEquals("version", 2, pong.get(0)[0]);
        assertEquals("PONG", 6, pong.get(0)[1]);
        assertEquals(77, ByteBuffer.wrap(pong.get(0)).getLong(8));

        dealer.send(message(2, 5000, 1001, System.currentTimeMillis() * 1_000_000L, 0, "ping".getBytes(StandardCharsets.UTF_8)));
        List<byte[]> reply = receive(dealer);
        assertEquals(1, reply.size());
        assertEquals("REPLY_OK", 3, reply.get(0)[1]);
        assertEquals(1001, ByteBuffer.wrap(reply.get(0)).getLong(8));
        assertEquals("re:ping", new String(payloadOf(reply.get(0)), StandardCharsets.UTF_8));

        ObjectMapper json = new ObjectMapper();
        dealer.send(message(2, 5000, 1002, 0, 0, new byte[] {1}));
        List<byte[]> failed = receive(dealer);
        assertEquals("REPLY_ERROR", 4, failed.get(0)[1]);
        assertEquals(1002, ByteBuffer.wrap(failed.get(0)).getLong(8));
        JsonNode err = json.readTree(payloadOf(failed.get(0)));
        assertEquals("REMOTE_ERROR", err.path("code").asText());
        assertEquals("java.lang.IllegalArgumentException", err.path("remoteType").asText());
        assertEquals("one byte is not a command", err.path("message").asText());

        dealer.send(message(2, 5000, 1003, 0, 0, new byte[150]));
        List<byte[]> tooBig = receive(dealer);
        assertEquals(1003, ByteBuffer.wrap(tooBig.get(0)).getLong(8));
        assertEquals("MESSAGE_TOO_LARGE", json.readTree(payloadOf(tooBig.get(0))).path("code").asText());

        // accepts replies of at most 5 bytes
        dealer.send(message(2, 5000, 1004, 0, 5, "long reply".getBytes(StandardCharsets.UTF_8)));
        assertEquals("MESSAGE_TOO_LARGE", json.readTree(payloadOf(receive(dealer).get(0))).path("code").asText());

        // a version-1 peer (two frames) and an unknown version get a typed refusal, in version 2
        sendV1(dealer, 2, 1005, "old".getBytes(StandardCharsets.UTF_8));
        List<byte[]> v1 = receive(dealer);
        assertEquals(1, v1.size());
        assertEquals(2, v1.get(0)[0]);
        assertEquals(4, v1.get(0)[1]);
        assertEquals(1005, ByteBuffer.wrap(v1.get(0)).getLong(8));
        assertEquals("UNSUPPORTED_VERSION", json.readTree(payloadOf(v1.get(0))).path("code").asText());
        byte[] v9 = message(2, 5000, 1006, 0, 0, new byte[0]);
        v9[0] = 9;
        dealer.send(v9);
        List<byte[]> unknown = receive(dealer);
        assertEquals(1006, ByteBuffer.wrap(unknown.get(0)).getLong(8));
        assertEquals("UNSUPPORTED_VERSION", json.readTree(payloadOf(unknown.get(0))).path("code").asText());

        dealer.send("garbage without a header".getBytes(StandardCharsets.UTF_8));
        dealer.send(message(2, 5000, 1007, 0, 0, "still".getBytes(StandardCharsets.UTF_8)));
        List<byte[]> still = receive(dealer);
        assertEquals("garbage is ignored and the server goes on", 1007, ByteBuffer.wrap(still.get(0)).getLong(8));
        assertEquals("re:still", new String(payloadOf(still.get(0)), StandardCharsets.UTF_8));
    }
}
