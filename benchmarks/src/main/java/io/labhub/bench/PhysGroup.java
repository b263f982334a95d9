package io.labhub.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * The physical limits: a cache-line ping-pong and a futex round trip between the two processes over a
 * shared mapped file in /dev/shm, and memcpy ({@link MemorySegment#copy}) bandwidth in side B.
 */
final class PhysGroup implements Group {

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    // Each word on its own cache line (and then some, against adjacent-line prefetch).
    private static final long PING = 0;
    private static final long PONG = 128;
    private static final long FPING = 256;
    private static final long FPONG = 384;
    /** Slots of the memcpy destination ring; LabHubGroup's shm throughput channels have as many. */
    static final int RING = 4;

    private final Arena arena = Arena.ofShared();
    private String side;
    private Path file;
    private MemorySegment seg;
    private volatile boolean stop;
    private Thread echo;

    @Override
    public String init(String side, Map<String, String> params) throws Exception {
        this.side = side;
        if (side.equals("A")) {
            file = Files.createTempFile(Path.of("/dev/shm"), "labhub-bench-pp-", ".bin");
            Files.write(file, new byte[4096]);
        } else {
            file = Path.of(params.get("peer"));
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            seg = ch.map(FileChannel.MapMode.READ_WRITE, 0, 4096, arena);
        }
        return file.toString();
    }

    @Override
    public String setup(String c) {
        stop = false;
        // Read the starting values here, before answering: B may ping as soon as setup returns.
        long startPing = (long) LONG.getAcquire(seg, PING);
        int startFutex = (int) INT.getAcquire(seg, FPING);
        Runnable loop = switch (c) {
            case "pingpong" -> () -> {
                long last = startPing;
                while (!stop) {
                    long v = (long) LONG.getAcquire(seg, PING);
                    if (v != last) {
                        last = v;
                        LONG.setRelease(seg, PONG, v);
                    } else {
                        Thread.onSpinWait();
                    }
                }
            };
            case "futex" -> () -> {
                Futex futex = new Futex();
                long base = seg.address();
                int last = startFutex;
                while (!stop) {
                    int v = (int) INT.getAcquire(seg, FPING);
                    if (v != last) {
                        last = v;
                        INT.setRelease(seg, FPONG, v);
                        futex.wake(base + FPONG);
                    } else {
                        futex.await(base + FPING, last, 50_000_000L);
                    }
                }
            };
            default -> null; // memcpy: side B alone
        };
        if (loop != null) {
            echo = new Thread(loop, "bench-echo-" + c);
            echo.setDaemon(true);
            echo.start();
        }
        return "-";
    }

    @Override
    public double[] run(String c, String arg) throws Exception {
        if (c.equals("pingpong")) {
            long base = (long) LONG.getAcquire(seg, PING);
            return Measure.roundTrips(n -> {
                long v = base + n;
                LONG.setRelease(seg, PING, v);
                while ((long) LONG.getAcquire(seg, PONG) != v) {
                    Thread.onSpinWait();
                }
            });
        }
        if (c.equals("futex")) {
            Futex futex = new Futex();
            long addr = seg.address();
            int base = (int) INT.getAcquire(seg, FPING);
            return Measure.roundTrips(n -> {
                int v = (int) (base + n);
                INT.setRelease(seg, FPING, v);
                futex.wake(addr + FPING);
                int p;
                while ((p = (int) INT.getAcquire(seg, FPONG)) != v) {
                    futex.await(addr + FPONG, p, 1_000_000_000L);
                }
            });
        }
        if (c.startsWith("memcpy.")) {
            long size = Long.parseLong(c.substring("memcpy.".length()));
            // Frames copied into a ring of RING slots, like the shm producer does: the same working set,
            // so the floor is not flattered by a destination that always stays in cache.
            try (Arena a = Arena.ofConfined()) {
                MemorySegment src = a.allocate(size, 4096);
                MemorySegment dst = a.allocate(size * RING, 4096);
                for (long i = 0; i < size; i += 8) {
                    src.set(ValueLayout.JAVA_LONG, i, i * 31);
                }
                dst.fill((byte) 1);
                long[] slot = {0};
                return Measure.rate(() -> {
                    MemorySegment.copy(src, 0, dst, (slot[0]++ % RING) * size, size);
                    return 1;
                }, size);
            }
        }
        throw new IllegalArgumentException("unknown case " + c);
    }

    @Override
    public void finish(String c) throws Exception {
        stop = true;
        if (echo != null) {
            echo.join(5000);
            echo = null;
        }
    }

    @Override
    public void close() throws Exception {
        finish("");
        if ("A".equals(side) && file != null) {
            Files.deleteIfExists(file);
        }
    }
}
