package io.labhub.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.labhub.security.CurveSecurityFactory;
import io.labhub.security.CurveSecurityHandle;
import io.labhub.testkit.Await;
import io.labhub.validation.Validators;
import org.junit.rules.ExternalResource;
import org.junit.rules.TemporaryFolder;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/**
 * Real sockets and real CURVE for broker tests: a broker runtime (own key pair, allow-list, ZAP) and
 * any number of client runtimes, each with its own keys in its own temporary directory, admitted by
 * the broker's allow-list. Closes everything it made.
 */
public final class TestBed extends ExternalResource {

    public static final Duration HEARTBEAT = Duration.ofMillis(100);
    public static final int MISSED_BEATS = 3;
    public static final int MAX_MESSAGE_SIZE = 8192;

    private final TemporaryFolder folder = new TemporaryFolder();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private CurveSecurityHandle brokerSecurity;
    private BrokerServer broker;
    private String endpoint = "tcp://127.0.0.1:*";
    private String eventsEndpoint = "tcp://127.0.0.1:*";

    @Override
    protected void before() throws Throwable {
        folder.create();
        brokerSecurity = CurveSecurityFactory.start(folder.newFolder("broker-keys").toPath(), null);
    }

    @Override
    protected void after() {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                // best effort
            }
        }
        if (broker != null) {
            broker.close();
        }
        brokerSecurity.close();
        folder.delete();
    }

    public CurveSecurityHandle brokerSecurity() {
        return brokerSecurity;
    }

    public BrokerConfig config() {
        return new BrokerConfig(endpoint, eventsEndpoint, HEARTBEAT, MISSED_BEATS, MAX_MESSAGE_SIZE);
    }

    /** The size metadata a shm registration must carry (what the shm transport publishes). */
    public static final java.util.Map<String, String> SHM_SIZES = java.util.Map.of("shm.slotSize", "4096", "shm.slotCount", "8");

    /** @return a segment name of the shm transport's form: labhub- and 32 hex digits, random */
    public static String segment() {
        byte[] bits = new byte[16];
        new java.security.SecureRandom().nextBytes(bits);
        return "labhub-" + java.util.HexFormat.of().formatHex(bits);
    }

    /** @return the JSON fields of a valid shm register request for {@code name} */
    public static String shmFields(String name) {
        return "\"name\":\"" + name + "\",\"kind\":\"shm\",\"endpoint\":\"" + segment()
                + "\",\"metadata\":{\"shm.slotSize\":\"4096\",\"shm.slotCount\":\"8\"}";
    }

    /** Starts the broker (again: on the endpoints it had before, so clients find it where it was). */
    public BrokerServer startBroker() {
        return startBroker(config());
    }

    /** Starts the broker with {@code config} (its endpoints replaced by this bed's). */
    public BrokerServer startBroker(BrokerConfig config) {
        BrokerConfig mine = new BrokerConfig(endpoint, eventsEndpoint, config.heartbeatInterval(), config.missedBeats(),
                config.maxMessageSize(), config.maxChannelsPerKey(), config.maxMetadataBytesPerKey(),
                config.maxInFlightPerKey(), config.reservationGrace());
        broker = BrokerServer.start(mine, brokerSecurity, Validators.defaults());
        endpoint = broker.endpoint();
        eventsEndpoint = broker.eventsEndpoint();
        return broker;
    }

    public void stopBroker() {
        broker.close();
        broker = null;
    }

    public BrokerServer broker() {
        return broker;
    }

    /** Fixes the endpoints to free ports now, for a broker started later. */
    public String reserveEndpoints() throws IOException {
        endpoint = "tcp://127.0.0.1:" + freePort();
        eventsEndpoint = "tcp://127.0.0.1:" + freePort();
        return endpoint;
    }

    public String endpoint() {
        return endpoint;
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A client runtime with its own key pair, admitted by the broker. */
    public CurveSecurityHandle newClientSecurity() throws IOException {
        CurveSecurityHandle handle = CurveSecurityFactory.start(folder.newFolder().toPath(), null);
        handle.allow(brokerSecurity.publicKey());
        brokerSecurity.allow(handle.publicKey());
        closeables.add(handle);
        return handle;
    }

    /** A client runtime whose key the broker does not know. */
    public CurveSecurityHandle newStrangerSecurity() throws IOException {
        CurveSecurityHandle handle = CurveSecurityFactory.start(folder.newFolder().toPath(), null);
        closeables.add(handle);
        return handle;
    }

    public Path newFolder() throws IOException {
        return folder.newFolder().toPath();
    }

    public <T extends AutoCloseable> T closeLater(T closeable) {
        closeables.add(closeable);
        return closeable;
    }

    /** A raw CURVE DEALER to the broker, as a client in another language would open it. */
    public Raw raw() throws IOException {
        return raw(newClientSecurity());
    }

    /** A raw CURVE DEALER with the key pair of {@code security} (two of them: one key, two processes). */
    public Raw raw(CurveSecurityHandle security) {
        ZMQ.Socket socket = security.context().createSocket(SocketType.DEALER);
        socket.setLinger(0);
        socket.setReceiveTimeOut(5000);
        security.secureClient(socket, brokerSecurity.publicKey());
        socket.connect(broker.endpoint());
        Raw raw = new Raw(socket, security);
        closeables.add(raw);
        return raw;
    }

    /** A raw DEALER: send frames, read the one-frame reply as JSON. */
    public static final class Raw implements AutoCloseable {
        private static final ObjectMapper MAPPER = new ObjectMapper();
        private final ZMQ.Socket socket;
        private final CurveSecurityHandle security;
        private int counter;

        Raw(ZMQ.Socket socket, CurveSecurityHandle security) {
            this.socket = socket;
            this.security = security;
        }

        public String key() {
            return security.publicKey();
        }

        public ZMQ.Socket socket() {
            return socket;
        }

        public void sendFrames(byte[]... frames) {
            for (int i = 0; i < frames.length; i++) {
                assertTrue(socket.send(frames[i], i < frames.length - 1 ? ZMQ.SNDMORE : 0));
            }
        }

        public void send(String json) {
            sendFrames(json.getBytes(StandardCharsets.UTF_8));
        }

        /** @return the next reply, or {@code null} when none arrives within {@code timeoutMs} */
        public JsonNode receive(int timeoutMs) throws IOException {
            socket.setReceiveTimeOut(timeoutMs);
            byte[] frame = socket.recv(0);
            if (frame == null) {
                return null;
            }
            assertTrue("a reply is one frame", !socket.hasReceiveMore());
            return MAPPER.readTree(frame);
        }

        public JsonNode receive() throws IOException {
            JsonNode reply = receive(5000);
            if (reply == null) {
                fail("no reply from the broker within 5 s");
            }
            return reply;
        }

        /** Sends a request (a JSON object without v/id) and returns its reply. */
        public JsonNode request(String type, String fields) throws IOException {
            String id = "r" + (++counter);
            send("{\"v\":1,\"id\":\"" + id + "\",\"type\":\"" + type + "\"" + (fields.isEmpty() ? "" : "," + fields) + "}");
            JsonNode reply = receive();
            return reply;
        }

        @Override
        public void close() {
            security.context().destroySocket(socket);
        }
    }

    /**
     * Waits for a condition; fails with {@code what} when it does not hold within {@code timeout}. The
     * test kit's {@link Await#until} (kept under this name for the tests of this module).
     */
    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        Await.until(what, timeout, condition::getAsBoolean);
    }
}
