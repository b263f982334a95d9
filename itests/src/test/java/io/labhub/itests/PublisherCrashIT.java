package io.labhub.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.labhub.api.ChannelState;
import io.labhub.api.ChannelTimeoutException;
import io.labhub.api.ConsumerOptions;
import io.labhub.api.Hub;
import io.labhub.api.Message;
import io.labhub.api.Subscriber;
import io.labhub.launcher.LabHub;
import io.labhub.testkit.Await;
import io.labhub.testkit.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.Test;

/**
 * A publisher in another JVM, found through the broker, is SIGKILLed and restarted: the subscriber in
 * this JVM resumes by itself (broker event, reconnect) and counts the loss. Two real LabHub processes.
 */
public class PublisherCrashIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String CHANNEL = "crash.counter";

    /** Two homes sharing one allow-list: A runs the broker (ports chosen now), B's Hub is pointed at it later. */
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
        int port = It.freePort();
        int eventsPort = It.freePort();
        Files.writeString(homeA.resolve("conf/io.labhub.broker.cfg"), "endpoint = tcp://127.0.0.1:" + port
                + "\neventsEndpoint = tcp://127.0.0.1:" + eventsPort + "\n");
        Files.writeString(homeA.resolve("conf/io.labhub.core.cfg"), "broker.endpoint = tcp://127.0.0.1:" + port + "\n");
        return new Path[] {homeA, homeB};
    }

    /** Once A's key exists: points B's Hub at A's broker. */
    static void pointAtBroker(Path homeA, Path homeB) throws IOException {
        String brokerKey = keyIn(homeA.resolve("conf/keys/labhub.pub"));
        String endpoint = Files.readAllLines(homeA.resolve("conf/io.labhub.core.cfg")).stream()
                .filter(l -> l.startsWith("broker.endpoint")).findFirst().orElseThrow();
        Files.writeString(homeB.resolve("conf/io.labhub.core.cfg"), endpoint + "\nbroker.publicKey = " + brokerKey + "\n");
    }

    @Test
    public void subscriberResumesAfterThePublisherIsKilledAndRestarted() throws Exception {
        Path[] homes = homes("crash");
        Path homeA = homes[0];
        Path homeB = homes[1];
        try (LabHub lab = LabHub.builder().home(homeA).featuresDir(It.featuresDir())
                .features("boot", "framework", "base", "broker", "core", "zmq").start()) {
            Hub hub = lab.hub(WAIT);
            Await.until("this Hub connected to its broker", WAIT, () -> hub.status().brokerConnected());
            pointAtBroker(homeA, homeB);

            ChildJvm first = startPublisher(homeB);
            try (Subscriber sub = hub.openSubscriber(CHANNEL, ConsumerOptions.DEFAULTS.withWaitForChannel(WAIT))) {
                Message before = sub.receive(WAIT);
                for (int i = 0; i < 50; i++) {
                    before = sub.receive(WAIT);
                }
                first.kill(); // SIGKILL; returns once the process is gone
                Await.until("broker declares the producer lost", WAIT,
                        () -> hub.find(CHANNEL).map(i -> i.state() == ChannelState.PRODUCER_LOST).orElse(true));

                // The killed publisher's last messages may still be queued here. It is dead (waitFor above), so
                // nothing of its session can arrive any more: drain until the queue is empty. (The reconnect
                // counter does not mark the switch: it counts when the connection comes back, which can be
                // before the old session's queue is read.)
                boolean queued = true;
                while (queued) {
                    try {
                        sub.receive(Duration.ofMillis(300));
                    } catch (ChannelTimeoutException empty) {
                        queued = false;
                    }
                }
                ChildJvm second = startPublisher(homeB);
                try {
                    Message after = sub.receive(WAIT); // the new session's first message: the queue was drained
                    assertTrue("reconnect counted", sub.counters().reconnects() >= 1);
                    Message later = sub.receive(WAIT);
                    assertEquals("sequence and skipped agree after the restart", after.sequence() + 1 + later.skipped(), later.sequence());
                    assertEquals(ChannelState.ACTIVE, hub.find(CHANNEL).orElseThrow().state());
                    assertTrue("messages before the crash: " + before.sequence(), before.sequence() >= 50);
                } finally {
                    second.close();
                }
            } finally {
                first.close();
            }
        }
    }

    private static ChildJvm startPublisher(Path home) throws IOException {
        return startPublisher(home, CHANNEL, "pubsub");
    }

    /** A publisher JVM (PublisherProcess) on home B; its output also goes to HOME/publisher.log. */
    static ChildJvm startPublisher(Path home, String channel, String kind) throws IOException {
        return ChildJvm.main(PublisherProcess.class).jvmArgs("-Dlabhub.features.dir=" + It.featuresDir())
                .args(home.toString(), channel, kind).log(home.resolve("publisher.log")).start();
    }

    private static String keyIn(Path file) throws IOException {
        return Files.readAllLines(file).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).findFirst().orElseThrow();
    }
}
