package io.labhub.crypto;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.Assume;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

/**
 * JeroMQ on this bundle's NaCl against libzmq 4.3 with libsodium (pyzmq, another process), both
 * directions of both patterns, each backend forced in turn: libzmq publishes and JeroMQ subscribes,
 * JeroMQ publishes and libzmq subscribes, libzmq serves (ROUTER) a JeroMQ DEALER, JeroMQ serves a
 * libzmq DEALER; 64 B and 1 MiB + 17 messages, contents checked on both sides. Skipped (with the
 * reason) where no python3 with pyzmq is installed ({@code .ci/run} installs python3-zmq).
 */
@RunWith(Parameterized.class)
public class LibzmqInteropTest {

    private static final int[] SIZES = {64, (1 << 20) + 17};

    @ClassRule
    public static final TemporaryFolder TMP = new TemporaryFolder();

    private static String python;
    private static Path script;

    @Parameterized.Parameters(name = "{0}")
    public static List<Object[]> backends() {
        return BackendsUnderTest.settings();
    }

    private final String setting;
    private ZContext ctx;
    private final ZMQ.Curve.KeyPair server = ZMQ.Curve.generateKeyPair();
    private final ZMQ.Curve.KeyPair client = ZMQ.Curve.generateKeyPair();
    private final List<Process> processes = new ArrayList<>();

    public LibzmqInteropTest(String setting) {
        this.setting = setting;
    }

    @BeforeClass
    public static void findPython() throws Exception {
        for (String candidate : new String[] {"/usr/bin/python3", "python3"}) {
            try {
                Process p = new ProcessBuilder(candidate, "-c", "import zmq; assert zmq.has('curve')")
                        .redirectErrorStream(true).start();
                if (p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    python = candidate;
                    break;
                }
            } catch (java.io.IOException e) {
                // not there: try the next
            }
        }
        script = TMP.getRoot().toPath().resolve("libzmq_peer.py");
        try (InputStream in = LibzmqInteropTest.class.getResourceAsStream("libzmq_peer.py")) {
            Files.copy(in, script);
        }
    }

    @Before
    public void setUp() {
        Assume.assumeTrue("no python3 with pyzmq (CURVE) installed (Debian: python3-zmq)", python != null);
        BackendsUnderTest.force(setting);
        ctx = new ZContext();
    }

    @After
    public void tearDown() {
        for (Process p : processes) {
            p.destroyForcibly();
        }
        if (ctx != null) {
            ctx.close();
        }
    }

    @AfterClass
    public static void restore() {
        BackendsUnderTest.restore();
    }

    @Test
    public void libzmqPublishesJeromqSubscribes() throws Exception {
        Process p = peer("pub", "tcp://127.0.0.1:*");
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String endpoint = out.readLine();
        assertNotNull("the libzmq publisher printed no endpoint", endpoint);
        ZMQ.Socket sub = clientSocket(SocketType.SUB);
        sub.subscribe(new byte[0]);
        sub.setReceiveTimeOut(20_000);
        sub.connect(endpoint);
        boolean[] seen = new boolean[SIZES.length];
        int left = SIZES.length;
        while (left > 0) {
            byte[] m = sub.recv();
            assertNotNull("nothing from the libzmq publisher within 20 s", m);
            for (int i = 0; i < SIZES.length; i++) {
                if (m.length == SIZES[i] && !seen[i]) {
                    assertArrayEquals(payload(SIZES[i], 1), m);
                    seen[i] = true;
                    left--;
                }
            }
        }
        p.getOutputStream().close(); // tells the publisher to stop
        assertTrue("the libzmq publisher did not stop", p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
    }

    @Test
    public void jeromqPublishesLibzmqSubscribes() throws Exception {
        ZMQ.Socket pub = serverSocket(SocketType.PUB);
        Process p = peer("sub", pub.getLastEndpoint());
        AtomicBoolean running = new AtomicBoolean(true);
        Thread publisher = new Thread(() -> {
            byte[][] messages = {payload(SIZES[0], 2), payload(SIZES[1], 2)};
            while (running.get()) {
                for (byte[] m : messages) {
                    pub.send(m);
                }
                try {
                    Thread.sleep(10); // a pace for PUB, not a synchronisation: the end is p.waitFor
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        publisher.start();
        try {
            assertPeerOk(p, "ok sub [64, 1048593]");
        } finally {
            running.set(false);
            publisher.join();
        }
    }

    @Test
    public void jeromqDealerCallsALibzmqRouter() throws Exception {
        Process p = peer("router", "tcp://127.0.0.1:*");
        String endpoint = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))
                .readLine();
        assertNotNull("the libzmq router printed no endpoint", endpoint);
        ZMQ.Socket dealer = clientSocket(SocketType.DEALER);
        dealer.setReceiveTimeOut(20_000);
        dealer.connect(endpoint);
        for (int n : SIZES) {
            byte[] m = payload(n, 3);
            assertTrue(dealer.send(m));
            byte[] reply = dealer.recv();
            assertNotNull("no reply of " + n + " bytes from libzmq", reply);
            assertArrayEquals(reversed(m), reply);
        }
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
    }

    @Test
    public void libzmqDealerCallsAJeromqRouter() throws Exception {
        ZMQ.Socket router = serverSocket(SocketType.ROUTER);
        router.setReceiveTimeOut(20_000);
        Process p = peer("dealer", router.getLastEndpoint());
        for (int n : SIZES) {
            ZMsg request = ZMsg.recvMsg(router);
            assertNotNull("no request from libzmq", request);
            byte[] m = request.getLast().getData();
            assertArrayEquals(payload(n, 3), m);
            router.sendMore(request.getFirst().getData());
            router.send(reversed(m));
        }
        assertPeerOk(p, "ok dealer");
    }

    private ZMQ.Socket serverSocket(SocketType type) {
        ZMQ.Socket s = ctx.createSocket(type);
        s.setCurveServer(true);
        s.setCurveSecretKey(ZMQ.Curve.z85Decode(server.secretKey));
        s.bind("tcp://127.0.0.1:*");
        return s;
    }

    private ZMQ.Socket clientSocket(SocketType type) {
        ZMQ.Socket s = ctx.createSocket(type);
        // As every LabHub client socket (CurveKeys.CLIENT_HANDSHAKE_MS): JeroMQ 0.6.0's Poller can leave a
        // fresh connection unregistered when the connecter's cancelled key and the engine's new handle meet
        // in one pass over its fd table (seen here: 4 of 40 plain DEALER connects to a libzmq ROUTER sent no
        // greeting at all); the connection then waits for the handshake timer, 30 s by default, longer than
        // this test's receive timeout. With 2 s it is dropped and reconnected.
        s.setHandshakeIvl(2_000);
        s.setCurveServerKey(ZMQ.Curve.z85Decode(server.publicKey));
        s.setCurvePublicKey(ZMQ.Curve.z85Decode(client.publicKey));
        s.setCurveSecretKey(ZMQ.Curve.z85Decode(client.secretKey));
        return s;
    }

    private Process peer(String role, String endpoint) throws Exception {
        Process p = new ProcessBuilder(python, script.toString(), role, endpoint, server.publicKey, server.secretKey,
                client.publicKey, client.secretKey).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        processes.add(p);
        return p;
    }

    private static void assertPeerOk(Process p, String lastLine) throws Exception {
        assertTrue("the libzmq peer did not finish within 30 s", p.waitFor(30, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(out, 0, p.exitValue());
        assertEquals(lastLine, out.lines().reduce((a, b) -> b).orElse(""));
    }

    /** The same bytes as libzmq_peer.py's payload(n, salt). */
    private static byte[] payload(int n, int salt) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (((i % 251) * 7 + salt) % 251);
        }
        return b;
    }

    private static byte[] reversed(byte[] m) {
        byte[] r = new byte[m.length];
        for (int i = 0; i < m.length; i++) {
            r[i] = m[m.length - 1 - i];
        }
        return r;
    }
}
