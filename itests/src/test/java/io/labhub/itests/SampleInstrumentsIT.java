package io.labhub.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.labhub.api.ChannelClosedException;
import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelState;
import io.labhub.api.ChannelTimeoutException;
import io.labhub.api.ConsumerOptions;
import io.labhub.api.Hub;
import io.labhub.api.InvalidInputException;
import io.labhub.api.Message;
import io.labhub.api.RequestClient;
import io.labhub.api.ShmConsumer;
import io.labhub.api.ShmFrame;
import io.labhub.api.Subscriber;
import io.labhub.testkit.Await;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * The three sample instruments hot-deployed into one framework (real broker, transports, CURVE): every
 * channel discoverable, data on all three kinds through the Hub, typed errors from the stage, and a
 * shared-memory consumer that sees the camera go (its jar removed) and come back (its jar restored).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SampleInstrumentsIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    /** The camera's default frame size (no .cfg here: the sample runs as shipped). */
    private static final int WIDTH = 1024;
    private static final int HEIGHT = 1024;

    @Inject
    private Hub hub;

    static Path deployDir() {
        return It.workDir().resolve("pax-samples-deploy");
    }

    static Path parkDir() {
        return It.workDir().resolve("pax-samples-parked");
    }

    @Configuration
    public Option[] config() throws Exception {
        Path home = It.workDir().resolve("pax-samples-home");
        PaxFeatures.freshDirectories(deployDir(), home);
        It.deleteTree(parkDir());
        Files.createDirectories(parkDir());
        return PaxFeatures.framework(deployDir(), home, "boot", "framework", "base", "broker", "core", "shm", "zmq");
    }

    private boolean active(String name) {
        return hub.find(name).map(i -> i.state() == ChannelState.ACTIVE).orElse(false);
    }

    /**
     * Deploys the samples once every transport is there (the runtime's start levels guarantee that order;
     * Pax Exam's FileInstall starts earlier, so the test drops the jars itself, as a user would).
     */
    private void awaitSamples() throws java.io.IOException {
        Await.until("all transports", WAIT, () -> hub.status().transports().equals(java.util.EnumSet.allOf(ChannelKind.class)));
        for (String sample : new String[] {"camera", "thermometer", "stage"}) {
            String jar = "labhub-sample-" + sample + ".jar";
            if (!Files.exists(deployDir().resolve(jar)) && !Files.exists(parkDir().resolve(jar))) {
                Files.copy(It.samplesDir().resolve(jar), deployDir().resolve(jar));
            }
        }
        for (String name : new String[] {"camera1.frames", "lab.thermometer", "stage.x"}) {
            Await.until(name + " registered", WAIT, () -> active(name));
        }
    }

    @Test
    public void everySampleChannelIsDiscoverableWithItsKindAndMetadata() throws Exception {
        awaitSamples();
        Map<String, ChannelKind> expected = Map.of("camera1.frames", ChannelKind.SHM, "lab.thermometer", ChannelKind.PUBSUB,
                "stage.x", ChannelKind.REQREP);
        expected.forEach((name, kind) -> assertEquals(name, kind, hub.find(name).orElseThrow().kind()));
        ChannelInfo camera = hub.find("camera1.frames").orElseThrow();
        assertEquals(Integer.toString(WIDTH), camera.metadata().get("width"));
        assertEquals("mono16", camera.metadata().get("pixelFormat"));
        assertEquals("mm", hub.find("stage.x").orElseThrow().metadata().get("unit"));
    }

    @Test
    public void dataFlowsOnAllThreeKinds() throws Exception {
        awaitSamples();
        try (Subscriber thermometer = hub.openSubscriber("lab.thermometer", ConsumerOptions.DEFAULTS.withWaitForChannel(WAIT))) {
            Message reading = thermometer.receive(WAIT);
            String json = new String(reading.payload(), StandardCharsets.UTF_8);
            assertTrue(json, json.matches("\\{\"sensor\":\"lab-1\",\"celsius\":\\d+\\.\\d{3},\"time\":\"[^\"]+\"}"));
        }
        try (ShmConsumer camera = hub.openShmConsumer("camera1.frames", ConsumerOptions.DEFAULTS.withWaitForChannel(WAIT));
             ShmFrame frame = camera.next(WAIT)) {
            var s = frame.segment();
            assertEquals(32 + WIDTH * HEIGHT * 2, s.byteSize());
            var order = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
            assertEquals(WIDTH, s.get(order, 16));
            assertEquals(HEIGHT, s.get(order, 20));
            assertEquals(frame.sequence(), s.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0));
            assertTrue("frame overwritten while read", frame.release());
        }
        try (RequestClient stage = hub.openClient("stage.x", ConsumerOptions.DEFAULTS.withWaitForChannel(WAIT))) {
            assertTrue(text(stage.request(bytes("move 1.5"), WAIT)).startsWith("moved to 1.500 mm"));
            assertEquals("position 1.500 mm", text(stage.request(bytes("position"), WAIT)));
            InvalidInputException range = assertThrows(InvalidInputException.class, () -> stage.request(bytes("move 101"), WAIT));
            assertTrue(range.getMessage(), range.getMessage().contains("outside the travel range"));
            InvalidInputException unknown = assertThrows(InvalidInputException.class, () -> stage.request(bytes("dance"), WAIT));
            assertTrue(unknown.getMessage(), unknown.getMessage().contains("unknown command 'dance'"));
            assertEquals("position 1.500 mm", text(stage.request(bytes("position"), WAIT))); // errors moved nothing
        }
    }

    @Test
    public void aConsumerSeesTheCameraGoAndComeBack() throws Exception {
        awaitSamples();
        Path jar = deployDir().resolve("labhub-sample-camera.jar");
        Path parked = parkDir().resolve("labhub-sample-camera.jar");
        ShmConsumer camera = hub.openShmConsumer("camera1.frames", ConsumerOptions.DEFAULTS.withWaitForChannel(WAIT));
        try {
            camera.next(WAIT).close();

            Files.move(jar, parked, StandardCopyOption.REPLACE_EXISTING);
            Await.until("camera1.frames unregistered with its bundle", WAIT, () -> !active("camera1.frames"));
            Await.until("consumer notices the producer is gone", WAIT, () -> !camera.producerAlive());

            Files.copy(parked, jar);
            Await.until("camera1.frames registered again", WAIT, () -> active("camera1.frames"));
            // as the frame-stats sample does: keep reading, open again if the old consumer was closed
            long deadline = System.nanoTime() + WAIT.toNanos();
            ShmConsumer reader = camera;
            boolean gotFrame = false;
            while (!gotFrame && System.nanoTime() < deadline) {
                try (ShmFrame f = reader.next(Duration.ofMillis(500))) {
                    gotFrame = f.segment().byteSize() == 32 + WIDTH * HEIGHT * 2;
                } catch (ChannelTimeoutException e) {
                    if (!reader.producerAlive()) {
                        if (reader != camera) {
                            reader.close();
                        }
                        reader = hub.openShmConsumer("camera1.frames", ConsumerOptions.DEFAULTS.withWaitForChannel(WAIT));
                    }
                } catch (ChannelClosedException e) {
                    reader = hub.openShmConsumer("camera1.frames", ConsumerOptions.DEFAULTS.withWaitForChannel(WAIT));
                }
            }
            if (reader != camera) {
                reader.close();
            }
            assertTrue("no frame from the restored camera within " + WAIT, gotFrame);
        } finally {
            camera.close();
            if (!Files.exists(jar) && Files.exists(parked)) {
                Files.copy(parked, jar);
            }
            Files.deleteIfExists(parked);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
