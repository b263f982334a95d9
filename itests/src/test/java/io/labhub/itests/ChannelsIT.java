package io.labhub.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelNotFoundException;
import io.labhub.api.ChannelState;
import io.labhub.api.ChannelTimeoutException;
import io.labhub.api.ConsumerOptions;
import io.labhub.api.Hub;
import io.labhub.api.Message;
import io.labhub.api.Publisher;
import io.labhub.api.RemoteException;
import io.labhub.api.RequestClient;
import io.labhub.api.RequestServer;
import io.labhub.api.ShmConsumer;
import io.labhub.api.ShmOptions;
import io.labhub.api.ShmProducer;
import io.labhub.api.Subscriber;
import io.labhub.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * Data through the Hub on all three channel kinds, with the real broker (registration, discovery), the
 * real transports and CURVE, in one framework; and a hot-deployed driver's channel appearing and going
 * away with its bundle.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ChannelsIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    private Hub hub;

    static Path deployDir() {
        return It.workDir().resolve("pax-channels-deploy");
    }

    @Configuration
    public Option[] config() throws Exception {
        Path home = It.workDir().resolve("pax-channels-home");
        PaxFeatures.freshDirectories(deployDir(), home);
        return PaxFeatures.framework(deployDir(), home, "boot", "framework", "base", "broker", "core", "shm", "zmq");
    }

    private void awaitBroker() {
        Await.until("Hub connected to the broker", WAIT, () -> hub.status().brokerConnected());
        assertEquals(EnumSet.allOf(ChannelKind.class), hub.status().transports());
    }

    @Test
    public void pubSubThroughTheHub() {
        awaitBroker();
        try (Publisher pub = hub.createPublisher("it.thermometer");
             Subscriber sub = hub.openSubscriber("it.thermometer", ConsumerOptions.DEFAULTS.withWaitForChannel(WAIT))) {
            ChannelInfo info = hub.find("it.thermometer").orElseThrow();
            assertEquals(ChannelKind.PUBSUB, info.kind());
            assertEquals(ChannelState.ACTIVE, info.state());
            assertEquals(hub.status().clientKey(), info.producer());

            // The subscriber connects in the background; publish until the first message arrives.
            Message first = null;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (first == null && System.nanoTime() < deadline) {
                pub.publish("21.5".getBytes(StandardCharsets.UTF_8));
                first = sub.poll().orElse(null);
                if (first == null) {
                    try {
                        first = sub.receive(Duration.ofMillis(100));
                    } catch (ChannelTimeoutException e) {
                        // not connected yet: publish again
                    }
                }
            }
            assertTrue("no message within " + WAIT, first != null);
            assertEquals("21.5", new String(first.payload(), StandardCharsets.UTF_8));
            long next = pub.publish("21.6".getBytes(StandardCharsets.UTF_8));
            Message m = first;
            while (m.sequence() < next) {
                m = sub.receive(WAIT);
            }
            assertEquals(next, m.sequence());
            assertEquals("21.6", new String(m.payload(), StandardCharsets.UTF_8));
            assertTrue(pub.counters().messagesSent() >= 2);
            assertTrue(sub.counters().messagesReceived() >= 2);
        }
        Await.until("closed publisher unregistered", WAIT,
                () -> hub.find("it.thermometer").map(i -> i.state() != ChannelState.ACTIVE).orElse(true));
    }

    @Test
    public void requestReplyThroughTheHub() {
        awaitBroker();
        try (RequestServer server = hub.createServer("it.stage", request -> {
                 String text = new String(request, StandardCharsets.UTF_8);
                 if (text.startsWith("move ")) {
                     double mm = Double.parseDouble(text.substring(5));
                     if (mm > 100) {
                         throw new IllegalArgumentException("out of range: " + mm + " mm > 100 mm");
                     }
                     return ("at " + mm).getBytes(StandardCharsets.UTF_8);
                 }
                 throw new IllegalArgumentException("unknown command " + text);
             });
             RequestClient client = hub.openClient("it.stage", ConsumerOptions.DEFAULTS.withWaitForChannel(WAIT))) {
            assertEquals("at 12.5", new String(client.request("move 12.5".getBytes(StandardCharsets.UTF_8), WAIT), StandardCharsets.UTF_8));
            RemoteException e = assertThrows(RemoteException.class,
                    () -> client.request("move 500".getBytes(StandardCharsets.UTF_8), WAIT));
            assertTrue(e.getMessage(), e.getMessage().contains("out of range"));
            assertEquals(ChannelKind.REQREP, hub.find("it.stage").orElseThrow().kind());
        }
    }

    @Test
    public void sharedMemoryThroughTheHub() {
        awaitBroker();
        try (ShmProducer producer = hub.createShmProducer("it.camera", ShmOptions.DEFAULTS.withSlots(64 * 1024, 8));
             ShmConsumer consumer = hub.openShmConsumer("it.camera", ConsumerOptions.DEFAULTS.withWaitForChannel(WAIT))) {
            byte[] frame = new byte[40_000];
            for (int i = 0; i < frame.length; i++) {
                frame[i] = (byte) (i * 31);
            }
            long seq = producer.publish(frame);
            Message m = consumer.read(WAIT);
            assertEquals(seq, m.sequence());
            assertArrayEquals(frame, m.payload());
            ChannelInfo info = hub.find("it.camera").orElseThrow();
            assertEquals(ChannelKind.SHM, info.kind());
            Await.until("consumer attach counted by the broker", WAIT,
                    () -> hub.find("it.camera").map(ChannelInfo::consumers).orElse(0) == 1);
        }
    }

    @Test
    public void unknownChannelIsATypedErrorNotAWait() {
        awaitBroker();
        ChannelNotFoundException e = assertThrows(ChannelNotFoundException.class, () -> hub.openSubscriber("it.nobody"));
        assertTrue(e.getMessage(), e.getMessage().contains("it.nobody"));
        assertThrows(ChannelNotFoundException.class, () -> hub.openShmConsumer("it.nobody"));
        assertThrows(ChannelNotFoundException.class, () -> hub.openClient("it.nobody"));
    }

    @Test
    public void hotDeployedDriverChannelComesAndGoesWithItsBundle() throws Exception {
        awaitBroker();
        Path jar = deployDir().resolve("labhub-sample-driver.jar");
        Files.copy(It.sampleDriverJar(), jar, StandardCopyOption.REPLACE_EXISTING);
        Await.until("sample.status registered", WAIT, () -> active("sample.status"));
        try (Subscriber sub = hub.openSubscriber("sample.status")) {
            Message m = sub.receive(WAIT);
            assertTrue(new String(m.payload(), StandardCharsets.UTF_8).endsWith(" ok"));
        }
        Files.delete(jar);
        Await.until("sample.status gone with its bundle", WAIT, () -> !active("sample.status"));
        assertFalse(active("sample.status"));
    }

    private boolean active(String name) {
        Optional<ChannelInfo> info = hub.find(name);
        return info.isPresent() && info.get().state() == ChannelState.ACTIVE;
    }
}
