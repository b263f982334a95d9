package io.labhub.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.labhub.api.Hub;
import io.labhub.api.InvalidInputException;
import io.labhub.launcher.LabHub;
import io.labhub.launcher.LaunchException;
import io.labhub.launcher.Readiness;
import io.labhub.testkit.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.Test;

/** A host application (this test) embeds LabHub with the launcher and uses the Hub directly. */
public class EmbeddingIT {

    @Test
    public void hostGetsTheHubAndStopsCleanly() throws Exception {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        Path home = It.workDir().resolve("embed-home");
        It.deleteTree(home);
        Files.createDirectories(home.resolve("conf"));
        int port = It.freePort();
        Files.writeString(home.resolve("conf/io.labhub.broker.cfg"), "endpoint = tcp://127.0.0.1:" + port
                + "\neventsEndpoint = tcp://127.0.0.1:" + It.freePort() + "\n");
        Files.writeString(home.resolve("conf/io.labhub.core.cfg"), "broker.endpoint = tcp://127.0.0.1:" + port + "\n");
        try (LabHub lab = LabHub.builder().home(home).featuresDir(It.featuresDir())
                .features("boot", "framework", "base", "broker", "core").start()) {
            Hub hub = lab.hub(Duration.ofSeconds(30));
            // One Hub type: the interface is the host's (exported by the system bundle), the object the bundle's.
            assertTrue(Hub.class.isInstance(hub));
            assertNotSame(Hub.class.getClassLoader(), hub.getClass().getClassLoader());
            Readiness ready = lab.awaitReady(Duration.ofSeconds(30));
            assertTrue(ready.toString(), ready.ready());
            Await.until("Hub connected to its broker", Duration.ofSeconds(30), () -> hub.status().brokerConnected());
            assertEquals(List.of(), hub.channels());
            assertTrue("key pair created under HOME/conf/keys", Files.isRegularFile(home.resolve("conf/keys/labhub.pub")));
            assertThrows(InvalidInputException.class, () -> hub.createPublisher("not a name"));
        }
        try {
            Await.until("no thread of the framework left after close()", Duration.ofSeconds(20), () -> newThreads(before).isEmpty());
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + ": " + newThreads(before), e);
        }
    }

    private static Set<String> newThreads(Set<Thread> before) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && !before.contains(t))
                // JDK housekeeping threads may start lazily on first use of a JDK facility; not ours.
                .filter(t -> !t.getName().startsWith("ForkJoinPool.commonPool") && !t.getName().equals("process reaper")
                        && !t.getName().startsWith("Attach Listener") && !t.getName().equals("Common-Cleaner"))
                .map(t -> t.getName() + (t.isDaemon() ? " (daemon)" : ""))
                .collect(Collectors.toSet());
    }

    @Test
    public void unknownFeatureIsRefusedClearly() {
        LaunchException e = assertThrows(LaunchException.class, () -> LabHub.builder()
                .home(It.workDir().resolve("embed-bad")).featuresDir(It.featuresDir()).features("core", "no-such-feature").start());
        assertTrue(e.getMessage(), e.getMessage().contains("unknown feature 'no-such-feature'"));
    }

    @Test
    public void brokenFeatureDescriptorIsRefusedClearly() throws Exception {
        Path features = It.workDir().resolve("broken-features");
        It.deleteTree(features);
        Files.createDirectories(features.resolve("odd"));
        Files.writeString(features.resolve("odd/feature.properties"), "startLevel = soon\n");
        LaunchException e = assertThrows(LaunchException.class,
                () -> LabHub.builder().home(It.workDir().resolve("embed-broken")).featuresDir(features).start());
        assertTrue(e.getMessage(), e.getMessage().contains("startLevel must be a positive integer, found 'soon'"));
    }

    @Test
    public void missingFeaturesDirectoryIsRefusedClearly() {
        Path nowhere = It.workDir().resolve("no-such-dir");
        LaunchException e = assertThrows(LaunchException.class,
                () -> LabHub.builder().home(It.workDir().resolve("embed-none")).featuresDir(nowhere).start());
        assertTrue(e.getMessage(), e.getMessage().contains("features directory not found"));
    }
}
