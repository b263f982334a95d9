package io.labhub.bench;

import io.labhub.api.ConsumerOptions;
import io.labhub.api.Hub;
import io.labhub.api.FrameHandler;
import io.labhub.api.Publisher;
import io.labhub.api.ShmConsumer;
import io.labhub.api.ShmFrame;
import io.labhub.api.ShmOptions;
import io.labhub.api.ShmProducer;
import io.labhub.api.Subscriber;
import io.labhub.api.WaitStrategy;
import io.labhub.api.ZmqOptions;
import io.labhub.launcher.LabHub;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * How cost grows with the work (issue 14): the {@code scale} group of {@link Curves}. Both sides embed
 * LabHub as {@link LabHubGroup} does (side A runs the broker); every channel is CURVE and discovered
 * through the broker.
 *
 * <ul>
 * <li>{@code pubsub.subs.N}: A publishes 64 B messages as fast as it can; B opens N subscribers (one
 *     receiving thread each) and counts what all of them receive: {delivered msg/s, per subscriber}.</li>
 * <li>{@code broker.channels.N}: B, as a raw protocol client with a key of its own, registers N pubsub
 *     channels (pipelined, at most {@value #IN_FLIGHT} in flight), then sends {@value #DISCOVERS}
 *     discovers of random ones one at a time: {registrations/s, discover p50 ns, p99 ns}. A's
 *     {@code setup heap} answers the heap used after a GC, before and after (the broker's cost).</li>
 * <li>{@code shm.consumers.N}: B alone (A only runs the broker) creates a 64 B shm channel with the
 *     default policy ({@code LATEST}: the producer never waits for a consumer) and {@value #SHM_SLOTS}
 *     slots, and opens N consumers on it, one thread each, reading with a blocking
 *     {@code poll(handler, 256, wait)} ({@link WaitStrategy#BLOCKING}: 64 spinning readers on 2 cores
 *     would starve the producer). The producer writes its {@code System.nanoTime()} into each frame; the
 *     producer and its consumers share one JVM, so a consumer's {@code nanoTime()} minus the stamp is
 *     the frame's latency. Two windows: the producer publishing as fast as it can (its rate is the goal's
 *     figure), then paced at {@value #PACED_PER_SECOND} frames/s (latency of a stream the consumers
 *     keep up with): {producer msg/s, msg/s read per consumer (median), flat-out p99 ns (median
 *     consumer), paced p99 ns (median consumer), paced p99 ns (worst consumer), producer thread CPU ns
 *     per frame in the flat-out window (its cost, apart from how much of the 2 cores it got)}.</li>
 * </ul>
 *
 * <p>The broker's quotas: one key may hold 256 channels by default ({@code maxChannelsPerKey}); A's
 * {@code io.labhub.broker.cfg} sets {@value #MAX_CHANNELS} (and 16 MiB of metadata per key) so that one
 * client can register 10,000.
 */
final class ScaleGroup implements Group {

    static final int MAX_CHANNELS = 20_000;
    static final int IN_FLIGHT = 256;
    static final int DISCOVERS = 4_000;
    static final int SHM_SLOTS = 4096;
    static final int PACED_PER_SECOND = 1_000;
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final List<String> FEATURES = List.of("boot", "framework", "base", "broker", "core", "shm", "zmq");

    private LabHub lab;
    private Hub hub;
    private Path home;
    private String brokerEndpoint;
    private String brokerKey;
    private ZMQ.Curve.KeyPair clientKey;
    private volatile boolean stop;
    private Thread worker;
    private Publisher publisher;

    @Override
    public String init(String side, Map<String, String> params) throws Exception {
        home = Path.of(params.get("home"));
        String broker = LabHubGroup.writeConf(side, params,
                "maxChannelsPerKey = " + MAX_CHANNELS + "\nmaxMetadataBytesPerKey = " + (16 << 20) + "\n");
        if (side.equals("B")) {
            brokerEndpoint = broker;
            brokerKey = params.get("peer");
            // The raw broker client's own key (one key is one client for the broker), admitted through the
            // shared allow-list, which the broker reloads when it changes.
            clientKey = ZMQ.Curve.generateKeyPair();
            Files.writeString(Path.of(params.get("allowList")), "# scale group client\n" + clientKey.publicKey + "\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        lab = LabHubGroup.start(home, params, FEATURES);
        hub = lab.hub(WAIT);
        return LabHubGroup.publicKey(home.resolve("conf/keys/labhub.pub"));
    }

    private static int countOf(String c) {
        return Integer.parseInt(c.substring(c.lastIndexOf('.') + 1));
    }

    private static String channel(String c) {
        return "bench.scale." + c.replace('.', '-');
    }

    @Override
    public String setup(String c) throws Exception {
        if (c.equals("heap") || c.startsWith("broker.channels.")) {
            return Long.toString(heapAfterGc());
        }
        if (c.startsWith("shm.consumers.")) {
            return "-"; // producer and consumers are all in B (one clock for the latency stamps)
        }
        if (!c.startsWith("pubsub.subs.")) {
            throw new IllegalArgumentException("unknown case " + c);
        }
        stop = false;
        publisher = hub.createPublisher(channel(c), ZmqOptions.DEFAULTS.withHighWaterMark(ZmqGroup.hwm(64)));
        byte[] payload = new byte[64];
        worker = new Thread(() -> {
            try {
                while (!stop) {
                    publisher.publish(payload);
                }
            } catch (RuntimeException e) {
                if (!stop) {
                    e.printStackTrace();
                }
            }
        }, "bench-scale-publisher");
        worker.setDaemon(true);
        worker.start();
        return "-";
    }

    /** Heap in use after a full collection, bytes (a few collections: the last one's figure). */
    static long heapAfterGc() {
        var memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    @Override
    public double[] run(String c, String arg) throws Exception {
        if (c.startsWith("pubsub.subs.")) {
            return subscribers(channel(c), countOf(c));
        }
        if (c.startsWith("broker.channels.")) {
            return broker(countOf(c));
        }
        if (c.startsWith("shm.consumers.")) {
            return shmConsumers(channel(c), countOf(c));
        }
        throw new IllegalArgumentException("unknown case " + c);
    }

    private double[] subscribers(String name, int n) throws Exception {
        List<Subscriber> subs = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        LongAdder received = new LongAdder();
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        try {
            for (int i = 0; i < n; i++) {
                subs.add(hub.openSubscriber(name, ConsumerOptions.DEFAULTS.withWaitForChannel(WAIT)
                        .withHighWaterMark(ZmqGroup.hwm(64))));
            }
            for (Subscriber s : subs) {
                s.receive(WAIT); // every subscriber connected and receiving
            }
            for (Subscriber s : subs) {
                Thread t = new Thread(() -> {
                    try {
                        while (!done.get()) {
                            s.receive(Duration.ofSeconds(10));
                            received.increment();
                        }
                    } catch (RuntimeException e) {
                        if (!done.get()) {
                            e.printStackTrace();
                        }
                    }
                }, "bench-scale-sub");
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
            LockSleep.until(System.nanoTime() + Measure.WARM_NANOS);
            long c0 = received.sum();
            long t0 = System.nanoTime();
            LockSleep.until(t0 + Measure.MEASURE_NANOS);
            long c1 = received.sum();
            long t1 = System.nanoTime();
            double delivered = (c1 - c0) * 1e9 / (t1 - t0);
            System.err.println("pubsub.subs." + n + ": delivered " + delivered + " msg/s; first subscriber " + subs.get(0).counters());
            return new double[] {delivered, delivered / n};
        } finally {
            done.set(true);
            for (Subscriber s : subs) {
                s.close();
            }
            for (Thread t : threads) {
                t.join(5_000);
            }
        }
    }

    /** Where the shm case is: the producer and every reader look at it (set only by the measuring thread). */
    private volatile int shmPhase;
    private static final int WARM = 0;
    private static final int RATE = 1;
    private static final int PACED_WARM = 2;
    private static final int PACED = 3;
    private static final int DONE = 4;

    private double[] shmConsumers(String name, int n) throws Exception {
        shmPhase = WARM;
        List<Reader> readers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        CountDownLatch attached = new CountDownLatch(n);
        AtomicLong published = new AtomicLong();
        // the default policy (LATEST) and wait; 64 B slots, enough of them that a reader a few ms behind loses nothing
        try (ShmProducer p = hub.createShmProducer(name, ShmOptions.DEFAULTS.withSlots(64, SHM_SLOTS)
                .withWait(WaitStrategy.BLOCKING))) {
            Thread producer = new Thread(() -> produce(p, published), "bench-scale-shm-producer");
            producer.setDaemon(true);
            try {
                for (int i = 0; i < n; i++) {
                    readers.add(new Reader(hub.openShmConsumer(name, ConsumerOptions.DEFAULTS.withWaitForChannel(WAIT)
                            .withWait(WaitStrategy.BLOCKING)), attached));
                }
                for (Reader r : readers) {
                    Thread t = new Thread(r, "bench-scale-shm-consumer");
                    t.setDaemon(true);
                    threads.add(t);
                    t.start();
                }
                producer.start();
                if (!attached.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                    throw new IllegalStateException("only " + (n - attached.getCount()) + " of " + n
                            + " shm consumers read a frame within " + WAIT);
                }
                LockSleep.until(System.nanoTime() + Measure.WARM_NANOS);
                long[] read0 = readers.stream().mapToLong(Reader::frames).toArray();
                var cpu = ManagementFactory.getThreadMXBean();
                long cpu0 = cpu.getThreadCpuTime(producer.threadId());
                long c0 = published.get();
                long t0 = System.nanoTime();
                shmPhase = RATE;
                LockSleep.until(t0 + Measure.MEASURE_NANOS);
                shmPhase = PACED_WARM;
                long c1 = published.get();
                long t1 = System.nanoTime();
                long cpu1 = cpu.getThreadCpuTime(producer.threadId());
                long[] read1 = readers.stream().mapToLong(Reader::frames).toArray();
                LockSleep.until(t1 + Measure.WARM_NANOS);
                long p0 = published.get();
                long t2 = System.nanoTime();
                shmPhase = PACED;
                LockSleep.until(t2 + Measure.MEASURE_NANOS);
                shmPhase = DONE;
                stopReaders(readers, threads); // the histograms are read after their threads ended
                double pacedRate = (published.get() - p0) * 1e9 / (System.nanoTime() - t2);
                double rate = (c1 - c0) * 1e9 / (t1 - t0);
                double[] readRate = new double[n];
                double[] flatP99 = new double[n];
                double[] pacedP99 = new double[n];
                for (int i = 0; i < n; i++) {
                    readRate[i] = (read1[i] - read0[i]) * 1e9 / (t1 - t0);
                    flatP99[i] = readers.get(i).flat.percentile(0.99);
                    pacedP99[i] = readers.get(i).paced.percentile(0.99);
                }
                System.err.println("shm.consumers." + n + ": producer " + rate + " msg/s (paced " + pacedRate
                        + "), read/s " + Arrays.toString(readRate) + ", flat-out p99 ns " + Arrays.toString(flatP99)
                        + ", paced p99 ns " + Arrays.toString(pacedP99) + "; first consumer " + readers.get(0).in.counters());
                double cpuPerFrame = (double) (cpu1 - cpu0) / (c1 - c0);
                System.err.println("shm.consumers." + n + ": producer thread CPU " + (cpu1 - cpu0) / 1e6 + " ms in a "
                        + (t1 - t0) / 1e6 + " ms window, " + cpuPerFrame + " ns per frame");
                return new double[] {rate, Results.median(readRate), Results.median(flatP99), Results.median(pacedP99),
                        Arrays.stream(pacedP99).max().orElse(Double.NaN), cpuPerFrame};
            } finally {
                shmPhase = DONE;
                stopReaders(readers, threads);
                producer.join(5_000);
            }
        }
    }

    private static void stopReaders(List<Reader> readers, List<Thread> threads) throws InterruptedException {
        for (Reader r : readers) {
            r.in.close(); // wakes a blocked poll
        }
        for (Thread t : threads) {
            t.join(5_000);
            if (t.isAlive()) {
                throw new IllegalStateException("an shm consumer thread did not end within 5 s");
            }
        }
    }

    /** Flat out until the rate window ends, then {@value #PACED_PER_SECOND} frames/s; each frame carries its nanoTime. */
    private void produce(ShmProducer p, AtomicLong published) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment msg = arena.allocate(64, 64);
            long count = 0;
            while (shmPhase < PACED_WARM) {
                msg.set(ValueLayout.JAVA_LONG, 0, System.nanoTime());
                p.publish(msg);
                published.lazySet(++count); // a plain store on x86: no fence in the producer's loop
            }
            long period = 1_000_000_000L / PACED_PER_SECOND;
            long next = System.nanoTime();
            while (shmPhase < DONE) {
                next += period;
                LockSleep.until(next);
                msg.set(ValueLayout.JAVA_LONG, 0, System.nanoTime());
                p.publish(msg);
                published.lazySet(++count);
            }
        } catch (RuntimeException e) {
            if (shmPhase != DONE) {
                e.printStackTrace();
            }
        }
    }

    /** One consumer's thread: reads in batches, keeps a latency histogram per window. */
    private final class Reader implements Runnable, FrameHandler {
        final ShmConsumer in;
        final CountDownLatch attached;
        final Hist flat = new Hist();
        final Hist paced = new Hist();
        private Hist current;
        private final AtomicLong frames = new AtomicLong();
        private long count;

        Reader(ShmConsumer in, CountDownLatch attached) {
            this.in = in;
            this.attached = attached;
        }

        long frames() {
            return frames.get();
        }

        @Override
        public void onFrame(ShmFrame f) {
            long latency = System.nanoTime() - f.segment().get(ValueLayout.JAVA_LONG, 0);
            if (current != null) {
                current.add(latency);
            }
            count++;
        }

        @Override
        public void run() {
            boolean first = true;
            try {
                int phase;
                while ((phase = shmPhase) != DONE) {
                    current = phase == RATE ? flat : phase == PACED ? paced : null;
                    int k = in.poll(this, 256, Duration.ofMillis(100)); // blocks when nothing is there
                    if (k < 0) {
                        break; // closed
                    }
                    frames.lazySet(count);
                    if (k > 0 && first) {
                        first = false;
                        attached.countDown();
                    }
                }
            } catch (RuntimeException e) {
                if (shmPhase != DONE) {
                    e.printStackTrace();
                }
            }
        }
    }

    /**
     * A log-linear latency histogram (16 sub-buckets per power of two: within 6.25%), so that a window of
     * millions of frames needs no sample array.
     */
    static final class Hist {
        private final long[] counts = new long[64 * 16];
        private long total;

        void add(long v) {
            counts[index(Math.max(0, v))]++;
            total++;
        }

        static int index(long v) {
            if (v < 16) {
                return (int) v;
            }
            int e = 63 - Long.numberOfLeadingZeros(v); // 4..62
            return (e - 3) * 16 + (int) ((v >>> (e - 4)) & 15);
        }

        /** The middle of bucket {@code i}. */
        static double value(int i) {
            if (i < 16) {
                return i;
            }
            int e = i / 16 + 3;
            long low = (16L + i % 16) << (e - 4);
            return low + (1L << (e - 4)) / 2.0;
        }

        /** The q-quantile (0..1), NaN when empty. */
        double percentile(double q) {
            if (total == 0) {
                return Double.NaN;
            }
            long rank = Math.max(1, (long) Math.ceil(q * total));
            long seen = 0;
            for (int i = 0; i < counts.length; i++) {
                seen += counts[i];
                if (seen >= rank) {
                    return value(i);
                }
            }
            return value(counts.length - 1);
        }
    }

    /** The measuring window's clock, not a synchronisation. */
    private static final class LockSleep {
        static void until(long deadline) {
            long left;
            while ((left = deadline - System.nanoTime()) > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(left);
            }
        }
    }

    private double[] broker(int n) throws Exception {
        try (ZContext ctx = new ZContext()) {
            ZMQ.Socket s = ctx.createSocket(SocketType.DEALER);
            s.setLinger(0);
            s.setCurvePublicKey(ZMQ.Curve.z85Decode(clientKey.publicKey));
            s.setCurveSecretKey(ZMQ.Curve.z85Decode(clientKey.secretKey));
            s.setCurveServerKey(ZMQ.Curve.z85Decode(brokerKey));
            s.setReceiveTimeOut(2_000);
            s.connect(brokerEndpoint);
            byte[] session = new byte[16];
            new java.security.SecureRandom().nextBytes(session);
            String hello = "{\"v\":1,\"id\":\"h\",\"type\":\"hello\",\"session\":\"" + HexFormat.of().formatHex(session) + "\"}";
            // Until the broker has reloaded the allow-list with this key, the handshake is refused: retry.
            Measure.await("the broker admitting the scale client", WAIT.toMillis(), () -> {
                s.send(hello);
                byte[] r = s.recv();
                return r != null && new String(r, StandardCharsets.UTF_8).contains("\"status\":\"ok\"");
            });
            drain(s);
            String self = clientKey.publicKey.replace("\\", "\\\\").replace("\"", "\\\"");
            long t0 = System.nanoTime();
            int sent = 0;
            int answered = 0;
            s.setReceiveTimeOut(30_000);
            while (answered < n) {
                while (sent < n && sent - answered < IN_FLIGHT) {
                    s.send("{\"v\":1,\"id\":\"r" + sent + "\",\"type\":\"register\",\"name\":\"" + name(sent)
                            + "\",\"kind\":\"pubsub\",\"endpoint\":\"tcp://127.0.0.1:" + (20000 + sent % 40000)
                            + "\",\"serverKey\":\"" + self + "\",\"metadata\":{\"unit\":\"K\",\"i\":\"" + sent + "\"}}");
                    sent++;
                }
                byte[] r = s.recv();
                if (r == null) {
                    throw new IllegalStateException("no reply to a register within 30 s (" + answered + " of " + n + ")");
                }
                String text = new String(r, StandardCharsets.UTF_8);
                if (text.contains("\"type\":\"register\"")) {
                    if (!text.contains("\"status\":\"ok\"")) {
                        throw new IllegalStateException("register refused: " + text);
                    }
                    answered++;
                }
            }
            double registerRate = n * 1e9 / (System.nanoTime() - t0);
            SplittableRandom random = new SplittableRandom(n);
            long[] samples = new long[DISCOVERS];
            int warm = DISCOVERS / 4;
            for (int i = -warm; i < DISCOVERS; i++) {
                String id = "d" + i;
                long a = System.nanoTime();
                s.send("{\"v\":1,\"id\":\"" + id + "\",\"type\":\"discover\",\"name\":\"" + name(random.nextInt(n)) + "\"}");
                while (true) {
                    byte[] r = s.recv();
                    if (r == null) {
                        throw new IllegalStateException("no reply to a discover within 30 s");
                    }
                    String text = new String(r, StandardCharsets.UTF_8);
                    if (text.contains("\"id\":\"" + id + "\"")) {
                        if (!text.contains("\"status\":\"ok\"")) {
                            throw new IllegalStateException("discover failed: " + text);
                        }
                        break;
                    }
                }
                if (i >= 0) {
                    samples[i] = System.nanoTime() - a;
                }
            }
            Arrays.sort(samples);
            return new double[] {registerRate, Measure.percentile(samples, DISCOVERS, 0.50),
                    Measure.percentile(samples, DISCOVERS, 0.99)};
        }
    }

    private static String name(int i) {
        return String.format("bench.scale.c%05d", i);
    }

    private static void drain(ZMQ.Socket s) {
        while (s.recv(ZMQ.DONTWAIT) != null) {
            // extra hello replies from the admission retries
        }
    }

    @Override
    public void finish(String c) throws Exception {
        stop = true;
        if (worker != null) {
            worker.join(15_000);
            worker = null;
        }
        if (publisher != null) {
            System.err.println("case " + c + ": publisher counters " + publisher.counters());
            publisher.close();
            publisher = null;
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
