package io.labhub.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.labhub.api.ChannelState;
import io.labhub.api.ConsumerOptions;
import io.labhub.api.Hub;
import io.labhub.api.Message;
import io.labhub.api.Subscriber;
import io.labhub.launcher.LabHub;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/**
 * A publisher in another JVM, found through the broker, is SIGKILLed and restarted: the subscriber in
 * this JVM resumes by itself (broker event, reconnect) and counts the loss. Two real LabHub processes.
 */
public class PublisherCrashIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String CHANNEL = "crash.counter";

    /** Two homes sharing one allow-list: A runs the broker (port 5600), B's Hub is pointed at it later. */
    static Path[] homes(String name) throws IOException {
        Path root = It.workDir().resolve(name);
        It.deleteTree(root);
        Path allow = root.resolve("allowed_keys"); // one allow-list for both processes: each admits the other
        Path homeA = root.resolve("a");
        Path homeB = root.resolve("b");
        Files.createDirectories(homeA.resolve("conf"));
        Files.createDirectories(homeB.resolve("conf"));
        Files.writeString(homeA.resolve("conf/io.labhub.security.cfg"), "allowList = " + allow + "\n");
        Files.writeString(homeB.resolve("conf/io.labhub.security.cfg"), "allowList = " + allow + "\n");
        Files.writeString(homeA.resolve("conf/io.labhub.broker.cfg"), "endpoint = tcp://127.0.0.1:5600\neventsEndpoint = tcp://127.0.0.1:5601\n");
        Files.writeString(homeA.resolve("conf/io.labhub.core.cfg"), "broker.endpoint = tcp://127.0.0.1:5600\n");
        return new Path[] {homeA, homeB};
    }

    /** Once A's key exists: points B's Hub at A's broker. */
    static void pointAtBroker(Path homeA, Path homeB) throws IOException {
        String brokerKey = keyIn(homeA.resolve("conf/keys/labhub.pub"));
        Files.writeString(homeB.resolve("conf/io.labhub.core.cfg"),
                "broker.endpoint = tcp://127.0.0.1:5600\nbroker.publicKey = " + brokerKey + "\n");
    }

    @Test
    public void subscriberResumesAfterThePublisherIsKilledAndRestarted() throws Exception {
        Path[] homes = homes("crash");
        Path homeA = homes[0];
        Path homeB = homes[1];
        try (LabHub lab = LabHub.builder().home(homeA).featuresDir(It.featuresDir())
                .features("boot", "framework", "base", "broker", "core", "zmq").start()) {
            Hub hub = lab.hub(WAIT);
            It.await("this Hub connected to its broker", WAIT, () -> hub.status().brokerConnected());
            pointAtBroker(homeA, homeB);

            Process first = startPublisher(homeB);
            try (Subscriber sub = hub.openSubscriber(CHANNEL, ConsumerOptions.DEFAULTS.withWaitForChannel(WAIT))) {
                Message before = sub.receive(WAIT);
                for (int i = 0; i < 50; i++) {
                    before = sub.receive(WAIT);
                }
                first.destroyForcibly(); // SIGKILL
                assertTrue(first.waitFor(30, TimeUnit.SECONDS));
                It.await("broker declares the producer lost", WAIT,
                        () -> hub.find(CHANNEL).map(i -> i.state() == ChannelState.PRODUCER_LOST).orElse(true));

                Process second = startPublisher(homeB);
                try {
                    // Messages of the killed publisher may still be queued here; read until the switch to the
                    // new session has been counted, then check that numbering and loss accounting agree.
                    long deadline = System.nanoTime() + WAIT.toNanos();
                    while (sub.counters().reconnects() < 1 && System.nanoTime() < deadline) {
                        sub.receive(WAIT);
                    }
                    assertTrue("reconnect counted", sub.counters().reconnects() >= 1);
                    Message after = sub.receive(WAIT);
                    Message later = sub.receive(WAIT);
                    assertEquals("sequence and skipped agree after the restart", after.sequence() + 1 + later.skipped(), later.sequence());
                    assertEquals(ChannelState.ACTIVE, hub.find(CHANNEL).orElseThrow().state());
                    assertTrue("messages before the crash: " + before.sequence(), before.sequence() >= 50);
                } finally {
                    second.destroyForcibly();
                    second.waitFor(30, TimeUnit.SECONDS);
                }
            } finally {
                first.destroyForcibly();
            }
        }
    }

    private static Process startPublisher(Path home) throws IOException {
        return startPublisher(home, CHANNEL, "pubsub");
    }

    static Process startPublisher(Path home, String channel, String kind) throws IOException {
        List<String> cmd = List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED",
                "-Dlabhub.features.dir=" + It.featuresDir(),
                "-cp", System.getProperty("java.class.path"),
                PublisherProcess.class.getName(), home.toString(), channel, kind);
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(home.resolve("publisher.log").toFile()).start();
    }

    private static String keyIn(Path file) throws IOException {
        return Files.readAllLines(file).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).findFirst().orElseThrow();
    }
}
