package io.labhub.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.assertThrows;

import io.labhub.api.ChannelKind;
import io.labhub.api.Hub;
import io.labhub.api.InvalidInputException;
import io.labhub.api.TransportUnavailableException;
import io.labhub.testkit.Await;
import io.labhub.validation.Validator;
import java.net.BindException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;

/**
 * A real Felix with the {@code core} feature (and what it stands on), installed from the same feature
 * directories the runtime is assembled from.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class CoreFeatureIT {

    private static final String SAMPLE_BSN = "io.labhub.sample-driver";
    private static final String SAMPLE_SERVICE = "io.labhub.sample.driver.SampleDriver";

    @Inject
    private BundleContext context;

    @Inject
    private Hub hub;

    @Inject
    private Validator validator;

    /** The defaults a runtime on this machine listens on (request, events), held by this test while it runs. */
    private static final int[] DEFAULT_PORTS = {5570, 5571};

    /** Kept open until this JVM (one per test class) exits; referenced so that they stay reachable. */
    private static final List<ServerSocket> HELD = new ArrayList<>();

    static Path deployDir() {
        return It.workDir().resolve("pax-deploy");
    }

    static Path home() {
        return It.workDir().resolve("pax-home");
    }

    @Configuration
    public Option[] config() throws Exception {
        // The broker and the Hub on ports chosen now. To show that nothing falls back to the defaults, the test
        // holds 5570 and 5571 itself (when they are free: otherwise something else already does, a runtime
        // perhaps), as a runtime on this machine would: a broker binding them fails, a Hub connecting there
        // finds a socket that never speaks ZMTP, and hubAndValidatorServicesWork fails.
        for (int port : DEFAULT_PORTS) {
            try {
                HELD.add(new ServerSocket(port));
            } catch (BindException inUse) {
                // held by someone else: the same proof
            }
        }
        PaxFeatures.freshDirectories(deployDir(), home());
        return PaxFeatures.framework(deployDir(), home(), "boot", "framework", "base", "broker", "core");
    }

    @Test
    public void everyBundleIsActive() {
        List<String> wrong = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            boolean fragment = b.getHeaders().get(Constants.FRAGMENT_HOST) != null;
            if (b.getState() != (fragment ? Bundle.RESOLVED : Bundle.ACTIVE)) {
                wrong.add(b.getSymbolicName() + " state " + b.getState());
            }
        }
        assertTrue("bundles not active: " + wrong, wrong.isEmpty());
        List<String> names = Arrays.stream(context.getBundles()).map(Bundle::getSymbolicName).toList();
        for (String expected : List.of("io.labhub.api", "io.labhub.validation", "io.labhub.security", "io.labhub.broker", "io.labhub.broker-client",
                "io.labhub.core", "org.apache.felix.scr")) {
            assertTrue(expected + " missing from " + names, names.contains(expected));
        }
    }

    @Test
    public void hubAndValidatorServicesWork() throws Exception {
        try {
            Await.until("Hub connected to the embedded broker", Duration.ofSeconds(30), () -> hub.status().brokerConnected());
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; status: " + hub.status(), e);
        }
        assertEquals(PaxFeatures.brokerEndpoint(home()), hub.status().brokerEndpoint());
        assertEquals(40, hub.status().clientKey().length());
        assertNotNull(hub.status().lastBrokerContact());
        assertEquals(List.of(), hub.channels());
        assertEquals(Optional.empty(), hub.find("camera1.frames"));

        InvalidInputException bad = assertThrows(InvalidInputException.class, () -> hub.createPublisher("../etc/passwd"));
        assertTrue(bad.getMessage(), bad.rule().startsWith("name."));

        InvalidInputException nul = assertThrows(InvalidInputException.class, () -> validator.channelName("cam\u0000era"));
        assertEquals("name.charset", nul.rule());
        assertTrue(nul.getMessage(), nul.getMessage().contains("\\u0000"));
        assertEquals("camera1.frames", validator.channelName("camera1.frames").value());
    }

    @Test
    public void missingTransportIsATypedError() {
        for (ChannelKind kind : ChannelKind.values()) {
            if (hub.status().transports().contains(kind)) {
                continue; // a transport feature is installed for this kind: nothing to check here
            }
            TransportUnavailableException e = assertThrows(TransportUnavailableException.class, () -> {
                switch (kind) {
                    case SHM -> hub.createShmProducer("t.shm");
                    case PUBSUB -> hub.createPublisher("t.pubsub");
                    case REQREP -> hub.createServer("t.reqrep", request -> request);
                }
            });
            assertTrue(e.getMessage(), e.getMessage().contains(kind.wireName()));
        }
    }

    @Test
    public void sampleDriverIsHotDeployedConfiguredAndRemoved() throws Exception {
        Path jar = deployDir().resolve("labhub-sample-driver.jar");
        Files.copy(It.sampleDriverJar(), jar, StandardCopyOption.REPLACE_EXISTING);
        Await.until("sample driver active with its component registered", Duration.ofSeconds(20),
                () -> state(SAMPLE_BSN) == Bundle.ACTIVE && sampleService() != null);

        Path cfg = deployDir().resolve("io.labhub.sample.driver.cfg");
        Files.writeString(cfg, "instrument.name = pax-exam-camera\n");
        Await.until("configuration applied through ConfigAdmin", Duration.ofSeconds(20), () -> {
            ServiceReference<?> ref = sampleService();
            return ref != null && "pax-exam-camera".equals(ref.getProperty("instrument.name"));
        });

        Files.delete(jar);
        Files.delete(cfg);
        Await.until("sample driver uninstalled", Duration.ofSeconds(20), () -> state(SAMPLE_BSN) == -1 && sampleService() == null);
        assertFalse(Arrays.stream(context.getBundles()).anyMatch(b -> SAMPLE_BSN.equals(b.getSymbolicName())));
    }

    private int state(String bsn) {
        return Arrays.stream(context.getBundles()).filter(b -> bsn.equals(b.getSymbolicName()))
                .mapToInt(Bundle::getState).findFirst().orElse(-1);
    }

    private ServiceReference<?> sampleService() {
        return context.getServiceReference(SAMPLE_SERVICE);
    }
}
