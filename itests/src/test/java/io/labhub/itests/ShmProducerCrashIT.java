package io.labhub.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelState;
import io.labhub.api.ChannelTimeoutException;
import io.labhub.api.ConsumerOptions;
import io.labhub.api.Hub;
import io.labhub.api.Message;
import io.labhub.api.ShmConsumer;
import io.labhub.launcher.LabHub;
import io.labhub.testkit.Await;
import io.labhub.testkit.ChildJvm;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.Test;

/**
 * A shared-memory producer in another LabHub JVM, found through the broker, is SIGKILLed: the consumer
 * here learns it is gone, a restarted producer on the same channel is picked up, and once everyone has
 * left no segment file is left in /dev/shm.
 */
public class ShmProducerCrashIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String CHANNEL = "crash.frames";

    @Test
    public void consumerSurvivesItsProducersDeathAndFollowsTheNextOne() throws Exception {
        Set<String> segmentsBefore = segments();
        Path[] homes = PublisherCrashIT.homes("shm-crash");
        try (LabHub lab = LabHub.builder().home(homes[0]).featuresDir(It.featuresDir())
                .features("boot", "framework", "base", "broker", "core", "shm").start()) {
            Hub hub = lab.hub(WAIT);
            Await.until("this Hub connected to its broker", WAIT, () -> hub.status().brokerConnected());
            PublisherCrashIT.pointAtBroker(homes[0], homes[1]);

            ChildJvm first = PublisherCrashIT.startPublisher(homes[1], CHANNEL, "shm");
            try (ShmConsumer consumer = hub.openShmConsumer(CHANNEL, ConsumerOptions.DEFAULTS.withWaitForChannel(WAIT))) {
                assertEquals(ChannelKind.SHM, hub.find(CHANNEL).orElseThrow().kind());
                Message m = consumer.read(WAIT);
                assertEquals(8, m.payload().length);
                assertTrue(consumer.producerAlive());

                first.kill(); // SIGKILL, possibly between claim and commit; returns once it is gone
                Await.until("consumer learns that its producer is gone", WAIT, () -> !consumer.producerAlive());
                Await.until("broker declares the producer lost", WAIT,
                        () -> hub.find(CHANNEL).map(i -> i.state() == ChannelState.PRODUCER_LOST).orElse(true));

                ChildJvm second = PublisherCrashIT.startPublisher(homes[1], CHANNEL, "shm");
                try {
                    Await.until("restarted producer picked up", WAIT, () -> {
                        try {
                            Message next = consumer.read(Duration.ofMillis(200));
                            return consumer.producerAlive() && ByteBuffer.wrap(next.payload()).getLong() >= 0;
                        } catch (ChannelTimeoutException e) {
                            return false;
                        }
                    });
                    Message a = consumer.read(WAIT);
                    Message b = consumer.read(WAIT);
                    assertTrue("frames in order from the new producer", b.sequence() > a.sequence());
                } finally {
                    second.kill();
                }
            } finally {
                first.close();
            }
            Await.until("no segment left in /dev/shm once producers are dead and the consumer closed", WAIT,
                    () -> segments().equals(segmentsBefore));
        }
        assertFalse(segments().stream().anyMatch(s -> !segmentsBefore.contains(s)));
    }

    private static Set<String> segments() {
        try (Stream<Path> s = Files.list(Path.of("/dev/shm"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("labhub-")).collect(Collectors.toSet());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
