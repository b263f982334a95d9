package io.labhub.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.Test;

/**
 * Two frameworks in two processes: the runtime ({@code bin/labhub}, with the camera and the stage) and
 * the sample acquisition host ({@code EmbeddingHost}, a plain main that embeds LabHub through the
 * launcher), which reads camera frames over shared memory and moves the stage through its Hub, then
 * shuts down and exits 0. The host is admitted the way an operator would: its key goes into the
 * runtime's allow-list, which the runtime reloads while running.
 */
public class EmbeddingHostProcessIT {

    private static final Pattern HOST_KEY = Pattern.compile("host key: (\\S{40})");

    @Test
    public void hostReadsCameraFramesMovesTheStageAndExitsCleanly() throws Exception {
        Path runtime = It.copyRuntime("embed-host-runtime");
        Path host = It.workDir().resolve("embed-host-home");
        It.deleteTree(host);
        Path log = runtime.resolve("log/labhub.log");
        Process lab = new ProcessBuilder(runtime.resolve("bin/labhub").toString())
                .redirectOutput(runtime.resolve("stdout.txt").toFile()).redirectError(runtime.resolve("stderr.txt").toFile()).start();
        Process app = null;
        try {
            awaitText(log, "camera on 'camera1.frames'", Duration.ofSeconds(60));
            awaitText(log, "stage on 'stage.x'", Duration.ofSeconds(60));

            List<String> command = List.of(ProcessHandle.current().info().command().orElseThrow(),
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    "io.labhub.sample.host.EmbeddingHost", runtime.toString(), host.toString(), "10");
            Path out = It.workDir().resolve("embed-host-out.txt");
            Path err = It.workDir().resolve("embed-host-err.txt");
            app = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();

            // the operator's step: admit the host's key in the runtime (what hub:allow KEY does)
            awaitText(out, "host key: ", Duration.ofSeconds(60));
            Matcher m = HOST_KEY.matcher(Files.readString(out));
            assertTrue(Files.readString(out), m.find());
            Files.writeString(runtime.resolve("conf/keys/allowed_keys"), m.group(1) + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);

            assertTrue("host did not finish within 120 s", app.waitFor(120, TimeUnit.SECONDS));
            String stdout = Files.readString(out);
            String stderr = Files.readString(err);
            assertEquals(stdout + stderr, 0, app.exitValue());
            assertTrue(stdout, stdout.matches("(?s).*camera1\\.frames: \\d+ frames \\(#\\d+\\.\\.#\\d+\\) of 1024x1024.*"));
            assertTrue(stdout, stdout.contains("stage.x: moved to 4.000 mm") && stdout.contains("position 4.000 mm"));
            // the host came and went; the runtime it used is still running
            assertTrue(Files.readString(log), lab.isAlive());
        } finally {
            if (app != null) {
                app.destroyForcibly();
            }
            lab.destroy();
            if (!lab.waitFor(30, TimeUnit.SECONDS)) {
                lab.destroyForcibly();
            }
        }
    }

    private static void awaitText(Path file, String text, Duration timeout) {
        It.await("'" + text + "' in " + file, timeout, () -> {
            try {
                return Files.exists(file) && Files.readString(file).contains(text);
            } catch (IOException e) {
                return false;
            }
        });
    }
}
