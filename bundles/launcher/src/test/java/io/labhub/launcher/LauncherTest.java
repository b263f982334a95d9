package io.labhub.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The launcher's pieces that need no framework: command splitting, feature directories, usage errors. */
public class LauncherTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void commandsSplitOnSemicolonsOutsideQuotes() {
        assertEquals(List.of("lb", "echo 'a;b'", "echo \"c;d\" e"), LabHub.splitCommands(" lb ;echo 'a;b';; echo \"c;d\" e ;"));
        assertEquals(List.of(), LabHub.splitCommands(" ; ;"));
        assertEquals(List.of("echo 'unterminated; still one"), LabHub.splitCommands("echo 'unterminated; still one"));
    }

    @Test
    public void featuresAreReadInStartLevelOrder() throws Exception {
        Path dir = tmp.newFolder("features").toPath();
        feature(dir, "zeta", "1");
        feature(dir, "alpha", "3");
        Files.writeString(dir.resolve("alpha/x.jar"), "not really a jar");
        Files.createDirectories(dir.resolve("not-a-feature"));
        List<Feature> all = Feature.scan(dir);
        assertEquals(List.of("zeta", "alpha"), all.stream().map(Feature::name).toList());
        assertEquals(1, all.get(1).bundles().size());
        assertEquals(List.of("alpha"), Feature.select(all, List.of("alpha")).stream().map(Feature::name).toList());
        LaunchException e = assertThrows(LaunchException.class, () -> Feature.select(all, List.of("alpha", "beta")));
        assertTrue(e.getMessage(), e.getMessage().contains("unknown feature 'beta'") && e.getMessage().contains("zeta"));
    }

    @Test
    public void badStartLevelsAreRefusedWithTheFileName() throws Exception {
        Path dir = tmp.newFolder("bad").toPath();
        for (String level : List.of("", "soon", "0", "-3", "99999999999")) {
            feature(dir, "f", level);
            LaunchException e = assertThrows(level, LaunchException.class, () -> Feature.read(dir.resolve("f")));
            assertTrue(e.getMessage(), e.getMessage().contains("feature.properties") && e.getMessage().contains("startLevel"));
        }
        assertThrows(LaunchException.class, () -> Feature.read(dir.resolve("missing")));
    }

    @Test
    public void usageErrorsExitTwoAndHelpExitsZero() {
        assertEquals(Main.USAGE, run("--bogus").exit);
        assertTrue(run("--bogus").err.contains("unknown argument '--bogus'"));
        assertEquals(Main.USAGE, run("-c").exit);
        assertTrue(run("-c").err.contains("option -c needs a value"));
        assertEquals(Main.USAGE, run("--timeout", "soon").exit);
        Result help = run("--help");
        assertEquals(Main.OK, help.exit);
        assertTrue(help.out.contains("usage: labhub"));
    }

    @Test
    public void anEmbeddedHostGetsEveryFeatureButTheShellUnlessItAsks() throws Exception {
        Path dir = tmp.newFolder("embedded").toPath();
        feature(dir, "boot", "1");
        feature(dir, "core", "3");
        feature(dir, "shell", "5");
        List<Feature> all = Feature.scan(dir);
        assertEquals(List.of("boot", "core"), names(LabHub.selectFeatures(all, null, false)));
        assertEquals(List.of("boot", "core", "shell"), names(LabHub.selectFeatures(all, null, true)));
        assertEquals(List.of("shell"), names(LabHub.selectFeatures(all, List.of("shell"), false)));
        Path home = tmp.newFolder("host").toPath();
        assertEquals("HOME/features when there is one", home.resolve("features"), LabHub.defaultFeaturesDir(home));
    }

    @Test
    public void serviceModeAndCommandsExcludeEachOther() {
        Result r = run("--service", "-c", "lb");
        assertEquals(Main.USAGE, r.exit);
        assertTrue(r.err, r.err.contains("--service and -c exclude each other"));
        assertTrue(run("--help").out.contains("--service"));
    }

    @Test
    public void serviceModeWritesStdoutAndStderrToTheLogOneRecordPerLine() {
        List<java.util.logging.LogRecord> records = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler h = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger stdout = java.util.logging.Logger.getLogger("stdout");
        java.util.logging.Logger stderr = java.util.logging.Logger.getLogger("stderr");
        stdout.addHandler(h);
        stderr.addHandler(h);
        PrintStream out = System.out;
        PrintStream err = System.err;
        try {
            StdStreamsToLog.install();
            System.out.print("first ");
            System.out.println("line, grün");
            System.err.println("trouble\r");
            System.out.print("no newline yet");
        } finally {
            System.setOut(out);
            System.setErr(err);
            stdout.removeHandler(h);
            stderr.removeHandler(h);
        }
        assertEquals(List.of("INFO first line, grün", "WARNING trouble"),
                records.stream().map(r -> r.getLevel() + " " + r.getMessage()).toList());
    }

    private static List<String> names(List<Feature> features) {
        return features.stream().map(Feature::name).toList();
    }

    @Test
    public void missingFeaturesDirectoryExitsThree() throws Exception {
        Path home = tmp.newFolder("home").toPath();
        Result r = run("--home", home.toString(), "-c", "lb", "--log-level", "SEVERE");
        assertEquals(Main.NOT_READY, r.exit);
        assertTrue(r.err, r.err.contains("features directory not found"));
    }

    private static void feature(Path dir, String name, String level) throws Exception {
        Files.createDirectories(dir.resolve(name));
        Files.writeString(dir.resolve(name).resolve(Feature.DESCRIPTOR), "startLevel=" + level + "\n");
    }

    record Result(int exit, String out, String err) {
    }

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
