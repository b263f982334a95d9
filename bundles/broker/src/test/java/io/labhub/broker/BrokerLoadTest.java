package io.labhub.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelState;
import io.labhub.security.CurveKeyPair;
import org.junit.Rule;
import org.junit.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

/**
 * Issue 12, "Load and faults" (broker part), correctness only, never speed: 1000 clients, each its own
 * CURVE key and DEALER, register and heartbeat, and none is declared lost; an allowed client floods
 * malformed messages while a good client keeps getting every answer. The figures are printed.
 */
public class BrokerLoadTest {

    private static final int CLIENTS = 1000;
    private static final Duration HEARTBEAT = Duration.ofMillis(500);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Rule
    public final TestBed bed = new TestBed();

    @Test
    public void thousandClientsRegisterAndHeartbeatAndNoneIsLost() throws Exception {
        bed.startBroker(new BrokerConfig("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", HEARTBEAT, 3, TestBed.MAX_MESSAGE_SIZE));
        String brokerKey = bed.brokerSecurity().publicKey();
        long start = System.nanoTime();
        List<CurveKeyPair> keys = new ArrayList<>(CLIENTS);
        for (int i = 0; i < CLIENTS; i++) {
            CurveKeyPair pair = bed.brokerSecurity().generateKeyPair();
            bed.brokerSecurity().allow(pair.publicKey());
            keys.add(pair);
        }
        ZContext context = bed.closeLater(new ZContext(1));
        List<ZMQ.Socket> sockets = new ArrayList<>(CLIENTS);
        Random random = new Random();
        for (CurveKeyPair pair : keys) {
            ZMQ.Socket s = context.createSocket(SocketType.DEALER);
            s.setLinger(0);
            s.setCurveServer(false);
            s.setCurvePublicKey(ZMQ.Curve.z85Decode(pair.publicKey()));
            s.setCurveSecretKey(ZMQ.Curve.z85Decode(pair.secretKey()));
            s.setCurveServerKey(ZMQ.Curve.z85Decode(brokerKey));
            s.connect(bed.broker().endpoint());
            sockets.add(s);
        }
        byte[] session = new byte[16];
        int helloOk = 0;
        for (int i = 0; i < CLIENTS; i++) {
            random.nextBytes(session);
            sockets.get(i).send("{\"v\":1,\"id\":\"h\",\"type\":\"hello\",\"session\":\"" + HexFormat.of().formatHex(session) + "\"}");
        }
        helloOk = collect(sockets, Duration.ofSeconds(25), "hello");
        assertEquals("every hello answered ok", CLIENTS, helloOk);
        for (int i = 0; i < CLIENTS; i++) {
            sockets.get(i).send("{\"v\":1,\"id\":\"r\",\"type\":\"register\",\"name\":\"load.c" + i
                    + "\",\"kind\":\"pubsub\",\"endpoint\":\"tcp://127.0.0.1:" + (20000 + i) + "\",\"serverKey\":\""
                    + keys.get(i).publicKey() + "\"}");
        }
        assertEquals("every register answered ok", CLIENTS, collect(sockets, Duration.ofSeconds(20), "register"));
        long setUpMs = (System.nanoTime() - start) / 1_000_000;

        int rounds = 4;
        long beats = 0;
        for (int round = 0; round < rounds; round++) {
            long roundStart = System.nanoTime();
            for (ZMQ.Socket s : sockets) {
                s.send("{\"v\":1,\"id\":\"b\",\"type\":\"heartbeat\"}");
            }
            int ok = collect(sockets, Duration.ofSeconds(10), "heartbeat");
            assertEquals("every heartbeat of round " + round + " answered ok (none lost)", CLIENTS, ok);
            beats += ok;
            long left = HEARTBEAT.toMillis() - (System.nanoTime() - roundStart) / 1_000_000;
            if (left > 0) {
                Thread.sleep(left); // the clients' heartbeat pace
            }
        }
        BrokerStatus status = bed.broker().status();
        List<ChannelInfo> channels = bed.broker().channels();
        long active = channels.stream().filter(c -> c.state() == ChannelState.ACTIVE).count();
        System.out.println("load: " + CLIENTS + " CURVE clients held (" + status.liveClients() + " live), " + active
                + " channels active, " + beats + " heartbeats answered ok in " + rounds + " rounds, 0 lost, "
                + status.refused() + " refused; set-up " + setUpMs + " ms");
        assertEquals(CLIENTS, status.liveClients());
        assertEquals(CLIENTS, active);
        assertTrue("nobody was declared lost", bed.broker().clients().stream().allMatch(BrokerClientInfo::alive));
        assertEquals(0, status.refused());
        for (ZMQ.Socket s : sockets) {
            context.destroySocket(s);
        }
    }

    /** Reads one reply per socket; returns how many were ok, and fails on any other status. */
    private static int collect(List<ZMQ.Socket> sockets, Duration timeout, String what) throws Exception {
        boolean[] done = new boolean[sockets.size()];
        int got = 0;
        int ok = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (got < sockets.size() && System.nanoTime() < deadline) {
            boolean any = false;
            for (int i = 0; i < sockets.size(); i++) {
                if (done[i]) {
                    continue;
                }
                byte[] frame = sockets.get(i).recv(ZMQ.DONTWAIT);
                if (frame != null) {
                    any = true;
                    done[i] = true;
                    got++;
                    JsonNode reply = MAPPER.readTree(frame);
                    assertEquals(what + " reply of client " + i + ": " + reply, "ok", reply.path("status").asText());
                    ok++;
                }
            }
            if (!any) {
                Thread.sleep(2); // polling interval over 1000 sockets, not a synchronisation
            }
        }
        assertEquals(what + ": replies received within " + timeout.toSeconds() + " s", sockets.size(), got);
        return ok;
    }

    @Test
    public void malformedFloodFromAnAllowedClientLeavesAGoodClientAnswered() throws Exception {
        bed.startBroker();
        TestBed.Raw flooder = bed.raw();
        TestBed.Raw good = bed.raw();
        assertEquals("ok", good.request("hello", "").path("status").asText());
        assertEquals("ok", good.request("register", TestBed.shmFields("good.frames")).path("status").asText());
        AtomicBoolean flooding = new AtomicBoolean(true);
        AtomicLong floodSent = new AtomicLong();
        AtomicLong floodRefused = new AtomicLong();
        AtomicLong floodReplies = new AtomicLong();
        Thread flood = new Thread(() -> {
            Random random = new Random(12);
            byte[][] bad = {
                    "{\"v\":1,\"id\":".getBytes(StandardCharsets.UTF_8),
                    "[1,2,3]".getBytes(StandardCharsets.UTF_8),
                    "{\"v\":9,\"id\":\"x\",\"type\":\"list\"}".getBytes(StandardCharsets.UTF_8),
                    "{\"v\":1,\"id\":\"x\",\"type\":\"register\",\"name\":\"1bad\",\"kind\":\"shm\",\"endpoint\":\"e\"}".getBytes(StandardCharsets.UTF_8),
                    "{\"v\":1,\"id\":\"x\",\"type\":\"teleport\"}".getBytes(StandardCharsets.UTF_8),
                    new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1},
            };
            while (flooding.get()) {
                for (int i = 0; i < 200; i++) {
                    flooder.sendFrames(bad[random.nextInt(bad.length)]);
                    floodSent.incrementAndGet();
                }
                for (int i = 0; i < 200; i++) {
                    try {
                        JsonNode reply = flooder.receive(10_000);
                        if (reply == null) {
                            return;
                        }
                        floodReplies.incrementAndGet();
                        if (reply.path("status").asText().equals("error")) {
                            floodRefused.incrementAndGet();
                        }
                    } catch (Exception e) {
                        return;
                    }
                }
            }
        }, "malformed-flood");
        flood.start();
        int goodRequests = 300;
        int goodAnswered = 0;
        try {
            for (int i = 0; i < goodRequests; i++) {
                JsonNode reply = good.request(i % 2 == 0 ? "discover" : "heartbeat", i % 2 == 0 ? "\"name\":\"good.frames\"" : "");
                assertNotNull(reply);
                assertEquals(reply.toString(), "ok", reply.path("status").asText());
                goodAnswered++;
            }
        } finally {
            flooding.set(false);
            flood.join(20_000);
        }
        System.out.println("malformed flood: " + floodSent.get() + " sent by one allowed client, " + floodRefused.get()
                + " refused with a typed error (" + floodReplies.get() + " replies); good client: " + goodAnswered
                + " of " + goodRequests + " requests answered ok");
        assertEquals(goodRequests, goodAnswered);
        assertTrue("the flood really ran alongside: " + floodSent.get(), floodSent.get() >= 200);
        assertEquals("every malformed message got its typed error", floodSent.get(), floodRefused.get());
    }
}
