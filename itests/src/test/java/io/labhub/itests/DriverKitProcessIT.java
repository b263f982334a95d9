package io.labhub.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.labhub.testkit.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.Test;

/**
 * The driver kit as a driver author outside this repository uses it: a driver project generated from
 * labhub-driver-archetype in an empty folder, built offline ({@code mvn -o verify}: compiled, its unit
 * test run, packed) with a version of its own, its jar dropped into a runtime's deploy/, and its channel in the
 * runtime's {@code hub:channels}.
 *
 * <p>Where the kit comes from. {@code mvn -B verify} (what CI runs) installs nothing into the local
 * repository, so this test cannot rely on an earlier {@code mvn install}. It makes a local repository of
 * its own holding exactly what {@code mvn install} would have put there for the kit (the poms of
 * labhub-parent, labhub-bundles, labhub-driver-parent, the archetype and labhub-api, with the jars this
 * reactor just built), and reads every third-party artifact (Maven plugins, bnd, JUnit) from the
 * reactor's own local repository through a {@code file://} mirror; {@code aether.offline.protocols=file}
 * lets an offline Maven read that mirror. Nothing is written to the reactor's local repository and
 * nothing comes from the network. The third-party artifacts are there because the reactor's first
 * online build fetched them: the archetype module's packaging brings maven-archetype-plugin.
 */
public class DriverKitProcessIT {

    private static final Pattern VERSION = Pattern.compile("labhub-driver-archetype-(.+)\\.jar");
    /** archetype:generate named in full: offline, Maven cannot resolve the 'archetype:' prefix. */
    private static final String GENERATE = "org.apache.maven.plugins:maven-archetype-plugin:3.4.0:generate";

    @Test
    public void aGeneratedDriverBuildsOfflineAndItsChannelAppearsInTheRuntime() throws Exception {
        Path root = It.runtimeDir().resolve("../../..").toAbsolutePath().normalize();
        Path archetypeJar = only(root.resolve("driver-kit/archetype/target"), VERSION);
        Matcher m = VERSION.matcher(archetypeJar.getFileName().toString());
        assertTrue(m.matches());
        String version = m.group(1);

        Path work = It.workDir().resolve("driver-kit");
        It.deleteTree(work);
        Path repo = work.resolve("repository");
        install(repo, "labhub-parent", version, root.resolve("pom.xml"), null);
        install(repo, "labhub-bundles", version, root.resolve("bundles/pom.xml"), null);
        install(repo, "labhub-api", version, root.resolve("bundles/api/pom.xml"),
                root.resolve("bundles/api/target/labhub-api-" + version + ".jar"));
        install(repo, "labhub-driver-parent", version, root.resolve("driver-kit/parent/pom.xml"), null);
        install(repo, "labhub-driver-archetype", version, root.resolve("driver-kit/archetype/pom.xml"), archetypeJar);
        Path settings = work.resolve("settings.xml");
        Path reactorRepo = Path.of(System.getProperty("labhub.maven.repo", System.getProperty("user.home") + "/.m2/repository"));
        Files.writeString(settings, "<settings><mirrors><mirror><id>reactor-local</id><mirrorOf>*</mirrorOf><url>"
                + reactorRepo.toUri() + "</url></mirror></mirrors></settings>\n");

        String channel = "kit.readings";
        // archetypeCatalog=internal: the coordinates are given, so no catalog file is needed (none exists after a verify)
        mvn(work, settings, repo, GENERATE, "-DinteractiveMode=false", "-DarchetypeCatalog=internal", "-DarchetypeGroupId=io.labhub",
                "-DarchetypeArtifactId=labhub-driver-archetype", "-DarchetypeVersion=" + version,
                "-DgroupId=com.example.kit", "-DartifactId=kit-driver", "-Dversion=2.3.0-SNAPSHOT",
                "-Dpackage=com.example.kit", "-Dchannel=" + channel);
        Path project = work.resolve("kit-driver");
        assertTrue("a test in the generated project",
                Files.isRegularFile(project.resolve("src/test/java/com/example/kit/InstrumentDriverTest.java")));
        // verify, not install: after a plain 'mvn verify' the reactor's repository has no maven-install-plugin
        String build = mvn(project, settings, repo, "verify");
        assertTrue(build, build.contains("Tests run: 2, Failures: 0, Errors: 0"));
        Path jar = project.resolve("target/kit-driver-2.3.0-SNAPSHOT.jar");
        assertTrue(build, Files.isRegularFile(jar));
        String manifest;
        try (var j = new java.util.jar.JarFile(jar.toFile())) {
            manifest = j.getManifest().getMainAttributes().getValue("Bundle-SymbolicName");
        }
        assertEquals("the driver keeps its own name", "kit-driver", manifest);

        Path home = ServiceModeProcessIT.copyRuntimeWithOwnPorts("driver-kit-runtime");
        AdmissionProcessIT.clearDeploy(home); // this driver alone: the samples have tests of their own
        Files.copy(jar, home.resolve("deploy/kit-driver.jar"), StandardCopyOption.REPLACE_EXISTING);
        try (ChildJvm lab = ChildJvm.command(home.resolve("bin/labhub").toString()).start()) {
            It.awaitCount(home.resolve("log/labhub.log"), "Hub started", 1, Duration.ofSeconds(90));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            for (int round = 1; ; round++) {
                // the console answers in order: the table, then the marker; a channel registers asynchronously
                lab.send("hub:channels\necho mark-" + round + "-end\n");
                lab.awaitLine("the marker of round " + round, Duration.ofSeconds(30), l -> l.contains("mark-") && l.contains("-end"));
                if (lab.output().lines().anyMatch(l -> l.contains(channel) && l.contains("pubsub"))) {
                    break;
                }
                // no pause: each round waits for the console's answer, which paces the loop
                assertTrue("channel " + channel + " not in hub:channels within 60 s:\n" + lab.output(), System.nanoTime() < deadline);
            }
            assertEquals("the runtime stops cleanly on SIGTERM", 143, lab.stop(Duration.ofSeconds(30)));
        }
    }

    /** Lays one artifact into {@code repo} the way {@code mvn install} does (a local file needs no metadata). */
    private static void install(Path repo, String artifactId, String version, Path pom, Path jar) throws IOException {
        Path dir = repo.resolve("io/labhub/" + artifactId + "/" + version);
        Files.createDirectories(dir);
        Files.copy(pom, dir.resolve(artifactId + "-" + version + ".pom"), StandardCopyOption.REPLACE_EXISTING);
        if (jar != null) {
            assertTrue("built by the reactor: " + jar, Files.isRegularFile(jar));
            Files.copy(jar, dir.resolve(artifactId + "-" + version + ".jar"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Runs Maven offline with the kit's repository and settings; fails with its output unless it succeeds. */
    private static String mvn(Path dir, Path settings, Path repo, String... goals) throws IOException {
        // Maven itself on this JDK (25): the generated project's toolchain check then finds it at once.
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/env", "JAVA_HOME=" + System.getProperty("java.home"),
                "mvn", "-B", "-o", "-s", settings.toString(), "-Dmaven.repo.local=" + repo, "-Daether.offline.protocols=file"));
        cmd.addAll(List.of(goals));
        try (ChildJvm maven = ChildJvm.command(cmd.toArray(String[]::new)).directory(dir).start()) {
            int exit = maven.awaitExit(Duration.ofSeconds(300));
            String out = maven.output();
            assertEquals(String.join(" ", goals) + " failed:\n" + out, 0, exit);
            return out;
        }
    }

    private static Path only(Path dir, Pattern name) throws IOException {
        assertTrue("the reactor built " + dir + " (mvn verify builds driver-kit before itests)", Files.isDirectory(dir));
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> found = files.filter(f -> name.matcher(f.getFileName().toString()).matches()).toList();
            assertEquals("one " + name + " in " + dir, 1, found.size());
            return found.get(0);
        }
    }
}
