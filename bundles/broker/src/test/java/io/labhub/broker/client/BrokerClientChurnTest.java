package io.labhub.broker.client;

import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelName;
import io.labhub.api.ChannelState;
import io.labhub.broker.TestBed;
import io.labhub.security.CurveKeyPair;
import io.labhub.security.CurveSecurityHandle;
import org.junit.Rule;
import org.junit.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static io.labhub.broker.TestBed.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * Issue 12, finding 8: under a churn of hundreds of refused connects per second (CURVE clients with an
 * unlisted key, and NULL clients), a legitimate client keeps getting every discover answered, and the
 * refusals are counted (and logged, rate-limited). Asserts correctness only; prints the p99 figures.
 */
public class BrokerClientChurnTest {

    private static final int REQUESTS = 400;

    @Rule
    public final TestBed bed = new TestBed();

    @Test
    public void legitimateClientIsAnsweredUnderAChurnOfRefusedConnections() throws Exception {
        bed.startBroker();
        CurveSecurityHandle producerSecurity = bed.newClientSecurity();
        BrokerClient client = bed.closeLater(BrokerClient.start(new BrokerClientConfig(bed.endpoint(),
                bed.brokerSecurity().publicKey(), BrokerClientConfig.DEFAULT_HEARTBEAT_INTERVAL,
                BrokerClientConfig.DEFAULT_REQUEST_TIMEOUT), producerSecurity));
        ChannelName name = new ChannelName("churn.probe");
        client.register(new ChannelInfo(name, ChannelKind.PUBSUB, null, "tcp://127.0.0.1:40200", "S".repeat(40),
                Map.of(), 0, ChannelState.ACTIVE));
        await("registered", Duration.ofSeconds(10), () -> !bed.broker().channels().isEmpty());

        long[] idle = discoverTimes(client, name);

        CurveKeyPair stranger = bed.brokerSecurity().generateKeyPair(); // never allowed
        AtomicBoolean churning = new AtomicBoolean(true);
        AtomicLong connects = new AtomicLong();
        long zapBefore = bed.brokerSecurity().refusals();
        long handshakeBefore = bed.brokerSecurity().handshakeFailures();
        Thread churn = new Thread(() -> {
            try (ZContext strangers = new ZContext()) {
                ArrayDeque<ZMQ.Socket> open = new ArrayDeque<>();
                long next = System.nanoTime();
                while (churning.get()) {
                    ZMQ.Socket s = strangers.createSocket(SocketType.DEALER);
                    s.setLinger(0);
                    if (connects.get() % 2 == 0) { // every other one speaks CURVE with an unlisted key
                        s.setCurveServerKey(ZMQ.Curve.z85Decode(bed.brokerSecurity().publicKey()));
                        s.setCurvePublicKey(ZMQ.Curve.z85Decode(stranger.publicKey()));
                        s.setCurveSecretKey(ZMQ.Curve.z85Decode(stranger.secretKey()));
                    }
                    s.connect(bed.endpoint());
                    s.send("{\"v\":1,\"id\":\"x\",\"type\":\"hello\"}", ZMQ.DONTWAIT);
                    open.add(s);
                    connects.incrementAndGet();
                    while (open.size() > 50) {
                        strangers.destroySocket(open.poll());
                    }
                    next += 2_000_000; // about 500 connects/s
                    long pause = next - System.nanoTime();
                    if (pause > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(pause); // pacing the load, not a synchronisation
                    }
                }
                open.forEach(strangers::destroySocket);
            }
        }, "churn");
        churn.start();
        long[] underChurn;
        long started = System.nanoTime();
        try {
            await("churn under way", Duration.ofSeconds(10), () -> connects.get() > 200);
            underChurn = discoverTimes(client, name);
        } finally {
            churning.set(false);
            churn.join(10_000);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        long zap = bed.brokerSecurity().refusals() - zapBefore;
        long handshake = bed.brokerSecurity().handshakeFailures() - handshakeBefore;
        System.out.printf("discover p50/p99 idle %.2f/%.2f ms, under churn of %.0f refused connects/s %.2f/%.2f ms "
                        + "(%d connects: %d refused by ZAP, %d refused in the handshake)%n",
                pct(idle, 50), pct(idle, 99), connects.get() / seconds, pct(underChurn, 50), pct(underChurn, 99),
                connects.get(), zap, handshake);
        assertEquals(REQUESTS, underChurn.length); // every request answered (discoverTimes throws otherwise)
        assertTrue("unlisted CURVE connects reach ZAP and are refused: " + zap, zap > 0);
        assertTrue("NULL connects are counted as handshake refusals: " + handshake, handshake > 0);
        assertTrue("the legitimate client stayed connected", client.status().connected());
    }

    private static long[] discoverTimes(BrokerClient client, ChannelName name) {
        long[] times = new long[REQUESTS];
        for (int i = 0; i < REQUESTS; i++) {
            long t0 = System.nanoTime();
            ChannelInfo info = client.discover(name, Duration.ofSeconds(5));
            times[i] = System.nanoTime() - t0;
            assertEquals(name, info.name());
        }
        return times;
    }

    private static double pct(long[] nanos, int p) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)] / 1e6;
    }
}
