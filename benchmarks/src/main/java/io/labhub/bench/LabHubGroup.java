package io.labhub.bench;

import io.labhub.api.ConsumerOptions;
import io.labhub.api.FrameHandler;
import io.labhub.api.Hub;
import io.labhub.api.Publisher;
import io.labhub.api.RequestClient;
import io.labhub.api.RequestServer;
import io.labhub.api.ShmConsumer;
import io.labhub.api.ShmFrame;
import io.labhub.api.ShmOptions;
import io.labhub.api.ShmPolicy;
import io.labhub.api.ShmProducer;
import io.labhub.api.Subscriber;
import io.labhub.api.WaitStrategy;
import io.labhub.api.ZmqOptions;
import io.labhub.launcher.LabHub;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.zeromq.ZMQ;

/**
 * LabHub measured as users use it: each side embeds LabHub with the launcher and works through the
 * {@link Hub}. Side A runs the embedded broker; side B's Hub points at it; both read one allow-list file,
 * so each admits the other's key. Every channel is discovered through the broker and uses CURVE.
 */
final class LabHubGroup implements Group {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final List<String> FEATURES = List.of("boot", "framework", "base", "broker", "core", "shm", "zmq");

    private LabHub lab;
    private Hub hub;
    private Path home;
    private volatile boolean stop;
    private Thread worker;
    private final List<AutoCloseable> open = new ArrayList<>();
    /** Side B: the broker's request endpoint and key, and the key pairs of the handshake case's clients. */
    private String brokerEndpoint;
    private String brokerKey;
    private final List<ZMQ.Curve.KeyPair> clientKeys = new ArrayList<>();

    /** How many clients the handshake case connects at once (issue 13: 300). */
    static final int HANDSHAKES = 300;

    @Override
    public String init(String side, Map<String, String> params) throws Exception {
        home = Path.of(params.get("home"));
        String broker = writeConf(side, params, "");
        if (side.equals("B")) {
            brokerEndpoint = broker;
            brokerKey = params.get("peer");
            // The handshake case's clients: HANDSHAKES key pairs of their own, admitted through the shared
            // allow-list (the broker reloads it when it changes), so that each is a distinct client.
            StringBuilder keys = new StringBuilder("# handshake case clients\n");
            for (int i = 0; i < HANDSHAKES; i++) {
                ZMQ.Curve.KeyPair k = ZMQ.Curve.generateKeyPair();
                clientKeys.add(k);
                keys.append(k.publicKey).append('\n');
            }
            Files.writeString(Path.of(params.get("allowList")), keys, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        }
        lab = start(home, params, FEATURES);
        hub = lab.hub(WAIT);
        return publicKey(home.resolve("conf/keys/labhub.pub"));
    }

    /**
     * Writes a fresh {@code params.home}/conf for one side of a pair: side A runs the broker on
     * {@code params.brokerPort}/{@code eventsPort} (its cfg ends with {@code brokerCfgExtra}) and its Hub uses
     * it; side B's Hub points at A's broker, whose key is {@code params.peer}. Both share
     * {@code params.allowList}.
     *
     * @return the broker's request endpoint
     */
    static String writeConf(String side, Map<String, String> params, String brokerCfgExtra) throws Exception {
        Path home = Path.of(params.get("home"));
        AeronGroup.deleteTree(home);
        Path conf = Files.createDirectories(home.resolve("conf"));
        String host = params.getOrDefault("host", "127.0.0.1"); // side A's end of the veth pair in group labhubveth
        String broker = "tcp://" + host + ":" + params.get("brokerPort");
        if (side.equals("A")) {
            Files.writeString(conf.resolve("io.labhub.broker.cfg"), "endpoint = " + broker
                    + "\neventsEndpoint = tcp://" + host + ":" + params.get("eventsPort") + "\n" + brokerCfgExtra);
            Files.writeString(conf.resolve("io.labhub.core.cfg"), "broker.endpoint = " + broker + "\n");
        } else {
            Files.writeString(conf.resolve("io.labhub.core.cfg"),
                    "broker.endpoint = " + broker + "\nbroker.publicKey = " + params.get("peer") + "\n");
        }
        Files.writeString(conf.resolve("io.labhub.security.cfg"), "allowList = " + params.get("allowList") + "\n");
        return broker;
    }

    /** Starts the runtime of {@code home} with {@code features} and waits until its Hub reaches the broker. */
    static LabHub start(Path home, Map<String, String> params, List<String> features) throws Exception {
        LabHub lab = LabHub.builder().home(home).featuresDir(Path.of(params.get("features")))
                .features(features.toArray(new String[0])).start();
        Hub hub = lab.hub(WAIT);
        Measure.await("Hub connected to the broker", WAIT.toMillis(), () -> {
            Thread.sleep(20); // polling a status, not synchronising data
            return hub.status().brokerConnected();
        });
        return lab;
    }

    static String publicKey(Path file) throws Exception {
        for (String line : Files.readAllLines(file)) {
            String t = line.trim();
            if (!t.isEmpty() && !t.startsWith("#")) {
                return t;
            }
        }
        throw new IllegalStateException("no key in " + file);
    }

    private static WaitStrategy waitOf(String c) {
        return c.endsWith("block") ? WaitStrategy.BLOCKING : WaitStrategy.LOW_LATENCY;
    }

    /**
     * Case {@code *.lean}: the producer as an Aeron exclusive publication, a single writer without commit
     * timestamps (no lock, no clock read per frame); other cases keep {@code o}, the defaults.
     */
    private static ShmOptions lean(ShmOptions o, String c) {
        return c.endsWith(".lean") ? o.withSingleWriter(true).withCommitTimestamps(false) : o;
    }

    private static int sizeOf(String c) {
        return Integer.parseInt(c.substring(c.lastIndexOf('.') + 1));
    }

    private static String channel(String c, String role) {
        return "bench." + c.replace('.', '-') + (role.isEmpty() ? "" : "." + role);
    }

    private <T extends AutoCloseable> T keep(T t) {
        synchronized (open) {
            open.add(t);
        }
        return t;
    }

    @Override
    public String setup(String c) throws Exception {
        stop = false;
        Runnable loop;
        if (c.startsWith("shm.rtt.")) {
            WaitStrategy w = waitOf(c);
            ShmProducer pong = keep(hub.createShmProducer(channel(c, "pong"),
                    lean(ShmOptions.DEFAULTS.withSlots(64, 64).withWait(w), c))); // .lean: both sides lean
            loop = () -> {
                try (ShmConsumer ping = hub.openShmConsumer(channel(c, "ping"),
                        ConsumerOptions.DEFAULTS.withWaitForChannel(WAIT).withWait(w))) {
                    FrameHandler echo = f -> pong.publish(f.segment());
                    while (!stop) {
                        ping.poll(echo, 16, Duration.ofMillis(200)); // 0 = nothing yet: look at the stop flag
                    }
                }
            };
        } else if (c.startsWith("shm.ow.")) {
            // One-way: A is the stamping sender. B's tiny "go" message (carrying n) paces it: on each one A
            // writes n and its System.nanoTime() into a 64 B message and publishes it at once; B subtracts the
            // stamp from its own nanoTime() when the message arrives (one clock on Linux: CLOCK_MONOTONIC).
            WaitStrategy w = waitOf(c);
            ShmProducer data = keep(hub.createShmProducer(channel(c, "data"), ShmOptions.DEFAULTS.withSlots(64, 64).withWait(w)));
            MemorySegment msg = Arena.ofAuto().allocate(64, 64);
            loop = () -> {
                try (ShmConsumer go = hub.openShmConsumer(channel(c, "go"),
                        ConsumerOptions.DEFAULTS.withWaitForChannel(WAIT).withWait(w))) {
                    FrameHandler stamp = f -> {
                        msg.set(ValueLayout.JAVA_LONG, 0, f.segment().get(ValueLayout.JAVA_LONG, 0));
                        msg.set(ValueLayout.JAVA_LONG, 8, System.nanoTime());
                        data.publish(msg);
                    };
                    while (!stop) {
                        go.poll(stamp, 16, Duration.ofMillis(200)); // 0 = nothing yet: look at the stop flag
                    }
                }
            };
        } else if (c.equals("shm.rate") || c.equals("shm.rate.next") || c.equals("shm.rate.lean")) {
            ShmProducer p = keep(hub.createShmProducer(channel(c, ""), lean(ShmOptions.DEFAULTS.withSlots(64, 4096)
                    .withPolicy(ShmPolicy.RELIABLE).withWait(WaitStrategy.LOW_LATENCY), c)));
            MemorySegment msg = Arena.ofAuto().allocate(64, 64);
            loop = () -> {
                while (!stop) {
                    p.publish(msg);
                }
            };
        } else if (c.startsWith("shm.tp.")) {
            int size = sizeOf(c);
            ShmProducer p = keep(hub.createShmProducer(channel(c, ""), ShmOptions.DEFAULTS.withSlots(size, PhysGroup.RING)
                    .withPolicy(ShmPolicy.RELIABLE).withWait(WaitStrategy.LOW_LATENCY)));
            MemorySegment frame = Arena.ofAuto().allocate(size, 4096);
            for (long i = 0; i < size; i += 8) {
                frame.set(ValueLayout.JAVA_LONG, i, i * 31);
            }
            loop = () -> {
                while (!stop) {
                    p.publish(frame); // the producer writes (copies) every frame, as a camera driver would
                }
            };
        } else if (c.startsWith("pubsub.")) {
            int size = sizeOf(c);
            Publisher p = keep(hub.createPublisher(channel(c, ""), ZmqOptions.DEFAULTS.withHighWaterMark(ZmqGroup.hwm(size))));
            byte[] payload = new byte[size];
            loop = () -> {
                while (!stop) {
                    p.publish(payload);
                }
            };
        } else if (c.equals("reqrep")) {
            RequestServer s = keep(hub.createServer(channel(c, ""), request -> request));
            loop = null;
        } else if (c.startsWith("handshake.")) {
            keep(hub.createPublisher(channel(c, ""), ZmqOptions.DEFAULTS)); // what the clients discover
            loop = null;
        } else {
            throw new IllegalArgumentException("unknown case " + c);
        }
        if (loop != null) {
            worker = new Thread(() -> {
                try {
                    loop.run();
                } catch (RuntimeException e) {
                    if (!stop) {
                        e.printStackTrace();
                    }
                }
            }, "bench-labhub-" + c);
            worker.setDaemon(true);
            worker.start();
        }
        return "-";
    }

    @Override
    public double[] run(String c, String arg) throws Exception {
        if (c.startsWith("shm.rtt.")) {
            WaitStrategy w = waitOf(c);
            try (ShmProducer ping = hub.createShmProducer(channel(c, "ping"),
                    lean(ShmOptions.DEFAULTS.withSlots(64, 64).withWait(w), c));
                 ShmConsumer pong = hub.openShmConsumer(channel(c, "pong"), ConsumerOptions.DEFAULTS.withWaitForChannel(WAIT).withWait(w));
                 Arena arena = Arena.ofConfined()) {
                MemorySegment msg = arena.allocate(64, 64);
                long[] marker = {-1};
                // Until the echo side has attached, a ping may go unanswered: resend until one comes back.
                Measure.await("first shm echo", WAIT.toMillis(), () -> exchange(ping, pong, msg, --marker[0], Duration.ofMillis(100)));
                return Measure.roundTrips(n -> {
                    if (!exchange(ping, pong, msg, n, Duration.ofSeconds(10))) {
                        throw new IllegalStateException("no shm echo within 10 s");
                    }
                });
            }
        }
        if (c.startsWith("shm.ow.")) {
            WaitStrategy w = waitOf(c);
            try (ShmProducer go = hub.createShmProducer(channel(c, "go"), ShmOptions.DEFAULTS.withSlots(64, 64).withWait(w));
                 ShmConsumer data = hub.openShmConsumer(channel(c, "data"), ConsumerOptions.DEFAULTS.withWaitForChannel(WAIT).withWait(w));
                 Arena arena = Arena.ofConfined()) {
                MemorySegment msg = arena.allocate(64, 64);
                long[] marker = {-1};
                // Until the sending side has attached, a go may go unanswered: resend until a message comes.
                Measure.await("first shm one-way message", WAIT.toMillis(),
                        () -> oneWay(go, data, msg, --marker[0], Duration.ofMillis(100)) != Long.MIN_VALUE);
                return Measure.oneWays(n -> {
                    long d = oneWay(go, data, msg, n, Duration.ofSeconds(10));
                    if (d == Long.MIN_VALUE) {
                        throw new IllegalStateException("no shm one-way message within 10 s");
                    }
                    return d;
                });
            }
        }
        if (c.equals("shm.rate.next")) {
            // the same stream read per frame with next(): the batch reader (shm.rate) must be at least as fast
            try (ShmConsumer in = hub.openShmConsumer(channel(c, ""),
                    ConsumerOptions.DEFAULTS.withWaitForChannel(WAIT).withWait(WaitStrategy.LOW_LATENCY))) {
                in.next(WAIT).close();
                Duration t = Duration.ofSeconds(10);
                long[] sink = {0};
                return Measure.rate(() -> {
                    try (ShmFrame f = in.next(t)) {
                        MemorySegment s = f.segment();
                        sink[0] += s.get(ValueLayout.JAVA_BYTE, 0) + s.get(ValueLayout.JAVA_BYTE, s.byteSize() - 1);
                    }
                    return 1;
                }, 64);
            }
        }
        if (c.equals("shm.rate") || c.equals("shm.rate.lean") || c.startsWith("shm.tp.")) {
            long size = c.startsWith("shm.rate") ? 64 : sizeOf(c);
            try (ShmConsumer in = hub.openShmConsumer(channel(c, ""),
                    ConsumerOptions.DEFAULTS.withWaitForChannel(WAIT).withWait(WaitStrategy.LOW_LATENCY))) {
                in.next(WAIT).close();
                Duration t = Duration.ofSeconds(10);
                long[] sink = {0};
                FrameHandler look = f -> {
                    MemorySegment s = f.segment(); // zero copy: look at both ends of the frame
                    sink[0] += s.get(ValueLayout.JAVA_BYTE, 0) + s.get(ValueLayout.JAVA_BYTE, s.byteSize() - 1);
                };
                // batches of up to 256, as the Aeron rate case polls (Subscription.poll(handler, 256))
                return Measure.rate(() -> {
                    int n = in.poll(look, 256, t);
                    if (n <= 0) {
                        throw new IllegalStateException("no shm frame within 10 s (" + n + ")");
                    }
                    return n;
                }, size);
            }
        }
        if (c.startsWith("pubsub.")) {
            int size = sizeOf(c);
            try (Subscriber sub = hub.openSubscriber(channel(c, ""),
                    ConsumerOptions.DEFAULTS.withWaitForChannel(WAIT).withHighWaterMark(ZmqGroup.hwm(size)))) {
                sub.receive(WAIT);
                Duration t = Duration.ofSeconds(10);
                double[] r = Measure.rate(() -> {
                    sub.receive(t);
                    return 1;
                }, size);
                System.err.println("case " + c + ": subscriber counters " + sub.counters()); // where messages went
                return r;
            }
        }
        if (c.equals("reqrep")) {
            try (RequestClient client = hub.openClient(channel(c, ""), ConsumerOptions.DEFAULTS.withWaitForChannel(WAIT))) {
                byte[] req = new byte[64];
                ByteBuffer b = ByteBuffer.wrap(req);
                client.request(req, WAIT); // the first one includes connecting and the CURVE handshake
                Duration t = Duration.ofSeconds(10);
                return Measure.roundTrips(n -> {
                    b.putLong(0, n);
                    byte[] r = client.request(req, t);
                    if (ByteBuffer.wrap(r).getLong(0) != n) {
                        throw new IllegalStateException("reply to another request");
                    }
                });
            }
        }
        if (c.startsWith("handshake.")) {
            return handshakes(sizeOf(c), channel(c, ""));
        }
        throw new IllegalArgumentException("unknown case " + c);
    }

    /** The broker handshake case: {@code n} clients with keys of their own each send one discover. */
    private double[] handshakes(int n, String name) throws Exception {
        if (n > clientKeys.size()) {
            throw new IllegalArgumentException("at most " + clientKeys.size() + " handshake clients");
        }
        return Handshakes.measure(clientKeys.subList(0, n), brokerEndpoint, brokerKey,
                i -> ("{\"v\":1,\"id\":\"" + i + "\",\"type\":\"discover\",\"name\":\"" + name + "\"}")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8),
                r -> {
                    String text = new String(r, java.nio.charset.StandardCharsets.UTF_8);
                    return text.contains("\"status\":\"ok\"") ? null : text;
                });
    }

    /**
     * Keeps the two first longs of a polled frame and when it arrived: one per thread, made before the
     * measured window (no allocation per round trip).
     */
    private static final class Taken implements FrameHandler {
        /** Whether each frame's arrival is read off the clock (the one-way case; a round trip needs no clock). */
        private final boolean stamps;
        long first;
        long second;
        long arrivedNanos;

        Taken(boolean stamps) {
            this.stamps = stamps;
        }

        @Override
        public void onFrame(io.labhub.api.ShmFrame f) {
            if (stamps) {
                arrivedNanos = System.nanoTime();
            }
            MemorySegment s = f.segment();
            first = s.get(ValueLayout.JAVA_LONG, 0);
            second = s.get(ValueLayout.JAVA_LONG, 8);
        }
    }

    private static final ThreadLocal<Taken> TAKEN = ThreadLocal.withInitial(() -> new Taken(false));
    private static final ThreadLocal<Taken> STAMPED = ThreadLocal.withInitial(() -> new Taken(true));

    /** One 64 B ping carrying {@code n}; true when the pong carrying {@code n} came back in time. */
    private static boolean exchange(ShmProducer ping, ShmConsumer pong, MemorySegment msg, long n, Duration timeout) {
        msg.set(ValueLayout.JAVA_LONG, 0, n);
        ping.publish(msg);
        Taken take = TAKEN.get();
        while (true) {
            // no clock read of its own per exchange (as Aeron's exchange): each poll waits up to the timeout,
            // and only a late echo of an earlier warm-up ping can make it poll again
            if (pong.poll(take, 1, timeout) <= 0) {
                return false; // nothing in time (or closed): a result, not an exception
            }
            if (take.first == n) {
                return true;
            }
        }
    }

    /**
     * Asks for one stamped message (a go carrying {@code n}) and returns its one-way time: this process's
     * {@link System#nanoTime()} when it arrived minus the sender's stamp; Long.MIN_VALUE on a timeout.
     */
    private static long oneWay(ShmProducer go, ShmConsumer data, MemorySegment msg, long n, Duration timeout) {
        msg.set(ValueLayout.JAVA_LONG, 0, n);
        go.publish(msg);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Long.MIN_VALUE;
            }
            Taken take = STAMPED.get();
            if (data.poll(take, 1, Duration.ofNanos(left)) <= 0) {
                return Long.MIN_VALUE;
            }
            if (take.first == n) {
                return take.arrivedNanos - take.second;
            }
        }
    }

    @Override
    public void finish(String c) throws Exception {
        stop = true;
        if (worker != null) {
            worker.join(15_000);
            worker = null;
        }
        synchronized (open) {
            for (AutoCloseable a : open) {
                if (a instanceof io.labhub.api.Channel ch) {
                    System.err.println("case " + c + ": " + ch.name() + " counters " + ch.counters());
                }
                try {
                    a.close();
                } catch (Exception e) {
                    e.printStackTrace();
                }
            }
            open.clear();
        }
    }

    @Override
    public void close() throws Exception {
        finish("");
        if (lab != null) {
            lab.close();
        }
        AeronGroup.deleteTree(home);
    }
}
