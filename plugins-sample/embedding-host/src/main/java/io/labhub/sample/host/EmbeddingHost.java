package io.labhub.sample.host;

import io.labhub.api.ConsumerOptions;
import io.labhub.api.Hub;
import io.labhub.api.LabHubException;
import io.labhub.api.RequestClient;
import io.labhub.api.ShmConsumer;
import io.labhub.api.ShmFrame;
import io.labhub.launcher.LabHub;
import io.labhub.launcher.LaunchException;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Acquisition software in miniature: a plain {@code main} that embeds LabHub (a Felix framework in this
 * JVM, started by {@link LabHub}), consumes camera frames over shared memory and moves the stage through
 * the {@link Hub}, prints a summary and shuts down.
 *
 * <pre>
 * java -cp ... io.labhub.sample.host.EmbeddingHost RUNTIME_HOME HOST_HOME [FRAMES] [BROKER_ENDPOINT]
 * </pre>
 *
 * RUNTIME_HOME is a running LabHub runtime (with the camera and the stage in its deploy/); its features
 * are reused and its broker is the one this host talks to. HOST_HOME is this host's own home: its
 * configuration is written there ({@code conf/io.labhub.core.cfg}: the runtime's broker endpoint and
 * public key) and its key pair is created there at first start. The runtime must admit this host's key:
 * the host prints it, and waits (at most 60 s) until the broker answers, which it does once the key is in
 * the runtime's allow-list ({@code hub:allow KEY} in the runtime's shell, or a line in
 * {@code RUNTIME_HOME/conf/keys/allowed_keys}). See docs/walkthrough.md.
 *
 * <p>Exit codes: 0 done, 1 a channel failed, 2 bad usage, 3 LabHub did not start or was not admitted.
 */
public final class EmbeddingHost {

    /**
     * Every feature but the shell. The broker feature is there for its bundle's client library (the core
     * uses it); no broker runs, because the host's conf/ has no io.labhub.broker.cfg.
     */
    static final String[] FEATURES = {"boot", "framework", "base", "broker", "core", "shm", "zmq"};
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private EmbeddingHost() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length < 2 || args.length > 4) {
            err.println("usage: EmbeddingHost RUNTIME_HOME HOST_HOME [FRAMES] [BROKER_ENDPOINT]");
            return 2;
        }
        Path runtime = Path.of(args[0]).toAbsolutePath().normalize();
        Path home = Path.of(args[1]).toAbsolutePath().normalize();
        int frames;
        try {
            frames = args.length > 2 ? Integer.parseInt(args[2]) : 20;
            if (frames < 1) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            err.println("FRAMES must be a positive whole number, not '" + args[2] + "'");
            return 2;
        }
        String endpoint = args.length > 3 ? args[3] : "tcp://127.0.0.1:5570";
        try {
            configure(runtime, home, endpoint);
        } catch (IOException | IllegalStateException e) {
            err.println("cannot configure the host: " + e.getMessage());
            return 2;
        }
        try (LabHub lab = LabHub.builder().home(home).featuresDir(runtime.resolve("features")).features(FEATURES).start()) {
            Hub hub = lab.hub(Duration.ofSeconds(30));
            out.println("host key: " + hub.status().clientKey());
            out.flush();
            if (!awaitBroker(hub, Duration.ofSeconds(60))) {
                err.println("the broker at " + endpoint + " did not admit this host within 60 s (" + hub.status().message()
                        + "); admit its key in the runtime: hub:allow " + hub.status().clientKey());
                return 3;
            }
            out.println(readFrames(hub, frames));
            out.println(driveStage(hub));
            out.flush();
            return 0;
        } catch (LaunchException e) {
            err.println("LabHub did not start: " + e.getMessage());
            return 3;
        } catch (LabHubException e) {
            err.println(e.getClass().getSimpleName() + " (" + e.code() + "): " + e.getMessage());
            return 1;
        }
    }

    /** Writes the host's Hub configuration: the runtime's broker, and its public key as the server key. */
    static void configure(Path runtime, Path home, String endpoint) throws IOException {
        Path pub = runtime.resolve("conf/keys/labhub.pub");
        if (!Files.isRegularFile(pub)) {
            throw new IllegalStateException("no " + pub + ": start the runtime once so that it creates its key pair");
        }
        String key = Files.readAllLines(pub).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).findFirst()
                .orElseThrow(() -> new IllegalStateException(pub + " holds no key"));
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/io.labhub.core.cfg"), "# written by EmbeddingHost: the runtime's broker\n"
                + "broker.endpoint = " + endpoint + "\nbroker.publicKey = " + key + "\n");
    }

    private static boolean awaitBroker(Hub hub, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!hub.status().brokerConnected()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(100); // polling the Hub's status, bounded by the deadline
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** Reads frames zero-copy; the layout is the camera sample's (32-byte header, then 16-bit pixels). */
    private static String readFrames(Hub hub, int count) {
        long first = -1;
        long last = -1;
        long skipped = 0;
        long torn = 0;
        double meanSum = 0;
        int width = 0;
        int height = 0;
        long t0 = System.nanoTime();
        try (ShmConsumer frames = hub.openShmConsumer("camera1.frames", ConsumerOptions.DEFAULTS.withWaitForChannel(Duration.ofSeconds(30)))) {
            for (int i = 0; i < count; i++) {
                try (ShmFrame f = frames.next(Duration.ofSeconds(10))) {
                    MemorySegment s = f.segment();
                    width = s.get(INT, 16);
                    height = s.get(INT, 20);
                    double mean = mean(s, width, height);
                    if (!f.release()) {
                        torn++;
                        continue;
                    }
                    first = first < 0 ? f.sequence() : first;
                    last = f.sequence();
                    skipped += f.skipped();
                    meanSum += mean;
                }
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long good = count - torn;
        return String.format(Locale.ROOT, "camera1.frames: %d frames (#%d..#%d) of %dx%d in %.2f s, skipped %d, torn %d, mean intensity %.1f",
                good, first, last, width, height, seconds, skipped, torn, good == 0 ? Double.NaN : meanSum / good);
    }

    /** Mean of every 16th pixel: enough for a summary, cheap enough for any frame rate. */
    private static double mean(MemorySegment s, int width, int height) {
        long pixels = (long) width * height;
        if (pixels <= 0 || 32 + pixels * 2 > s.byteSize()) {
            return Double.NaN;
        }
        long sum = 0;
        long n = 0;
        for (long i = 0; i < pixels; i += 16) {
            sum += Short.toUnsignedInt(s.get(SHORT, 32 + i * 2));
            n++;
        }
        return (double) sum / n;
    }

    private static String driveStage(Hub hub) {
        try (RequestClient stage = hub.openClient("stage.x", ConsumerOptions.DEFAULTS.withWaitForChannel(Duration.ofSeconds(30)))) {
            String moved = text(stage.request("move 4".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10)));
            String position = text(stage.request("position".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5)));
            return "stage.x: " + moved + "; " + position;
        }
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
