package io.labhub.transport.zmq.internal;

import io.labhub.api.ChannelKind;
import io.labhub.api.ConsumerOptions;
import io.labhub.api.Publisher;
import io.labhub.api.RequestClient;
import io.labhub.api.RequestServer;
import io.labhub.api.Subscriber;
import io.labhub.api.ZmqOptions;
import io.labhub.security.CurveSecurityFactory;
import io.labhub.security.CurveSecurityHandle;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

/**
 * Not a test: a development probe (run its main with the test class path) that times a 64 B
 * request/reply round trip and a 64 B pub/sub rate through the transport in one JVM, with real CURVE,
 * and prints the CPU time each thread spent per operation. Args: {@code reqrep|pubsub [seconds]}, or
 * {@code both} (pub/sub, then request/reply with the benchmark's 0.5 s warm-up and 1.5 s windows).
 */
public final class TransportProbe {

    static void reqrep(CurveSecurityHandle a, CurveSecurityHandle b, TestRegistry reg, ZmqSettings s, double seconds, String ch) {
        ZmqReqRepTransport ta = new ZmqReqRepTransport(a, s);
        ZmqReqRepTransport tb = new ZmqReqRepTransport(b, s);
        try (RequestServer server = ta.createServer(reg.context(ch, ChannelKind.REQREP), r -> r, ZmqOptions.DEFAULTS);
             RequestClient client = tb.openClient(reg.context(ch, ChannelKind.REQREP), ConsumerOptions.DEFAULTS)) {
            byte[] req = new byte[64];
            client.request(req, Duration.ofSeconds(30));
            long warm = System.nanoTime() + 500_000_000L;
            while (System.nanoTime() < warm) {
                client.request(req, Duration.ofSeconds(10));
            }
            for (int round = 0; round < 2; round++) {
                long[] t = new long[200_000];
                int n = 0;
                long end = System.nanoTime() + 1_500_000_000L;
                while (System.nanoTime() < end && n < t.length) {
                    long t0 = System.nanoTime();
                    client.request(req, Duration.ofSeconds(10));
                    t[n++] = System.nanoTime() - t0;
                }
                long[] x = Arrays.copyOf(t, n);
                Arrays.sort(x);
                System.out.printf("bench-like reqrep window %d: n=%d p50=%.1f us p99=%.1f us%n", round, n, x[n / 2] / 1e3, x[n * 99 / 100] / 1e3);
                cpu(n);
            }
        } finally {
            tb.close();
            ta.close();
        }
    }

    static void pubsub(CurveSecurityHandle a, CurveSecurityHandle b, TestRegistry reg, ZmqSettings s, double seconds, String ch)
            throws Exception {
        ZmqPubSubTransport ta = new ZmqPubSubTransport(a, s);
        ZmqPubSubTransport tb = new ZmqPubSubTransport(b, s);
        try (Publisher pub = ta.createPublisher(reg.context(ch, ChannelKind.PUBSUB), ZmqOptions.DEFAULTS);
             Subscriber sub = tb.openSubscriber(reg.context(ch, ChannelKind.PUBSUB), ConsumerOptions.DEFAULTS)) {
            byte[] payload = new byte[64];
            Thread t = new Thread(() -> {
                while (pub.isOpen()) {
                    try {
                        pub.publish(payload);
                    } catch (RuntimeException e) {
                        return;
                    }
                }
            });
            t.setDaemon(true);
            t.start();
            sub.receive(Duration.ofSeconds(30));
            for (int round = 0; round < 2; round++) {
                long n = 0;
                long t0 = System.nanoTime();
                long end = t0 + (long) (seconds * 1e9);
                while (System.nanoTime() < end) {
                    sub.receive(Duration.ofSeconds(10));
                    n++;
                }
                System.out.printf("pubsub %.0f msg/s%n", n / ((System.nanoTime() - t0) / 1e9));
            }
        } finally {
            tb.close();
            ta.close();
        }
    }

    private static final java.util.Map<Long, Long> LAST = new java.util.HashMap<>();

    /** CPU time per thread since the last call, per operation, for threads that used any. */
    static void cpu(long ops) {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        StringBuilder sb = new StringBuilder("  cpu us/op:");
        for (long id : mx.getAllThreadIds()) {
            long t = mx.getThreadCpuTime(id);
            java.lang.management.ThreadInfo info = mx.getThreadInfo(id);
            if (t < 0 || info == null) {
                continue;
            }
            long d = t - LAST.getOrDefault(id, 0L);
            LAST.put(id, t);
            if (d > 50_000_000L) {
                sb.append(String.format(" %s=%.1f", info.getThreadName(), d / 1e3 / ops));
            }
        }
        System.out.println(sb);
    }

    public static void main(String[] args) throws Exception {
        String what = args.length > 0 ? args[0] : "reqrep";
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 3;
        Path root = Files.createTempDirectory("probe");
        Path allow = root.resolve("allowed_keys");
        try (CurveSecurityHandle a = CurveSecurityFactory.start(root.resolve("a"), allow);
             CurveSecurityHandle b = CurveSecurityFactory.start(root.resolve("b"), allow);
             TestRegistry reg = new TestRegistry()) {
            Await.until("keys", Duration.ofSeconds(10), () -> a.isAllowed(b.publicKey()) && b.isAllowed(a.publicKey()));
            ZmqSettings s = new ZmqSettings(0, 0, "127.0.0.1", "", 0);
            if (what.startsWith("both")) {
                pubsub(a, b, reg, s, 1.0, "q0");
                reqrep(a, b, reg, s, 2.0, "p0");
                return;
            }
            if (what.equals("reqrep")) {
                ZmqReqRepTransport ta = new ZmqReqRepTransport(a, s);
                ZmqReqRepTransport tb = new ZmqReqRepTransport(b, s);
                try (RequestServer server = ta.createServer(reg.context("p", ChannelKind.REQREP), r -> r, ZmqOptions.DEFAULTS);
                     RequestClient client = tb.openClient(reg.context("p", ChannelKind.REQREP), ConsumerOptions.DEFAULTS)) {
                    byte[] req = new byte[64];
                    ByteBuffer bb = ByteBuffer.wrap(req);
                    client.request(req, Duration.ofSeconds(30));
                    for (int round = 0; round < 3; round++) {
                        long[] t = new long[200_000];
                        int n = 0;
                        long end = System.nanoTime() + (long) (seconds * 1e9);
                        while (System.nanoTime() < end && n < t.length) {
                            bb.putLong(0, n);
                            long t0 = System.nanoTime();
                            byte[] r = client.request(req, Duration.ofSeconds(10));
                            t[n++] = System.nanoTime() - t0;
                            if (ByteBuffer.wrap(r).getLong(0) != n - 1) {
                                throw new IllegalStateException("wrong reply");
                            }
                        }
                        long[] x = Arrays.copyOf(t, n);
                        Arrays.sort(x);
                        System.out.printf("reqrep n=%d p50=%.1f us p99=%.1f us%n", n, x[n / 2] / 1e3, x[n * 99 / 100] / 1e3);
                        cpu(n);
                    }
                } finally {
                    tb.close();
                    ta.close();
                }
            } else {
                ZmqPubSubTransport ta = new ZmqPubSubTransport(a, s);
                ZmqPubSubTransport tb = new ZmqPubSubTransport(b, s);
                try (Publisher pub = ta.createPublisher(reg.context("q", ChannelKind.PUBSUB), ZmqOptions.DEFAULTS);
                     Subscriber sub = tb.openSubscriber(reg.context("q", ChannelKind.PUBSUB), ConsumerOptions.DEFAULTS)) {
                    byte[] payload = new byte[64];
                    Thread t = new Thread(() -> {
                        while (pub.isOpen()) {
                            try {
                                pub.publish(payload);
                            } catch (RuntimeException e) {
                                return;
                            }
                        }
                    });
                    t.setDaemon(true);
                    t.start();
                    sub.receive(Duration.ofSeconds(30));
                    for (int round = 0; round < 3; round++) {
                        long n = 0;
                        long t0 = System.nanoTime();
                        long end = t0 + (long) (seconds * 1e9);
                        while (System.nanoTime() < end) {
                            sub.receive(Duration.ofSeconds(10));
                            n++;
                        }
                        System.out.printf("pubsub %.0f msg/s; counters pub %s sub %s%n", n / ((System.nanoTime() - t0) / 1e9),
                                pub.counters(), sub.counters());
                    }
                } finally {
                    tb.close();
                    ta.close();
                }
            }
        }
    }
}
