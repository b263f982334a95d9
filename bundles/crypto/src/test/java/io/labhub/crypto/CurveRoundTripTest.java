package io.labhub.crypto;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import io.labhub.crypto.internal.Backend;
import io.labhub.crypto.internal.Backends;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

/**
 * JeroMQ 0.6.0's CURVE over tcp://127.0.0.1 on this bundle's package, each backend forced in turn: the
 * handshake and PUB/SUB and DEALER/ROUTER traffic (64 B and 1 MiB + 17) work, and the boxes really went
 * through the forced backend (a counting wrapper).
 */
@RunWith(Parameterized.class)
public class CurveRoundTripTest {

    private static final long DEADLINE_MS = 10_000;

    @Parameterized.Parameters(name = "{0}")
    public static List<Object[]> backends() {
        return BackendsUnderTest.settings();
    }

    private final String setting;
    private Counting counting;
    private ZContext ctx;

    public CurveRoundTripTest(String setting) {
        this.setting = setting;
    }

    @Before
    public void setUp() {
        BackendsUnderTest.force(setting);
        counting = new Counting(Backends.current());
        Backends.use(counting);
        ctx = new ZContext();
    }

    @After
    public void tearDown() {
        ctx.close();
        BackendsUnderTest.restore();
    }

    @Test
    public void jeromqResolvesThisBundlesClasses() throws Exception {
        Class<?> seenByJeromq = Class.forName("com.neilalexander.jnacl.crypto.curve25519xsalsa20poly1305", false,
                zmq.io.mechanism.curve.Curve.class.getClassLoader());
        assertEquals(com.neilalexander.jnacl.crypto.curve25519xsalsa20poly1305.class.getProtectionDomain()
                .getCodeSource().getLocation(), seenByJeromq.getProtectionDomain().getCodeSource().getLocation());
        ZMQ.Curve.KeyPair pair = ZMQ.Curve.generateKeyPair();
        assertEquals(40, pair.publicKey.length());
        assertTrue("JeroMQ's key generation went through the forced backend", counting.keypairs.get() > 0);
    }

    @Test
    public void pubSubOverCurve() {
        ZMQ.Curve.KeyPair server = ZMQ.Curve.generateKeyPair();
        ZMQ.Curve.KeyPair client = ZMQ.Curve.generateKeyPair();
        ZMQ.Socket pub = ctx.createSocket(SocketType.PUB);
        pub.setCurveServer(true);
        pub.setCurveSecretKey(ZMQ.Curve.z85Decode(server.secretKey));
        pub.bind("tcp://127.0.0.1:*");
        ZMQ.Socket sub = ctx.createSocket(SocketType.SUB);
        secureClient(sub, client, server);
        sub.subscribe(new byte[0]);
        sub.connect(pub.getLastEndpoint());
        sub.setReceiveTimeOut(50);

        byte[] small = payload(64);
        byte[] large = payload((1 << 20) + 17);
        long deadline = System.currentTimeMillis() + DEADLINE_MS;
        byte[] got = null;
        // PUB drops messages until the subscription arrives: publish until the first one is received.
        while (got == null && System.currentTimeMillis() < deadline) {
            pub.send(small);
            got = sub.recv();
        }
        assertNotNull("no message through CURVE PUB/SUB within " + DEADLINE_MS + " ms", got);
        assertArrayEquals(small, got);
        pub.send(large);
        sub.setReceiveTimeOut((int) DEADLINE_MS);
        byte[] next = sub.recv();
        while (next != null && next.length == small.length) { // small ones still in flight
            next = sub.recv();
        }
        assertArrayEquals(large, next);
        assertTrue(counting.boxes.get() > 2 && counting.opens.get() > 2);
    }

    @Test
    public void dealerRouterOverCurveBothWays() {
        ZMQ.Curve.KeyPair server = ZMQ.Curve.generateKeyPair();
        ZMQ.Curve.KeyPair client = ZMQ.Curve.generateKeyPair();
        ZMQ.Socket router = ctx.createSocket(SocketType.ROUTER);
        router.setCurveServer(true);
        router.setCurveSecretKey(ZMQ.Curve.z85Decode(server.secretKey));
        router.setReceiveTimeOut((int) DEADLINE_MS);
        router.bind("tcp://127.0.0.1:*");
        ZMQ.Socket dealer = ctx.createSocket(SocketType.DEALER);
        secureClient(dealer, client, server);
        dealer.setReceiveTimeOut((int) DEADLINE_MS);
        dealer.connect(router.getLastEndpoint());

        for (int size : new int[] {64, (1 << 20) + 17}) {
            byte[] request = payload(size);
            assertTrue(dealer.send(request));
            ZMsg in = ZMsg.recvMsg(router);
            assertNotNull("request of " + size + " bytes not received", in);
            assertEquals(2, in.size());
            assertArrayEquals(request, in.getLast().getData());
            byte[] reply = payload(size);
            router.sendMore(in.getFirst().getData());
            router.send(reply);
            assertArrayEquals("reply of " + size + " bytes", reply, dealer.recv());
        }
        assertTrue(counting.beforenms.get() >= 2 && counting.boxes.get() > 4 && counting.opens.get() > 4);
    }

    @Test
    public void wrongServerKeyNeverConnects() {
        ZMQ.Curve.KeyPair server = ZMQ.Curve.generateKeyPair();
        ZMQ.Curve.KeyPair impostor = ZMQ.Curve.generateKeyPair();
        ZMQ.Curve.KeyPair client = ZMQ.Curve.generateKeyPair();
        ZMQ.Socket router = ctx.createSocket(SocketType.ROUTER);
        router.setCurveServer(true);
        router.setCurveSecretKey(ZMQ.Curve.z85Decode(server.secretKey));
        router.setReceiveTimeOut(1_000);
        router.bind("tcp://127.0.0.1:*");
        ZMQ.Socket dealer = ctx.createSocket(SocketType.DEALER);
        secureClient(dealer, client, impostor); // expects another server key: the handshake fails
        dealer.setImmediate(false);
        dealer.connect(router.getLastEndpoint());
        dealer.send("hello");
        assertEquals("nothing arrives through a failed handshake", null, router.recv());
        assertTrue("the server tried to open the client's box", counting.failedOpens.get() > 0);
    }

    private static void secureClient(ZMQ.Socket s, ZMQ.Curve.KeyPair client, ZMQ.Curve.KeyPair server) {
        s.setCurveServerKey(ZMQ.Curve.z85Decode(server.publicKey));
        s.setCurvePublicKey(ZMQ.Curve.z85Decode(client.publicKey));
        s.setCurveSecretKey(ZMQ.Curve.z85Decode(client.secretKey));
    }

    private static byte[] payload(int n) {
        byte[] b = new byte[n];
        new SplittableRandom().nextBytes(b);
        return b;
    }

    /** Counts the calls that reach the backend. */
    private static final class Counting implements Backend {
        final Backend inner;
        final AtomicLong keypairs = new AtomicLong();
        final AtomicLong beforenms = new AtomicLong();
        final AtomicLong boxes = new AtomicLong();
        final AtomicLong opens = new AtomicLong();
        final AtomicLong failedOpens = new AtomicLong();

        Counting(Backend inner) {
            this.inner = inner;
        }

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public int scalarmultBase(byte[] pk, byte[] sk) {
            return inner.scalarmultBase(pk, sk);
        }

        @Override
        public int keypair(byte[] pk, byte[] sk) {
            keypairs.incrementAndGet();
            return inner.keypair(pk, sk);
        }

        @Override
        public int beforenm(byte[] k, byte[] pk, byte[] sk) {
            beforenms.incrementAndGet();
            return inner.beforenm(k, pk, sk);
        }

        @Override
        public int secretbox(byte[] c, byte[] m, int mlen, byte[] n, byte[] k) {
            boxes.incrementAndGet();
            return inner.secretbox(c, m, mlen, n, k);
        }

        @Override
        public int secretboxOpen(byte[] m, byte[] c, int clen, byte[] n, byte[] k) {
            int rc = inner.secretboxOpen(m, c, clen, n, k);
            (rc == 0 ? opens : failedOpens).incrementAndGet();
            return rc;
        }
    }
}
