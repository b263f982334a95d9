package io.labhub.security;

import io.labhub.security.internal.CurveKeys;
import java.nio.file.Files;
import java.nio.file.Path;

/** Child JVM of {@link ConcurrentFirstStartTest}: loads or creates the pair, writes its public key to a file. */
public final class KeyDirChild {

    private KeyDirChild() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Path go = Path.of(args[1]);
        Path result = Path.of(args[2]);
        while (!Files.exists(go)) {
            Thread.onSpinWait(); // start together, to make the first-start race as likely as possible
        }
        Files.writeString(result, CurveKeys.loadOrCreate(dir).publicKey());
    }
}
