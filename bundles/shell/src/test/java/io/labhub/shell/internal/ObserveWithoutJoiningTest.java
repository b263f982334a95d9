package io.labhub.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.labhub.api.ChannelCounters;
import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelNotFoundException;
import io.labhub.api.InvalidInputException;
import io.labhub.api.Publisher;
import io.labhub.api.ShmOptions;
import io.labhub.api.ShmPolicy;
import io.labhub.api.ShmProducer;
import io.labhub.api.ZmqOptions;
import io.labhub.core.internal.ShellTestRuntimes;
import io.labhub.testkit.Await;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * hub:stats and hub:channels observe without joining (issue 14 item 4), against real runtime pieces: a
 * broker, a "lab" runtime whose drivers produce, and the shell's own runtime. The shell's transports
 * count every consumer opened through them; the broker's attach count and the reliable producer's
 * own counters show that nothing waited for the shell.
 */
public class ObserveWithoutJoiningTest {

    @Rule
    public final TemporaryFolder folder = new TemporaryFolder();

    private ShellTestRuntimes runtimes;
    private ShellTestRuntimes.Runtime lab;
    private ShellTestRuntimes.Runtime shell;
    private final HubCommands commands = new HubCommands();
    private final AtomicBoolean stop = new AtomicBoolean();
    private CompletableFuture<Void> driver = CompletableFuture.completedFuture(null);
    /** Threads of their own for the driver and the command (the common pool may have one thread on 2 cores). */
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "observe-test");
        t.setDaemon(true);
        return t;
    });

    @Before
    public void start() throws Exception {
        runtimes = new ShellTestRuntimes(folder.newFolder().toPath());
        lab = runtimes.runtime("lab");
        shell = runtimes.runtime("shell");
        commands.bindHub(shell.hub);
    }

    @After
    public void stop() throws Exception {
        stop.set(true);
        driver.get(30, TimeUnit.SECONDS);
        threads.shutdownNow();
        commands.deactivate();
        runtimes.close();
    }

    /** Runs {@code publish} every 200 us on a driver thread until the test ends (a paced instrument). */
    private void drive(Runnable publish) {
        driver = CompletableFuture.runAsync(() -> {
            while (!stop.get()) {
                publish.run();
                LockSupport.parkNanos(200_000); // the instrument's pace, not a synchronisation
            }
        }, threads);
    }

    private void awaitAtBroker(String name) {
        Await.until(name + " registered at the broker", ShellTestRuntimes.WAIT, () -> runtimes.atBroker(name).isPresent());
    }

    /** The table's rows by channel name, cells split where the table put two or more spaces. */
    private static Map<String, String[]> rows(String table) {
        Map<String, String[]> rows = new TreeMap<>();
        for (String line : table.lines().toList()) {
            String[] cells = line.strip().split("\\s{2,}");
            if (cells.length > 2 && !cells[0].equals("NAME") && !line.startsWith("(")) {
                rows.put(cells[0], cells);
            }
        }
        return rows;
    }

    private static double rate(String cell) {
        return cell.equals("-") ? Double.NaN : Double.parseDouble(cell.replace("/s", ""));
    }

    @Test
    public void statsOnAReliableShmProducerOfAnotherRuntimeJoinsNothingAndShowsItsRate() throws Exception {
        // 4 slots, reliable, a 10 s wait for a slow consumer: an observer that joined the consumer table
        // without reading would stop this producer after 4 frames, for 10 s, and then be dropped.
        ShmProducer camera = lab.hub.createShmProducer("lab.camera", ShmOptions.DEFAULTS.withSlots(64, 4)
                .withPolicy(ShmPolicy.RELIABLE).withReliableTimeout(Duration.ofSeconds(10)));
        awaitAtBroker("lab.camera");
        byte[] frame = new byte[64];
        drive(() -> camera.publish(frame));
        Await.until("the camera publishing", ShellTestRuntimes.WAIT, () -> camera.counters().messagesSent() > 10);

        AtomicInteger mostConsumersAtBroker = new AtomicInteger();
        CompletableFuture<String> stats = CompletableFuture.supplyAsync(() -> commands.stats("lab.camera"), threads);
        long deadline = System.nanoTime() + ShellTestRuntimes.WAIT.toNanos();
        while (!stats.isDone() && System.nanoTime() < deadline) { // the broker's attach count while the command runs
            mostConsumersAtBroker.accumulateAndGet(runtimes.atBroker("lab.camera").orElseThrow().consumers(), Math::max);
            LockSupport.parkNanos(5_000_000); // sampling interval
        }
        String out = stats.get(ShellTestRuntimes.WAIT.toSeconds(), TimeUnit.SECONDS);

        String[] row = rows(out).get("lab.camera");
        assertTrue(out, row != null);
        assertEquals(out, "shm", row[1]);
        assertTrue("a rate for an active producer\n" + out, rate(row[3]) > 0);
        assertTrue(out, Long.parseLong(row[2]) > 0);
        assertTrue("read from the segment: the producer is in another runtime\n" + out, row[7].startsWith("shm segment header"));
        assertTrue("the window is said\n" + out, out.contains("500 ms apart"));

        assertEquals("consumers opened by the shell", 0, shell.consumersOpened.get());
        assertEquals("broker attach count while hub:stats ran", 0, mostConsumersAtBroker.get());
        assertEquals(0, runtimes.atBroker("lab.camera").orElseThrow().consumers());
        long before = camera.counters().messagesSent();
        Await.until("the reliable producer still publishing after hub:stats", ShellTestRuntimes.WAIT,
                () -> camera.counters().messagesSent() > before + 4);
        ChannelCounters k = camera.counters();
        assertEquals("the producer never timed out waiting for a consumer: " + k, 0, k.timeouts());
        assertEquals("no consumer dropped: " + k, 0, k.dropped());
    }

    @Test
    public void channelsShowsRatesOfLocalProducersAndSaysRemoteWithoutMeasuringIt() throws Exception {
        // In the shell's own runtime: a publisher (zmq) and a shm producer, both local.
        Publisher thermometer = shell.hub.createPublisher("lab.thermometer", ZmqOptions.DEFAULTS);
        ShmProducer frames = shell.hub.createShmProducer("lab.frames", ShmOptions.DEFAULTS.withSlots(64, 8));
        // In the lab runtime: a publisher whose counters the shell cannot reach.
        Publisher remote = lab.hub.createPublisher("lab.remote", ZmqOptions.DEFAULTS);
        lab.hub.createServer("lab.stage", request -> request);
        for (String n : List.of("lab.thermometer", "lab.frames", "lab.remote", "lab.stage")) {
            awaitAtBroker(n);
        }
        byte[] payload = new byte[16];
        drive(() -> {
            thermometer.publish(payload);
            frames.publish(payload);
            remote.publish(payload);
        });
        Await.until("publishing", ShellTestRuntimes.WAIT, () -> thermometer.counters().messagesSent() > 10);

        String out = commands.channels();
        Map<String, String[]> rows = rows(out);
        assertEquals(out, List.of("lab.frames", "lab.remote", "lab.stage", "lab.thermometer"), List.copyOf(rows.keySet()));
        assertTrue(out, rate(rows.get("lab.thermometer")[5]) > 0);
        assertTrue(out, rate(rows.get("lab.frames")[5]) > 0);
        assertTrue("a remote zmq producer: no rate\n" + out, Double.isNaN(rate(rows.get("lab.remote")[5])));
        assertTrue("a reqrep channel: no rate\n" + out, Double.isNaN(rate(rows.get("lab.stage")[5])));
        assertTrue("the window is said\n" + out, out.contains("500 ms apart"));

        String stats = commands.stats("lab.remote");
        String[] remoteRow = rows(stats).get("lab.remote");
        assertTrue(stats, remoteRow[7].startsWith("remote producer"));
        assertEquals(stats, "-", remoteRow[3]);

        assertEquals("consumers opened by the shell", 0, shell.consumersOpened.get());
        for (ChannelInfo c : shell.hub.channels()) {
            assertEquals(c.name() + " attach count", 0, c.consumers());
        }
    }

    @Test
    public void anUnknownChannelFailsFastWithATypedOneLineError() throws Exception {
        lab.hub.createPublisher("lab.known", ZmqOptions.DEFAULTS);
        awaitAtBroker("lab.known");

        ChannelNotFoundException e = assertThrows(ChannelNotFoundException.class, () -> commands.stats("no.such.channel"));
        assertTrue(e.getMessage(), e.getMessage().contains("no channel named 'no.such.channel'"));
        assertFalse("one line: " + e.getMessage(), e.getMessage().contains("\n"));
        InvalidInputException bad = assertThrows(InvalidInputException.class, () -> commands.stats("9 not a name"));
        assertFalse("one line: " + bad.getMessage(), bad.getMessage().contains("\n"));
        // Answered from the directory alone: nothing was opened to find out.
        assertEquals(0, shell.consumersOpened.get());
        assertTrue(Arrays.toString(rows(commands.stats()).keySet().toArray()), rows(commands.stats()).containsKey("lab.known"));
        assertEquals(0, shell.consumersOpened.get());
    }
}
