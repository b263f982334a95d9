package io.labhub.itests;

import static org.ops4j.pax.exam.CoreOptions.bundle;

import io.labhub.launcher.Feature;
import io.labhub.testkit.ConfigurationSeed;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import org.ops4j.pax.exam.Option;

/**
 * Turns the feature directories (the same ones the runtime is assembled from) into Pax Exam options,
 * using the launcher's own {@link Feature} reader: one bundle list, one reader.
 */
final class PaxFeatures {

    private PaxFeatures() {
    }

    static List<Option> install(Path featuresDir, String... names) {
        List<Option> options = new ArrayList<>();
        for (Feature f : Feature.select(Feature.scan(featuresDir), List.of(names))) {
            for (Path jar : f.bundles()) {
                options.add(bundle(jar.toUri().toString()).startLevel(f.startLevel()).start(!isFragment(jar)));
            }
        }
        return options;
    }

    /**
     * A whole framework for a Pax Exam test: the named features, {@code labhub.home} (keys), JUnit,
     * FileInstall watching {@code deployDir} (bundles and .cfg files), the configurations of {@code HOME/conf}
     * (those {@link #freshDirectories} wrote) present before any LabHub bundle starts, and a clean cache.
     */
    static Option[] framework(Path deployDir, Path home, String... features) {
        List<Option> options = new ArrayList<>(install(It.featuresDir(), features));
        options.add(org.ops4j.pax.exam.CoreOptions.frameworkProperty("labhub.home").value(home.toString()));
        options.add(org.ops4j.pax.exam.CoreOptions.junitBundles());
        // The test kit (Await) for the tests that run inside the framework: it is a bundle, taken from this class path.
        // At start level 1 its activator (ConfigurationSeed) turns HOME/conf/*.cfg into configurations when
        // ConfigAdmin (level 2) registers, before the broker and the Hub (levels 3, 4) start.
        options.add(org.ops4j.pax.exam.CoreOptions.bundle("reference:" + testkit().toUri()).startLevel(1));
        options.add(org.ops4j.pax.exam.CoreOptions.frameworkProperty(ConfigurationSeed.DIRECTORY).value(conf(home).toString()));
        options.add(org.ops4j.pax.exam.CoreOptions.frameworkStartLevel(10));
        options.add(org.ops4j.pax.exam.CoreOptions.cleanCaches(true));
        options.add(org.ops4j.pax.exam.CoreOptions.frameworkProperty("felix.fileinstall.dir").value(deployDir.toString()));
        options.add(org.ops4j.pax.exam.CoreOptions.frameworkProperty("felix.fileinstall.poll").value("500"));
        options.add(org.ops4j.pax.exam.CoreOptions.frameworkProperty("felix.fileinstall.noInitialDelay").value("true"));
        options.add(org.ops4j.pax.exam.CoreOptions.frameworkProperty("felix.fileinstall.log.default").value("jul"));
        return options.toArray(new Option[0]);
    }

    /** The test kit on this JVM's class path: its jar, or its classes folder in a reactor build. */
    private static Path testkit() {
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (entry.contains("labhub-testkit") || entry.replace('\\', '/').endsWith("testkit/target/classes")) {
                return Path.of(entry);
            }
        }
        throw new IllegalStateException("labhub-testkit is not on the class path (a test dependency of itests)");
    }

    /**
     * Fresh deploy and home directories, with the embedded broker and the Hub configured (in {@code HOME/conf},
     * see {@link #framework}) on two ports free now, never the defaults 5570/5571: a runtime running on this
     * machine, or another run, does not collide with the test.
     */
    static void freshDirectories(Path deployDir, Path home) throws java.io.IOException {
        It.deleteTree(deployDir);
        It.deleteTree(home);
        java.nio.file.Files.createDirectories(deployDir);
        java.nio.file.Files.createDirectories(conf(home));
        String endpoint = "tcp://127.0.0.1:" + It.freePort();
        java.nio.file.Files.writeString(conf(home).resolve("io.labhub.broker.cfg"),
                "endpoint = " + endpoint + "\neventsEndpoint = tcp://127.0.0.1:" + It.freePort() + "\n");
        java.nio.file.Files.writeString(conf(home).resolve("io.labhub.core.cfg"), "broker.endpoint = " + endpoint + "\n");
    }

    /** The broker endpoint {@link #freshDirectories} chose for {@code home} (readable inside the framework too). */
    static String brokerEndpoint(Path home) throws java.io.IOException {
        java.util.Properties p = new java.util.Properties();
        try (java.io.Reader r = java.nio.file.Files.newBufferedReader(conf(home).resolve("io.labhub.core.cfg"))) {
            p.load(r);
        }
        return p.getProperty("broker.endpoint");
    }

    private static Path conf(Path home) {
        return home.resolve("conf");
    }

    private static boolean isFragment(Path jar) {
        try (JarFile j = new JarFile(jar.toFile())) {
            return j.getManifest().getMainAttributes().getValue("Fragment-Host") != null;
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read " + jar, e);
        }
    }
}
