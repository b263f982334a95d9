package io.labhub.itests;

import static org.ops4j.pax.exam.CoreOptions.bundle;

import io.labhub.launcher.Feature;
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

    private static boolean isFragment(Path jar) {
        try (JarFile j = new JarFile(jar.toFile())) {
            return j.getManifest().getMainAttributes().getValue("Fragment-Host") != null;
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read " + jar, e);
        }
    }
}
