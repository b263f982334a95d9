package io.labhub.transport.zmq.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.Publisher;
import io.labhub.api.ZmqOptions;
import io.labhub.security.CurveKeyPair;
import io.labhub.security.internal.CurveKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.Assume;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.RuleChain;
import org.junit.rules.TemporaryFolder;

/**
 * An independent subscriber and client written with another ZeroMQ implementation (libzmq through
 * pyzmq), taken from docs/zmq-channels.md section 5 as printed there (only their placeholders are filled
 * in), read a LabHub publisher and call a LabHub server over CURVE, in wire format 2. Skipped where
 * python3 with pyzmq is not installed (Debian: {@code apt-get install python3-zmq}; {@code .ci/run}
 * installs it, and /usr/bin/python3 has it on this kind of machine).
 */
public class PyzmqSubscriberTest {

    private static final Path DOC = Path.of("../../docs/zmq-channels.md");

    private final TemporaryFolder tmp = new TemporaryFolder();
    private final TransportFixture f = new TransportFixture(tmp);

    @Rule
    public RuleChain rules = RuleChain.outerRule(tmp).around(f);

    @Test
    public void documentedPyzmqSubscriberReadsALabHubPublisher() throws Exception {
        String python = pythonWithPyzmq();
        Assume.assumeTrue("python3 with pyzmq (CURVE) is not installed", python != null);
        Assume.assumeTrue("docs/zmq-channels.md not found", Files.exists(DOC));
        Path script = tmp.getRoot().toPath().resolve("sub.py");
        Files.writeString(script, scriptFromDoc(0));

        CurveKeyPair keys = CurveKeys.generate();
        f.producerSide.allow(keys.publicKey());
        Publisher pub = f.producerPubSub.createPublisher(f.registry.context("doc.py", ChannelKind.PUBSUB), ZmqOptions.DEFAULTS);
        ChannelInfo info = f.registry.info("doc.py");
        Process p = new ProcessBuilder(python, script.toString(), info.endpoint().replace("*", "127.0.0.1"), info.serverKey(),
                keys.publicKey(), keys.secretKey(), "5").redirectErrorStream(true).start();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread publisher = new Thread(() -> {
            while (running.get()) {
                pub.publish("reading".getBytes(StandardCharsets.UTF_8));
                try {
                    Thread.sleep(5); // a publishing pace, not synchronisation: the end is the child's exit
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        publisher.start();
        try {
            assertTrue("the Python subscriber did not finish", p.waitFor(60, TimeUnit.SECONDS));
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(out, 0, p.exitValue());
            List<String> lines = out.lines().filter(l -> l.endsWith("b'reading'")).toList();
            assertEquals(out, 5, lines.size());
            long previous = -1;
            for (String line : lines) {
                long seq = Long.parseLong(line.split(" ")[0]);
                assertTrue(out, seq > previous);
                previous = seq;
            }
        } finally {
            running.set(false);
            publisher.join();
            p.destroyForcibly();
        }
    }

    @Test
    public void documentedPyzmqClientCallsALabHubServer() throws Exception {
        String python = pythonWithPyzmq();
        Assume.assumeTrue("python3 with pyzmq (CURVE) is not installed", python != null);
        Assume.assumeTrue("docs/zmq-channels.md not found", Files.exists(DOC));
        Path script = tmp.getRoot().toPath().resolve("client.py");
        Files.writeString(script, scriptFromDoc(1));

        CurveKeyPair keys = CurveKeys.generate();
        f.producerSide.allow(keys.publicKey());
        f.producerReqRep.createServer(f.registry.context("doc.pyrep", ChannelKind.REQREP),
                r -> ("re:" + new String(r, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8), ZmqOptions.DEFAULTS);
        ChannelInfo info = f.registry.info("doc.pyrep");
        Process p = new ProcessBuilder(python, script.toString(), info.endpoint(), info.serverKey(),
                keys.publicKey(), keys.secretKey()).redirectErrorStream(true).start();
        try {
            assertTrue("the Python client did not finish", p.waitFor(60, TimeUnit.SECONDS));
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(out, 0, p.exitValue());
            assertEquals(out, "1 ok b're:home'", out.strip().lines().reduce((a, b) -> b).orElse(""));
        } finally {
            p.destroyForcibly();
        }
    }

    /**
     * The doc's {@code n}-th python example of section 5, with its placeholders filled from argv, its
     * endless loop bounded and a receive timeout added.
     */
    private static String scriptFromDoc(int n) throws Exception {
        String doc = Files.readString(DOC);
        int start = doc.indexOf("## 5. ");
        for (int i = 0; i <= n; i++) {
            start = doc.indexOf("```python", start) + "```python".length();
        }
        String code = doc.substring(start, doc.indexOf("```", start));
        StringBuilder out = new StringBuilder("import sys\n");
        for (String line : code.lines().toList()) {
            if (line.startsWith("endpoint, server_key =")) {
                line = "endpoint, server_key = sys.argv[1], sys.argv[2].encode()";
            } else if (line.startsWith("public, secret =")) {
                line = "public, secret = sys.argv[3].encode(), sys.argv[4].encode()";
            } else if (line.startsWith("sub = ctx.socket(zmq.SUB)")) {
                line = line + "\nsub.setsockopt(zmq.RCVTIMEO, 30000)";
            } else if (line.startsWith("dealer = ctx.socket(zmq.DEALER)")) {
                line = line + "\ndealer.setsockopt(zmq.RCVTIMEO, 30000)";
            } else if (line.startsWith("while True:")) {
                line = "for _ in range(int(sys.argv[5])):";
            }
            out.append(line).append('\n');
        }
        return out.toString();
    }

    private static String pythonWithPyzmq() {
        for (String candidate : new String[] {"/usr/bin/python3", "python3"}) {
            try {
                Process p = new ProcessBuilder(candidate, "-c", "import zmq; assert zmq.has('curve')").redirectErrorStream(true).start();
                if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return candidate;
                }
            } catch (Exception e) {
                // not this one
            }
        }
        return null;
    }
}
