package io.labhub.bench;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Aeron IPC between the two processes: the media driver is embedded in side A (its directory under
 * /dev/shm, deleted on close), both sides are Aeron clients of it. Cases: {@code rtt} (64 B echo),
 * {@code ow} (64 B one-way: A stamps a message with its nanoTime() each time B's go message arrives) and
 * {@code rate} (64 B stream, back-pressured publisher); {@code rtt.excl} and {@code rate.excl} are the same with
 * exclusive publications ({@code addExclusivePublication}: one thread offers, no atomic add per message),
 * streams of their own, the reference for LabHub's single-writer producer.
 */
final class AeronGroup implements Group {

    private static final String IPC = "aeron:ipc";
    private static final int SIZE = 64;

    private MediaDriver driver;
    private Aeron aeron;
    private String dir;
    private volatile boolean stop;
    private Thread worker;
    private Publication pub;
    private Subscription sub;

    @Override
    public String init(String side, Map<String, String> params) {
        if (side.equals("A")) {
            dir = "/dev/shm/labhub-bench-aeron-" + ProcessHandle.current().pid();
            driver = MediaDriver.launch(new MediaDriver.Context()
                    .aeronDirectoryName(dir)
                    .threadingMode(ThreadingMode.SHARED)
                    .ipcTermBufferLength(8 << 20)
                    .dirDeleteOnStart(true)
                    .dirDeleteOnShutdown(true));
        } else {
            dir = params.get("peer");
        }
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir));
        return dir;
    }

    /** Stream ids of the exclusive cases: the concurrent ones' plus this. */
    private static final int EXCL = 10;

    /** Whether case {@code c} uses exclusive publications. */
    private static boolean exclusive(String c) {
        return c.endsWith(".excl");
    }

    /** Stream {@code id} of case {@code c}: its own for the exclusive cases. */
    private static int stream(String c, int id) {
        return exclusive(c) ? id + EXCL : id;
    }

    private Publication publication(String c, int id) {
        return exclusive(c) ? aeron.addExclusivePublication(IPC, stream(c, id)) : aeron.addPublication(IPC, id);
    }

    @Override
    public String setup(String c) throws Exception {
        stop = false;
        Runnable loop;
        if (c.equals("rtt") || c.equals("rtt.excl")) {
            sub = aeron.addSubscription(IPC, stream(c, 1001));
            pub = publication(c, 1002);
            FragmentHandler echo = (buf, off, len, hdr) -> {
                while (pub.offer(buf, off, len) < 0 && !stop) {
                    Thread.onSpinWait();
                }
            };
            loop = () -> {
                while (!stop) {
                    if (sub.poll(echo, 10) == 0) {
                        Thread.onSpinWait();
                    }
                }
            };
        } else if (c.equals("ow")) {
            // One-way: on each go (carrying n) from B, stamp n and System.nanoTime() into a message at once.
            sub = aeron.addSubscription(IPC, 1004);
            pub = aeron.addPublication(IPC, 1005);
            UnsafeBuffer out = new UnsafeBuffer(ByteBuffer.allocateDirect(SIZE));
            FragmentHandler stamp = (buf, off, len, hdr) -> {
                out.putLong(0, buf.getLong(off));
                out.putLong(8, System.nanoTime());
                while (pub.offer(out, 0, SIZE) < 0 && !stop) {
                    Thread.onSpinWait();
                }
            };
            loop = () -> {
                while (!stop) {
                    if (sub.poll(stamp, 10) == 0) {
                        Thread.onSpinWait();
                    }
                }
            };
        } else {
            pub = publication(c, 1003);
            UnsafeBuffer buf = new UnsafeBuffer(ByteBuffer.allocateDirect(SIZE));
            loop = () -> {
                while (!stop) {
                    if (pub.offer(buf, 0, SIZE) < 0) {
                        Thread.onSpinWait();
                    }
                }
            };
        }
        worker = new Thread(loop, "bench-aeron-" + c);
        worker.setDaemon(true);
        worker.start();
        return "-";
    }

    @Override
    public double[] run(String c, String arg) throws Exception {
        if (c.equals("rtt") || c.equals("rtt.excl")) {
            try (Publication p = publication(c, 1001); Subscription s = aeron.addSubscription(IPC, stream(c, 1002))) {
                Measure.await("aeron rtt connected", 30_000, () -> p.isConnected() && s.isConnected());
                UnsafeBuffer buf = new UnsafeBuffer(ByteBuffer.allocateDirect(SIZE));
                long[] got = {0};
                FragmentHandler h = (b, off, len, hdr) -> got[0] = b.getLong(off);
                return Measure.roundTrips(n -> exchange(p, s, h, buf, n, got));
            }
        }
        if (c.equals("ow")) {
            try (Publication p = aeron.addPublication(IPC, 1004); Subscription s = aeron.addSubscription(IPC, 1005)) {
                Measure.await("aeron ow connected", 30_000, () -> p.isConnected() && s.isConnected());
                UnsafeBuffer buf = new UnsafeBuffer(ByteBuffer.allocateDirect(SIZE));
                long[] got = {0, 0}; // n, one-way ns
                FragmentHandler h = (b, off, len, hdr) -> {
                    long now = System.nanoTime(); // same clock as the sender's stamp (CLOCK_MONOTONIC)
                    got[0] = b.getLong(off);
                    got[1] = now - b.getLong(off + 8);
                };
                return Measure.oneWays(n -> {
                    exchange(p, s, h, buf, n, got);
                    return got[1];
                });
            }
        }
        try (Subscription s = aeron.addSubscription(IPC, stream(c, 1003))) {
            Measure.await("aeron rate connected", 30_000, s::isConnected);
            FragmentHandler h = (b, off, len, hdr) -> { };
            return Measure.rate(() -> s.poll(h, 256), SIZE);
        }
    }

    /** Sends {@code n} (spinning while the publication is back-pressured), then polls until the handler saw {@code n} come back in {@code got[0]}. */
    private static void exchange(Publication p, Subscription s, FragmentHandler h, UnsafeBuffer buf, long n, long[] got) {
        buf.putLong(0, n);
        while (p.offer(buf, 0, SIZE) < 0) {
            Thread.onSpinWait();
        }
        while (got[0] != n) {
            if (s.poll(h, 1) == 0) {
                Thread.onSpinWait();
            }
        }
    }

    @Override
    public void finish(String c) throws Exception {
        stop = true;
        if (worker != null) {
            worker.join(10_000);
            worker = null;
        }
        if (pub != null) {
            pub.close();
            pub = null;
        }
        if (sub != null) {
            sub.close();
            sub = null;
        }
    }

    @Override
    public void close() throws Exception {
        finish("");
        aeron.close();
        if (driver != null) {
            driver.close();
            deleteTree(Path.of(dir));
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
