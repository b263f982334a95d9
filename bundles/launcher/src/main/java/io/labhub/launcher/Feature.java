package io.labhub.launcher;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * A named set of bundles installed at one start level. On disk a feature is a directory
 * {@code features/NAME/} holding {@code feature.properties} ({@code startLevel}, {@code description})
 * and the bundle jars. The build writes these directories from the {@code features/*} Maven modules,
 * which are the one list of bundles for the runtime, the integration tests and embedding hosts.
 */
public record Feature(String name, int startLevel, String description, List<Path> bundles) {

    public static final String DESCRIPTOR = "feature.properties";

    public Feature {
        bundles = List.copyOf(bundles);
    }

    /** Reads one feature directory. */
    public static Feature read(Path dir) {
        Path descriptor = dir.resolve(DESCRIPTOR);
        if (!Files.isRegularFile(descriptor)) {
            throw new LaunchException("not a feature directory (no " + DESCRIPTOR + "): " + dir);
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(descriptor)) {
            p.load(r);
        } catch (IOException e) {
            throw new LaunchException("cannot read " + descriptor + ": " + e.getMessage(), e);
        }
        String level = p.getProperty("startLevel", "").trim();
        int startLevel;
        try {
            startLevel = Integer.parseInt(level);
        } catch (NumberFormatException e) {
            throw new LaunchException(descriptor + ": startLevel must be a positive integer, found '" + level + "'");
        }
        if (startLevel < 1) {
            throw new LaunchException(descriptor + ": startLevel must be >= 1, found " + startLevel);
        }
        List<Path> jars = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted().forEach(jars::add);
        } catch (IOException e) {
            throw new LaunchException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        String name = p.getProperty("name", dir.getFileName().toString()).trim();
        return new Feature(name, startLevel, p.getProperty("description", ""), jars);
    }

    /** Every feature under {@code featuresDir}, in start-level order (then by name). */
    public static List<Feature> scan(Path featuresDir) {
        if (!Files.isDirectory(featuresDir)) {
            throw new LaunchException("features directory not found: " + featuresDir.toAbsolutePath()
                    + " (build it with 'mvn install', or point --home at a LabHub runtime)");
        }
        try (Stream<Path> dirs = Files.list(featuresDir)) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve(DESCRIPTOR)))
                    .map(Feature::read)
                    .sorted(Comparator.comparingInt(Feature::startLevel).thenComparing(Feature::name))
                    .toList();
        } catch (IOException e) {
            throw new LaunchException("cannot list " + featuresDir + ": " + e.getMessage(), e);
        }
    }

    /** The named features from {@code all}, refusing unknown names; {@code names == null} means all. */
    public static List<Feature> select(List<Feature> all, List<String> names) {
        if (names == null) {
            return all;
        }
        List<String> known = all.stream().map(Feature::name).toList();
        for (String n : names) {
            if (!known.contains(n)) {
                throw new LaunchException("unknown feature '" + n + "'; available: " + known);
            }
        }
        return all.stream().filter(f -> names.contains(f.name())).toList();
    }
}
