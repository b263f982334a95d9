package io.labhub.security;

import static org.junit.Assert.assertEquals;

import io.labhub.security.internal.CurveKeys;
import io.labhub.testkit.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
        List<ChildJvm> children = new ArrayList<>();
        List<Path> results = new ArrayList<>();
        for (int i = 0; i < PROCESSES; i++) {
            Path result = tmp.getRoot().toPath().resolve("result-" + i);
            results.add(result);
            children.add(ChildJvm.main(KeyDirChild.class).args(dir.toString(), go.toString(), result.toString()).start());
        }
        Files.createFile(go);
        try {
            for (int i = 0; i < PROCESSES; i++) {
                int exit = children.get(i).awaitExit(Duration.ofSeconds(60)); // fails with its output if it does not finish
                assertEquals("child " + i + " failed: " + children.get(i).output(), 0, exit);
            }
        } finally {
            children.forEach(ChildJvm::close);
        }
        CurveKeyPair onDisk = CurveKeys.load(dir.resolve(CurveKeys.PUBLIC_KEY_FILE),
                dir.resolve(CurveKeys.SECRET_KEY_FILE));
        for (Path result : results) {
            assertEquals(onDisk.publicKey(), Files.readString(result));
        }
    }
}
