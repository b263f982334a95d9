package io.labhub.broker;

import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelName;
import io.labhub.api.ChannelState;
import io.labhub.broker.client.BrokerClient;
import io.labhub.broker.client.BrokerClientConfig;
import io.labhub.security.CurveKeyPair;
import io.labhub.validation.Validators;
import org.junit.Assume;
import org.junit.Rule;
import org.junit.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.labhub.broker.TestBed.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * Runs the Python client printed in docs/protocol.md, unchanged but for the broker address, the key
 * file and its key pair, against a real broker: proof that the page alone is enough, with another
 * ZeroMQ implementation (libzmq through pyzmq). Skipped where python3 with pyzmq is not installed
 * (Debian: {@code apt-get install python3-zmq}).
 */
public class ProtocolDocClientTest {

    private static final Path DOC = Path.of("../../docs/protocol.md");

    @Rule
    public final TestBed bed = new TestBed();

    @Test
    public void pythonClientFromTheDocRegistersDiscoversHeartbeatsAndGetsEvents() throws Exception {
        String python = pythonWithZmq();
        Assume.assumeTrue("python3 with pyzmq is not installed", python != null);
        Assume.assumeTrue("docs/protocol.md not found", Files.exists(DOC));
        Matcher block = Pattern.compile("```python\\n(.*?)```", Pattern.DOTALL)
                .matcher(Files.readString(DOC, StandardCharsets.UTF_8));
        assertTrue("docs/protocol.md has a Python client", block.find());

        BrokerServer broker = BrokerServer.start(new BrokerConfig("tcp://*:0", "tcp://*:0", TestBed.HEARTBEAT,
                TestBed.MISSED_BEATS, 4096), bed.brokerSecurity(), Validators.defaults());
        bed.closeLater(broker);
        String port = broker.endpoint().substring(broker.endpoint().lastIndexOf(':') + 1);
        Path pubFile = bed.newFolder().resolve("labhub.pub");
        Files.writeString(pubFile, "# broker key\n" + broker.publicKey() + "\n");
        CurveKeyPair pythonKeys = bed.brokerSecurity().generateKeyPair();
        bed.brokerSecurity().allow(pythonKeys.publicKey());

        String script = block.group(1)
                .replace("tcp://lab-pc:5570", "tcp://127.0.0.1:" + port)
                .replace("\"conf/keys/labhub.pub\"", "'" + pubFile + "'")
                .replace("public, secret = zmq.curve_keypair()",
                        "public, secret = b'" + pythonKeys.publicKey() + "', b'" + pythonKeys.secretKey() + "'");
        Path file = bed.newFolder().resolve("doc_client.py");
        Files.writeString(file, script);
        Process process = new ProcessBuilder(python, file.toString()).redirectErrorStream(true).start();
        bed.closeLater(process::destroyForcibly);

        // The script ends by waiting for one event: keep registering until it has received one.
        BrokerClient java = bed.closeLater(BrokerClient.start(BrokerClientConfig.of(broker.endpoint(),
                broker.publicKey()), bed.newClientSecurity()));
        await("python registered its channel", Duration.ofSeconds(20), () -> broker.channels().stream()
                .anyMatch(c -> c.name().value().equals("py.temperature")));
        assertEquals(pythonKeys.publicKey(), broker.channels().stream()
                .filter(c -> c.name().value().equals("py.temperature")).findFirst().orElseThrow().producer());
        for (int i = 0; process.isAlive() && i < 200; i++) {
            java.register(new ChannelInfo(new ChannelName("java.ev" + i), ChannelKind.SHM, null, TestBed.segment(), null,
                    TestBed.SHM_SIZES, 0, ChannelState.ACTIVE));
            process.waitFor(100, TimeUnit.MILLISECONDS);
        }
        assertTrue("the python client finished", process.waitFor(20, TimeUnit.SECONDS));
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(output, 0, process.exitValue());
        assertTrue(output, output.contains("'type': 'discover', 'status': 'ok'"));
        assertTrue(output, output.contains("'state': 'closed'"));
        assertTrue(output, output.contains("channel_registered"));
        assertTrue("python unregistered its channel", broker.channels().stream()
                .noneMatch(c -> c.name().value().equals("py.temperature")));
    }

    private static String pythonWithZmq() {
        for (String candidate : new String[]{"/usr/bin/python3", "python3"}) {
            try {
                Process p = new ProcessBuilder(candidate, "-c", "import zmq; assert zmq.has('curve')")
                        .redirectErrorStream(true).start();
                if (p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return candidate;
                }
            } catch (IOException | InterruptedException e) {
                // try the next one
            }
        }
        return null;
    }
}
