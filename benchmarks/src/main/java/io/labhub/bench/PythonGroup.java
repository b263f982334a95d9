package io.labhub.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.zeromq.ZMQ;

/**
 * The Python client (clients/python) against LabHub in Java, same pairs as {@link LabHubGroup} (which this
 * group runs for the Java side): {@code shm.tp.N} and {@code pubsub.64} are produced by side A's Java Hub and
 * read by a Python process that side B starts (benchmarks/python/bench.py, numpy views for shm); {@code shm.rate}
 * is produced by a Python process that side A starts and read by side B's Java Hub. The report divides each by
 * the all-Java case of the same launch ({@code labhub/...}).
 */
final class PythonGroup implements Group {

    private static final String PYTHON = System.getProperty("labhub.bench.python", "/usr/bin/python3");
    private static Boolean available;

    /** Whether python3 with pyzmq (CURVE) and numpy runs here; asked once. */
    static synchronized boolean available() {
        if (available == null) {
            try {
                Process p = new ProcessBuilder(PYTHON, "-c", "import zmq, numpy; assert zmq.has('curve')")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                available = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
            } catch (java.io.IOException | InterruptedException e) {
                available = false;
            }
        }
        return available;
    }
    private final LabHubGroup java = new LabHubGroup();
    private Path keys;
    private String broker;
    private String brokerKey;
    private Process producer;

    @Override
    public String init(String side, Map<String, String> params) throws Exception {
        String key = java.init(side, params);
        broker = "tcp://127.0.0.1:" + params.get("brokerPort");
        brokerKey = side.equals("A") ? key : params.get("peer");
        // the Python process's own key pair (one key per process), in LabHub's key-file format, allowed
        keys = Files.createDirectories(Path.of(params.get("home")).resolve("python-keys"));
        ZMQ.Curve.KeyPair pair = ZMQ.Curve.generateKeyPair();
        Path secret = keys.resolve("labhub.key");
        Files.writeString(secret, "# LabHub CURVE secret key (Z85).\n" + pair.secretKey + "\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(keys.resolve("labhub.pub"), "# LabHub CURVE public key (Z85).\n" + pair.publicKey + "\n");
        Files.writeString(Path.of(params.get("allowList")), pair.publicKey + "\n", StandardOpenOption.APPEND);
        return key;
    }

    @Override
    public String setup(String c) throws Exception {
        if (!c.equals("shm.rate")) {
            return java.setup(c);
        }
        producer = python("produce-shm", "bench.shm-rate").start();
        BufferedReader out = new BufferedReader(new InputStreamReader(producer.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line; (line = out.readLine()) != null; ) {
            if (line.equals("ready")) {
                return "-";
            }
            seen.append(line).append('\n');
        }
        throw new IllegalStateException("the Python shm producer ended: " + seen);
    }

    @Override
    public double[] run(String c, String arg) throws Exception {
        if (c.equals("shm.rate")) {
            return java.run(c, arg); // the Java consumer reads the Python producer
        }
        String size = c.substring(c.lastIndexOf('.') + 1);
        String mode = c.startsWith("shm.") ? "consume-shm" : "consume-pubsub";
        Process p = python(mode, "bench." + c.replace('.', '-'), size, Long.toString(Measure.WARM_NANOS / 1_000_000),
                Long.toString(Measure.MEASURE_NANOS / 1_000_000)).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("python " + mode + " failed: " + output);
        }
        System.err.println("case " + c + ": python " + output.strip().replace('\n', ' ')); // its counters, in the log
        for (String line : output.lines().toList()) {
            if (line.startsWith("@@rate ")) {
                String[] w = line.split(" ");
                return new double[] {Double.parseDouble(w[1]), Double.parseDouble(w[2])};
            }
        }
        throw new IllegalStateException("python " + mode + " printed no rate: " + output);
    }

    private ProcessBuilder python(String... args) {
        Path here = Path.of(System.getProperty("user.dir")); // benchmarks/ (benchmarks/run changes to it)
        List<String> command = new java.util.ArrayList<>(List.of(PYTHON, here.resolve("python/bench.py").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("PYTHONPATH", here.resolve("../clients/python").normalize().toString());
        pb.environment().put("LABHUB_BROKER", broker);
        pb.environment().put("LABHUB_BROKER_KEY", brokerKey);
        pb.environment().put("LABHUB_KEYS", keys.toString());
        return pb;
    }

    @Override
    public void finish(String c) throws Exception {
        if (producer != null) {
            producer.getOutputStream().close(); // stdin closed: the producer closes its channel and ends
            if (!producer.waitFor(10, TimeUnit.SECONDS)) {
                producer.destroyForcibly();
            }
            producer = null;
            return;
        }
        java.finish(c);
    }

    @Override
    public void close() throws Exception {
        if (producer != null) {
            producer.destroyForcibly();
        }
        java.close();
    }
}
