package io.labhub.bench;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * N CURVE clients connecting at once: {@code keys.size()} DEALERs, each with its own key pair, connect to
 * {@code endpoint} and each sends one message; a sample is the time from the start of the burst (before
 * the first socket is made) to that client's first reply, so it holds the queueing behind the other
 * handshakes (and the kernel's listen queue: a connection beyond the server's backlog waits for a SYN
 * retransmission, about 1 s). One warm-up burst, then {@value #BURSTS} measured ones, pooled.
 */
final class Handshakes {

    /** Measured bursts per case (after one warm-up burst); their samples are pooled. */
    static final int BURSTS = 2;
    private static final long BURST_TIMEOUT_MS = 30_000;

    private Handshakes() {
    }

    /**
     * @param message what client {@code i} sends
     * @param check   null when a reply is right, else what is wrong with it (the case fails)
     * @return {p50, p99, p99.9, samples} in ns
     */
    static double[] measure(List<ZMQ.Curve.KeyPair> keys, String endpoint, String serverKey,
                            IntFunction<byte[]> message, Function<byte[], String> check) throws Exception {
        int n = keys.size();
        try (ZContext ctx = new ZContext()) {
            // Until the server admits the keys (an allow-list reload), a client is refused: probe with fresh sockets.
            Measure.await("the server admitting the clients", 60_000,
                    () -> burst(ctx, keys.subList(0, 1), endpoint, serverKey, message, check, 2_000) != null);
            burst(ctx, keys, endpoint, serverKey, message, check, BURST_TIMEOUT_MS); // warm-up
            long[] all = new long[n * BURSTS];
            for (int b = 0; b < BURSTS; b++) {
                long[] t = burst(ctx, keys, endpoint, serverKey, message, check, BURST_TIMEOUT_MS);
                if (t == null) {
                    throw new IllegalStateException("not every one of " + n + " clients had a reply within "
                            + BURST_TIMEOUT_MS + " ms");
                }
                System.arraycopy(t, 0, all, b * n, n);
            }
            Arrays.sort(all);
            return new double[] {Measure.percentile(all, all.length, 0.50), Measure.percentile(all, all.length, 0.99),
                    Measure.percentile(all, all.length, 0.999), all.length};
        }
    }

    /** One burst; the clients' times to their first reply in ns, or null if one had none in time. */
    private static long[] burst(ZContext ctx, List<ZMQ.Curve.KeyPair> keys, String endpoint, String serverKey,
                                IntFunction<byte[]> message, Function<byte[], String> check, long timeoutMs) {
        int n = keys.size();
        ZMQ.Socket[] s = new ZMQ.Socket[n];
        long[] t = new long[n];
        ZMQ.Poller poller = ctx.createPoller(n);
        byte[] server = ZMQ.Curve.z85Decode(serverKey);
        try {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                ZMQ.Curve.KeyPair k = keys.get(i);
                s[i] = ctx.createSocket(SocketType.DEALER);
                s[i].setLinger(0);
                s[i].setCurvePublicKey(ZMQ.Curve.z85Decode(k.publicKey));
                s[i].setCurveSecretKey(ZMQ.Curve.z85Decode(k.secretKey));
                s[i].setCurveServerKey(server);
                s[i].connect(endpoint);
                s[i].send(message.apply(i), 0);
                poller.register(s[i], ZMQ.Poller.POLLIN);
            }
            int left = n;
            long deadline = t0 + timeoutMs * 1_000_000L;
            while (left > 0 && System.nanoTime() < deadline) {
                if (poller.poll(50) <= 0) {
                    continue;
                }
                long now = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    if (t[i] == 0 && poller.pollin(i)) {
                        byte[] r = s[i].recv(ZMQ.DONTWAIT);
                        if (r != null) {
                            String wrong = check.apply(r);
                            if (wrong != null) {
                                throw new IllegalStateException("client " + i + ": " + wrong);
                            }
                            t[i] = now - t0;
                            left--;
                        }
                    }
                }
            }
            return left == 0 ? t : null;
        } finally {
            poller.close();
            for (ZMQ.Socket x : s) {
                if (x != null) {
                    ctx.destroySocket(x);
                }
            }
        }
    }
}
