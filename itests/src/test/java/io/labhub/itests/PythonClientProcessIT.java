package io.labhub.itests;

import static org.junit.Assert.assertEquals;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.Assume;
import org.junit.Test;

/**
 * Issue 15, item 3: the Python client's pytest suite (clients/python/tests) against a real runtime started
 * as the user starts it ({@code bin/labhub}, broker and samples, ports chosen at run time), plus a second
 * runtime without broker or drivers that the tests use as the Java consumer of Python channels. pytest's exit
 * code is the assertion and its output the failure message. Skipped where Debian's python3-zmq,
 * python3-numpy or python3-pytest is missing (as the other pyzmq interop tests skip).
 */
public class PythonClientProcessIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String PYTHON = "/usr/bin/python3";

    @Test
    public void pytestSuitePassesAgainstARealRuntime() throws Exception {
        Assume.assumeTrue("python3 with pyzmq, numpy and pytest is not installed (Debian: apt-get install python3-zmq"
                + " python3-numpy python3-pytest)", pythonReady());
        Path repo = It.runtimeDir().resolve("../../..").normalize();
        Path client = repo.resolve("clients/python");
        int brokerPort = It.freePort();
        int eventsPort = It.freePort();
        Path a = It.copyRuntime("python-a");
        Path b = It.copyRuntime("python-b");
        Files.writeString(a.resolve("conf/io.labhub.broker.cfg"), "endpoint = tcp://127.0.0.1:" + brokerPort
                + "\neventsEndpoint = tcp://127.0.0.1:" + eventsPort + "\n");
        Files.writeString(a.resolve("conf/io.labhub.core.cfg"), "broker.endpoint = tcp://127.0.0.1:" + brokerPort + "\n");
        Files.delete(b.resolve("conf/io.labhub.broker.cfg"));
        AdmissionProcessIT.clearDeploy(b);
        Path keys = It.workDir().resolve("python-keys");
        It.deleteTree(keys);

        Process pa = AdmissionProcessIT.start(a);
        try {
            It.awaitCount(a.resolve("log/labhub.log"), "broker listening on", 1, WAIT);
            String brokerKey = AdmissionProcessIT.key(a);
            Files.writeString(b.resolve("conf/io.labhub.core.cfg"), "broker.endpoint = tcp://127.0.0.1:" + brokerPort
                    + "\nbroker.publicKey = " + brokerKey + "\n");
            Path out = It.workDir().resolve("pytest-output.txt");
            ProcessBuilder pytest = new ProcessBuilder(List.of(PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                    "-o", "addopts=", "--durations=5", "tests"))
                    .directory(client.toFile()).redirectErrorStream(true).redirectOutput(out.toFile());
            pytest.environment().put("PYTHONPATH", client.toString());
            pytest.environment().put("PYTHONDONTWRITEBYTECODE", "1");
            pytest.environment().put("LABHUB_BROKER", "tcp://127.0.0.1:" + brokerPort);
            pytest.environment().put("LABHUB_BROKER_KEY", brokerKey);
            pytest.environment().put("LABHUB_KEYS", keys.toString());
            pytest.environment().put("LABHUB_ALLOWED_KEYS", a.resolve("conf/keys/allowed_keys").toString());
            pytest.environment().put("LABHUB_JAVA_CLIENT", b.toString());
            pytest.environment().put("LABHUB_BROKER_CFG", a.resolve("conf/io.labhub.broker.cfg").toString());
            Process p = pytest.start();
            boolean done = p.waitFor(300, TimeUnit.SECONDS);
            if (!done) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
            String output = Files.readString(out);
            System.out.println(output);
            if (!done) {
                throw new AssertionError("pytest did not finish within 300 s:\n" + output);
            }
            assertEquals("pytest failed:\n" + output, 0, p.exitValue());
        } finally {
            OutputStream console = pa.getOutputStream();
            try {
                console.close(); // end of input: the runtime stops cleanly
            } catch (IOException ignored) {
                // already gone
            }
            if (!pa.waitFor(60, TimeUnit.SECONDS)) {
                pa.destroyForcibly();
                pa.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static boolean pythonReady() {
        if (!Files.isExecutable(Path.of(PYTHON))) {
            return false;
        }
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import zmq, numpy, pytest; assert zmq.has('curve')")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
