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

    /** What the test knows of one client, from that client's own point of view. */
    private static final class Client {
        final ZMQ.Socket socket;
        final String key;
        final int index;
        long lastSent;
        long maxGapNanos;
        boolean helloOk;
        boolean registered;
        int beatsOk;

        Client(ZMQ.Socket socket, String key, int index) {
            this.socket = socket;
            this.key = key;
            this.index = index;
        }

        void send(String json, long now) {
            assertTrue("client " + index + " could send", socket.send(json, ZMQ.DONTWAIT));
            if (lastSent != 0) {
                maxGapNanos = Math.max(maxGapNanos, now - lastSent);
            }
            lastSent = now;
        }
    }

    /**
     * Each client behaves as a real one: from its hello on, it sends something at least every heartbeat
     * interval by its own clock (a heartbeat when nothing else is due), whatever the other 999 are doing;
     * it registers as soon as its own hello is answered. (The first version of this test sent all hellos,
     * waited for all 1000 replies, then sent all registers: the clients answered first stayed silent for
     * the whole hello phase, longer than the 1.5 s window on a loaded machine, and the broker rightly
     * declared them lost: UNKNOWN_CLIENT on their register.) Every reply must be ok; a failure names the
     * client's longest silence by its own clock, so a starved test is told apart from a wrong broker.
     */
    @Test
    public void thousandClientsRegisterAndHeartbeatAndNoneIsLost() throws Exception {
        bed.startBroker(new BrokerConfig("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", HEARTBEAT, 3, TestBed.MAX_MESSAGE_SIZE));
        long window = HEARTBEAT.toNanos() * 3;
        String brokerKey = bed.brokerSecurity().publicKey();
        long start = System.nanoTime();
        List<CurveKeyPair> keys = new ArrayList<>(CLIENTS);
        for (int i = 0; i < CLIENTS; i++) {
            CurveKeyPair pair = bed.brokerSecurity().generateKeyPair();
            bed.brokerSecurity().allow(pair.publicKey());
            keys.add(pair);
        }
        ZContext context = bed.closeLater(new ZContext(1));
        List<Client> clients = new ArrayList<>(CLIENTS);
        Random random = new Random();
        byte[] session = new byte[16];
        for (int i = 0; i < CLIENTS; i++) {
            CurveKeyPair pair = keys.get(i);
            ZMQ.Socket s = context.createSocket(SocketType.DEALER);
            s.setLinger(0);
            s.setCurveServer(false);
            s.setCurvePublicKey(ZMQ.Curve.z85Decode(pair.publicKey()));
            s.setCurveSecretKey(ZMQ.Curve.z85Decode(pair.secretKey()));
            s.setCurveServerKey(ZMQ.Curve.z85Decode(brokerKey));
            s.connect(bed.broker().endpoint());
            Client c = new Client(s, pair.publicKey(), i);
            random.nextBytes(session);
            c.send("{\"v\":1,\"id\":\"h\",\"type\":\"hello\",\"session\":\"" + HexFormat.of().formatHex(session) + "\"}",
                    System.nanoTime());
            clients.add(c);
        }

        int rounds = 4;
        long deadline = System.nanoTime() + Duration.ofSeconds(25).toNanos();
        long firstHelloOk = 0;
        long lastHelloOk = 0;
        long allRegistered = 0;
        int helloOk = 0;
        int registered = 0;
        int done = 0;
        long beats = 0;
        while (done < CLIENTS) {
            assertTrue("within 25 s: " + helloOk + " hellos, " + registered + " registers answered, " + done
                    + " clients through " + rounds + " heartbeats", System.nanoTime() - deadline < 0);
            boolean any = false;
            for (Client c : clients) {
                byte[] frame;
                while ((frame = c.socket.recv(ZMQ.DONTWAIT)) != null) {
                    any = true;
                    long now = System.nanoTime();
                    JsonNode reply = MAPPER.readTree(frame);
                    String id = reply.path("id").asText();
                    assertEquals(reply.path("type").asText() + " reply of client " + c.index + " (its longest silence by"
                                    + " its own clock: " + c.maxGapNanos / 1_000_000 + " ms, window " + window / 1_000_000
                                    + " ms): " + reply, "ok", reply.path("status").asText());
                    switch (id) {
                        case "h" -> {
                            c.helloOk = true;
                            c.lastSent = 0; // its session starts now: silences are measured from here
                            helloOk++;
                            lastHelloOk = now;
                            if (firstHelloOk == 0) {
                                firstHelloOk = now;
                            }
                            c.send("{\"v\":1,\"id\":\"r\",\"type\":\"register\",\"name\":\"load.c" + c.index
                                    + "\",\"kind\":\"pubsub\",\"endpoint\":\"tcp://127.0.0.1:" + (20000 + c.index)
                                    + "\",\"serverKey\":\"" + c.key + "\"}", now);
                        }
                        case "r" -> {
                            c.registered = true;
                            if (++registered == CLIENTS) {
                                allRegistered = now;
                            }
                        }
                        case "b" -> {
                            beats++;
                            if (c.registered && ++c.beatsOk == rounds) {
                                done++;
                            }
                        }
                        default -> throw new AssertionError("unexpected reply " + reply);
                    }
                }
                long now = System.nanoTime();
                if (c.helloOk && now - c.lastSent >= HEARTBEAT.toNanos()) {
                    c.send("{\"v\":1,\"id\":\"b\",\"type\":\"heartbeat\"}", now);
                    any = true;
                }
            }
            if (!any) {
                Thread.sleep(1); // polling interval over 1000 sockets, not a synchronisation
            }
        }
        BrokerStatus status = bed.broker().status();
        List<ChannelInfo> channels = bed.broker().channels();
        long active = channels.stream().filter(c -> c.state() == ChannelState.ACTIVE).count();
        long maxGap = clients.stream().mapToLong(c -> c.maxGapNanos).max().orElse(0);
        System.out.println("load: " + CLIENTS + " CURVE clients held (" + status.liveClients() + " live), " + active
                + " channels active, " + beats + " heartbeats answered ok (" + rounds + "+ per client), 0 lost, "
                + status.refused() + " refused; hello replies spread over " + (lastHelloOk - firstHelloOk) / 1_000_000
                + " ms; all registered " + (allRegistered - start) / 1_000_000 + " ms after the start (keys included); "
                + "longest silence of a client in session, by its own clock " + maxGap / 1_000_000 + " ms (window "
                + window / 1_000_000 + " ms)");
        assertEquals(CLIENTS, status.liveClients());
        assertEquals(CLIENTS, active);
        assertTrue("nobody was declared lost", bed.broker().clients().stream().allMatch(BrokerClientInfo::alive));
        assertEquals(0, status.refused());
        for (Client c : clients) {
            context.destroySocket(c.socket);
        }
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
