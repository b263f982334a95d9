package io.labhub.security;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Several runtimes starting at once on a fresh keys directory end up with one consistent key pair. */
public class ConcurrentFirstStartTest {

    private static final int PROCESSES = 3;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void processesStartingTogetherShareOnePair() throws Exception {
        Path dir = tmp.getRoot().toPath().resolve("keys");
        Path go = tmp.getRoot().toPath().resolve("go");
        List<Process> children = new ArrayList<>();
        List<Path> results = new ArrayList<>();
        for (int i = 0; i < PROCESSES; i++) {
            Path result = tmp.getRoot().toPath().resolve("result-" + i);
            results.add(result);
            children.add(new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    KeyDirChild.class.getName(), dir.toString(), go.toString(), result.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(tmp.getRoot().toPath().resolve("child-" + i + ".log").toFile())
                    .start());
        }
        Files.createFile(go);
        try {
            for (int i = 0; i < PROCESSES; i++) {
                assertTrue("child " + i + " did not finish", children.get(i).waitFor(60, TimeUnit.SECONDS));
                assertEquals("child " + i + " failed: " + Files.readString(
                        tmp.getRoot().toPath().resolve("child-" + i + ".log")), 0, children.get(i).exitValue());
            }
        } finally {
            children.forEach(Process::destroyForcibly);
        }
        CurveKeyPair onDisk = CurveKeys.load(dir.resolve(CurveKeys.PUBLIC_KEY_FILE),
                dir.resolve(CurveKeys.SECRET_KEY_FILE));
        for (Path result : results) {
            assertEquals(onDisk.publicKey(), Files.readString(result));
        }
    }
}
