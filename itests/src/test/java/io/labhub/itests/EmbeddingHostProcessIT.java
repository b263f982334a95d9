package io.labhub.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.labhub.testkit.Await;
import io.labhub.testkit.ChildJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
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
        ChildJvm app = null;
        try {
            awaitText(log, "camera on 'camera1.frames'", Duration.ofSeconds(60));
            awaitText(log, "stage on 'stage.x'", Duration.ofSeconds(60));

            Path out = It.workDir().resolve("embed-host-out.txt");
            app = ChildJvm.main(io.labhub.sample.host.EmbeddingHost.class).args(runtime.toString(), host.toString(), "10")
                    .log(out).start(); // stdout and stderr, in order

            // the operator's step: admit the host's key in the runtime (what hub:allow KEY does)
            String keyLine = app.awaitLine("the host's key", Duration.ofSeconds(60), l -> HOST_KEY.matcher(l).find());
            Matcher m = HOST_KEY.matcher(keyLine);
            assertTrue(keyLine, m.find());
            Files.writeString(runtime.resolve("conf/keys/allowed_keys"), m.group(1) + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);

            int exit = app.awaitExit(Duration.ofSeconds(120)); // fails with the host's output if it does not finish
            String stdout = app.output();
            assertEquals(stdout, 0, exit);
            assertTrue(stdout, stdout.matches("(?s).*camera1\\.frames: \\d+ frames \\(#\\d+\\.\\.#\\d+\\) of 1024x1024.*"));
            assertTrue(stdout, stdout.contains("stage.x: moved to 4.000 mm") && stdout.contains("position 4.000 mm"));
            // the host came and went; the runtime it used is still running
            assertTrue(Files.readString(log), lab.isAlive());
        } finally {
            if (app != null) {
                app.close();
            }
            lab.destroy();
            if (!lab.waitFor(30, TimeUnit.SECONDS)) {
                lab.destroyForcibly();
            }
        }
    }

    private static void awaitText(Path file, String text, Duration timeout) {
        Await.until("'" + text + "' in " + file, timeout, () -> {
            try {
                return Files.exists(file) && Files.readString(file).contains(text);
            } catch (IOException e) {
                return false;
            }
        });
    }
}
