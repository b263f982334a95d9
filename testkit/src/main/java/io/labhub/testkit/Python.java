package io.labhub.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code /usr/bin/python3} running a script for a test: the reference libraries (h5py, numpy, pyzmq) a
 * test checks LabHub's output with. Not the interpreter on PATH, which may lack Debian's packages.
 */
public final class Python {

    /** The interpreter Debian's python3-* packages install into. */
    public static final Path DEBIAN = Path.of("/usr/bin/python3");
    private static final long DEADLINE_SECONDS = 120;

    private Python() {
    }

    /** @param exit the exit code (-1 when the script did not end within its deadline); output: stdout and stderr */
    public record Result(int exit, String output) {
    }

    /** @return whether the interpreter is there and imports every one of {@code modules} */
    public static boolean has(String... modules) {
        return Files.isExecutable(DEBIAN) && run("import " + String.join(", ", modules)).exit() == 0;
    }

    /** Runs {@code script} ({@code python3 -c}) with {@code args} as sys.argv[1:], at most 120 s. */
    public static Result run(String script, String... args) {
        List<String> cmd = new ArrayList<>(List.of(DEBIAN.toString(), "-c", script));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Thread reader = Thread.ofPlatform().daemon().start(() -> {
                try {
                    p.getInputStream().transferTo(out);
                } catch (IOException e) {
                    // the process ended or was killed; what was read is kept
                }
            });
            if (!p.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                reader.join(TimeUnit.SECONDS.toMillis(5));
                return new Result(-1, "python3 did not end within " + DEADLINE_SECONDS + " s: " + out.toString(StandardCharsets.UTF_8));
            }
            reader.join(TimeUnit.SECONDS.toMillis(5));
            return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running python3", e);
        }
    }
}
