package io.labhub.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The benchmark suite: {@code Bench [--quick] [--launches N] [--out DIR] [--features DIR]}.
 *
 * <p>For each launch it starts, group after group, a fresh pair of child JVMs ({@link Child}): side A
 * serves, side B measures. Every launch measures LabHub and all its references, so each LabHub figure
 * gets a ratio to a reference from the same launch; the report gives medians over launches and their
 * spread (the machine jumps between speed levels from one launch to the next).
 */
public final class Bench {

    private static final Logger LOG = Logger.getLogger(Bench.class.getName());

    /** Groups and their cases, in running order. */
    static final Map<String, List<String>> CASES = new LinkedHashMap<>();
    /**
     * Groups run only when named in {@code --groups}: the pub/sub cases of {@code zmq} and {@code labhub} with side A
     * and side B in two network namespaces joined by a veth pair ({@link Veth}; root and iproute2).
     */
    static final Map<String, List<String>> VETH_CASES = new LinkedHashMap<>();

    static {
        CASES.put("phys", List.of("pingpong", "futex", "memcpy.1048576", "memcpy.4194304", "memcpy.16777216"));
        // Plain and CURVE twins run one after the other, so each same-launch ratio compares neighbours in time.
        CASES.put("zmq", List.of("pubsub.64.plain", "pubsub.64.curve", "pubsub.1048576.plain", "pubsub.1048576.curve",
                "reqrep.plain", "reqrep.curve", "pubsub.64.ipc", "ow.ipc", "ow.tcp",
                "handshake.300.curve", "handshake.300.backlog"));
        // Raw JeroMQ CURVE on jnacl 1.0.0, the pure-Java NaCl LabHub used before the crypto bundle (the old
        // baseline): the same ZmqGroup in JVMs whose class path has jnacl's jar in place of labhub-crypto's.
        CASES.put("jnacl", List.of("pubsub.64.curve", "pubsub.1048576.curve", "reqrep.curve"));
        CASES.put("aeron", List.of("rtt", "ow", "rate"));
        CASES.put("crypto", List.of("box.64.libsodium", "box.1048576.libsodium", "box.64.bouncycastle",
                "box.1048576.bouncycastle"));
        CASES.put("labhub", List.of("shm.rtt.spin", "shm.rtt.block", "shm.ow.spin", "shm.ow.block", "shm.rate", "shm.rate.next", "shm.tp.1048576", "shm.tp.2097152", "shm.tp.4194304",
                "shm.tp.16777216", "pubsub.64", "pubsub.1048576", "reqrep", "handshake.300"));
        // Issue 14: LabHub shm, Aeron IPC and the ping-pong floor taking turns in one pair of JVMs (one speed level).
        CASES.put("duel", DuelGroup.cases());
        // The same LabHub CURVE cases with the crypto bundle's Bouncy Castle backend forced (for the record).
        CASES.put("labhubbc", List.of("pubsub.64", "pubsub.1048576", "reqrep", "handshake.300"));
        // The Python client (issue 15): each case against its all-Java twin in group labhub (where python3 with
        // pyzmq and numpy is installed: Debian python3-zmq, python3-numpy).
        // The recorder (issue 18): each recording next to a plain write of the same frames, in side B alone.
        CASES.put("recorder", List.of("write.1048576", "record.1048576", "inplace.1048576", "write.2097152",
                "record.2097152", "inplace.2097152", "maxrate.1048576", "live.1048576", "replay.1048576"));
        // The web console's preview (issue 17): each camera case with and without it, in side B alone; with ten
        // browser viewers too where Debian's chromium and chromium-driver are installed.
        CASES.put("preview", BrowserViewers.available()
                ? List.of("paced.off", "paced.preview", "paced.browsers", "max.off", "max.preview", "max.browsers")
                : List.of("paced.off", "paced.preview", "max.off", "max.preview"));
        VETH_CASES.put("zmqveth", List.of("pubsub.64.plain", "pubsub.64.curve", "pubsub.1048576.plain", "pubsub.1048576.curve"));
        VETH_CASES.put("labhubveth", List.of("pubsub.64", "pubsub.1048576"));
        if (PythonGroup.available()) {
            CASES.put("python", List.of("shm.tp.2097152", "shm.tp.1048576", "pubsub.64", "shm.rate"));
        }
    }

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args) ? 0 : 1);
    }

    /** Runs the suite; returns whether every case produced a figure in every launch it ran. */
    public static boolean run(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        boolean quick = false;
        List<String> groups = List.copyOf(CASES.keySet());
        List<String> onlyCases = null;
        int launches = -1;
        Path out = Path.of("target/report");
        Path features = Path.of(System.getProperty("labhub.features.dir", "target/features"));
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--launches" -> launches = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--features" -> features = Path.of(args[++i]);
                case "--groups" -> groups = List.of(args[++i].split(","));
                case "--cases" -> onlyCases = List.of(args[++i].split(","));
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (usage: [--quick] [--launches N] [--out DIR] [--features DIR] [--groups phys,zmq,jnacl,aeron,crypto,labhub,duel,labhubbc,recorder,preview,python,zmqveth,labhubveth] [--cases CASE,...])");
            }
        }
        if (!Files.isDirectory(features.resolve("core"))) {
            throw new IllegalArgumentException("LabHub features not found in " + features.toAbsolutePath()
                    + " (build the module first: mvn -B -f benchmarks/pom.xml package -DskipTests)");
        }
        if (launches < 1) {
            launches = quick ? 2 : 5;
        }
        long warmMs = quick ? 150 : 500;
        long measureMs = quick ? 300 : 1500;
        Path logs = Files.createDirectories(out.resolve("logs"));
        Path work = Files.createDirectories(out.resolve("work"));
        Results results = new Results(launches, warmMs, measureMs, quick);
        long t0 = System.nanoTime();
        List<String> selected = groups;
        Veth veth = VETH_CASES.keySet().stream().anyMatch(selected::contains) ? Veth.up() : null;
        try {
        for (int launch = 1; launch <= launches; launch++) {
            List<Map.Entry<String, List<String>>> order = new ArrayList<>(CASES.entrySet());
            order.addAll(VETH_CASES.entrySet());
            if (launch % 2 == 0) {
                // Every other launch runs the groups in reverse order, so that a drift of the machine within
                // a launch does not always favour the groups that run first.
                java.util.Collections.reverse(order);
            }
            for (Map.Entry<String, List<String>> g : order) {
                if (!groups.contains(g.getKey())) {
                    continue; // a partial run (while developing): the report shows the rest as missing
                }
                List<String> cases = g.getValue();
                if (onlyCases != null) {
                    cases = cases.stream().filter(onlyCases::contains).toList();
                    if (cases.isEmpty()) {
                        continue;
                    }
                }
                runGroup(g.getKey(), cases, launch, warmMs, measureMs, features.toAbsolutePath(), logs, work, results,
                        VETH_CASES.containsKey(g.getKey()) ? veth : null);
            }
            LOG.info(() -> String.format("launch done, %.0f s so far", (System.nanoTime() - t0) / 1e9));
        }
        } finally {
            if (veth != null) {
                veth.close();
            }
        }
        results.seconds = (System.nanoTime() - t0) / 1e9;
        Report.write(results, out);
        deleteTree(work);
        return results.complete();
    }

    private static void runGroup(String group, List<String> cases, int launch, long warmMs, long measureMs,
                                 Path features, Path logs, Path work, Results results, Veth veth) throws Exception {
        Map<String, String> params = pairParams(features, work.resolve("allowed_keys-" + launch));
        if (veth != null) {
            params.put("host", veth.addressA); // where side A binds and B connects: across the link
        }
        Proc a = null;
        Proc b = null;
        try {
            params.put("home", work.resolve(group + "-A-" + launch).toAbsolutePath().toString());
            a = Proc.start(group, "A", params, warmMs, results.warmExchanges, measureMs, logs.resolve(group + "-A-" + launch + ".log"),
                    veth == null ? List.of() : veth.prefix("A"));
            params.put("peer", a.call(null, 120));
            params.put("home", work.resolve(group + "-B-" + launch).toAbsolutePath().toString());
            b = Proc.start(group, "B", params, warmMs, results.warmExchanges, measureMs, logs.resolve(group + "-B-" + launch + ".log"),
                    veth == null ? List.of() : veth.prefix("B"));
            b.call(null, 120);
            for (String c : cases) {
                String key = group + "/" + c;
                try {
                    String arg = a.call("setup " + c, 60);
                    String r = b.call("run " + c + " " + arg, 120);
                    a.call("finish " + c, 60);
                    double[] v = parse(r);
                    results.add(key, launch, v);
                    LOG.info(() -> "launch " + launch + " " + key + " " + java.util.Arrays.toString(v));
                } catch (Exception e) {
                    LOG.warning("launch " + launch + " " + key + " failed: " + e.getMessage());
                    results.fail(key, launch, e.getMessage());
                    if (!a.alive() || !b.alive()) {
                        break;
                    }
                }
            }
        } catch (Exception e) {
            LOG.warning("launch " + launch + " group " + group + " failed: " + e.getMessage());
            for (String c : cases) {
                results.fail(group + "/" + c, launch, e.getMessage());
            }
        } finally {
            if (b != null) {
                b.quit();
            }
            if (a != null) {
                a.quit();
            }
        }
    }

    /**
     * What both JVMs of a pair start with: the features, broker ports chosen now and a fresh allow-list file
     * ({@code allow}, deleted if a previous launch left it), shared by the two so each admits the other.
     */
    static Map<String, String> pairParams(Path features, Path allow) throws IOException {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("features", features.toString());
        params.put("brokerPort", String.valueOf(freePort()));
        params.put("eventsPort", String.valueOf(freePort()));
        Files.deleteIfExists(allow);
        params.put("allowList", allow.toAbsolutePath().toString());
        return params;
    }

    /** A child's answer to {@code run}: its figures, space-separated. */
    static double[] parse(String r) {
        String[] w = r.trim().split(" ");
        double[] v = new double[w.length];
        for (int i = 0; i < w.length; i++) {
            v[i] = Double.parseDouble(w[i]);
        }
        return v;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static void deleteTree(Path p) throws IOException {
        AeronGroup.deleteTree(p);
    }

    /** A child JVM and its protocol lines. */
    static final class Proc {
        final Process process;
        final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
        final PrintStream in;
        final String name;

        private Proc(String name, Process p, Path log) throws IOException {
            this.name = name;
            this.process = p;
            this.in = new PrintStream(p.getOutputStream(), true, StandardCharsets.UTF_8);
            OutputStream logOut = Files.newOutputStream(log, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                     logOut) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        if (line.startsWith("@@")) {
                            answers.add(line);
                        }
                        logOut.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                    }
                } catch (IOException e) {
                    // the child is gone
                } finally {
                    answers.add("@@error " + name + " exited");
                }
            }, "bench-read-" + name);
            reader.setDaemon(true);
            reader.start();
        }

        static Proc start(String group, String side, Map<String, String> params, long warmMs, long warmExchanges,
                          long measureMs, Path log, List<String> prefix)
                throws IOException {
            List<String> cmd = new ArrayList<>(prefix);
            cmd.add(ProcessHandle.current().info().command().orElse("java"));
            cmd.add("--enable-native-access=ALL-UNNAMED");
            // Aeron's Agrona reaches into jdk.internal.misc; Felix 7 and Agrona use sun.misc.Unsafe.
            cmd.add("--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED");
            cmd.add("--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED");
            cmd.add("--add-opens=java.base/java.nio=ALL-UNNAMED");
            if (Runtime.version().feature() >= 23) {
                cmd.add("--sun-misc-unsafe-memory-access=allow");
            }
            cmd.add("-Xmx1g");
            cmd.add("-Dbench.warmMs=" + warmMs);
            cmd.add("-Dbench.measureMs=" + measureMs);
            cmd.add("-Dbench.warmExchanges=" + warmExchanges);
            cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
            cmd.add("-Daeron.print.configuration=false");
            cmd.addAll(jvmOptions(group));
            // For profiling a run (e.g. -XX:StartFlightRecording=...): extra options for every child JVM.
            String extra = System.getProperty("labhub.bench.jvmArgs", "").trim();
            if (!extra.isEmpty()) {
                cmd.addAll(List.of(extra.replace("{side}", group + "-" + side).split("\\s+")));
            }
            cmd.add("-cp");
            cmd.add(classPath(group));
            cmd.add(Child.class.getName());
            cmd.add(group);
            cmd.add(side);
            params.forEach((k, v) -> cmd.add(k + "=" + v));
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.redirectError(ProcessBuilder.Redirect.appendTo(log.resolveSibling(log.getFileName() + ".err").toFile()));
            return new Proc(group + "-" + side, pb.start(), log);
        }

        /** What a group's JVMs get beyond the common options. */
        static List<String> jvmOptions(String group) {
            return switch (group) {
                case "labhubbc" -> List.of("-Dlabhub.crypto.backend=bouncycastle");
                // The recorder's export holds a whole run in memory (jhdf writes the file at close): 512 MiB runs.
                case "recorder" -> List.of("-Xmx3g");
                default -> List.of();
            };
        }

        /**
         * The child's class path: this JVM's, except for the {@code jnacl} group, whose JVMs get jnacl 1.0.0's jar
         * (copied to target/jnacl by the build; {@code labhub.bench.jnacl} overrides) in place of labhub-crypto,
         * since both provide the package com.neilalexander.jnacl.crypto that JeroMQ's CURVE calls.
         */
        static String classPath(String group) {
            String cp = System.getProperty("java.class.path");
            if (!group.equals("jnacl")) {
                return cp;
            }
            Path jnacl = Path.of(System.getProperty("labhub.bench.jnacl", "target/jnacl/jnacl-1.0.0.jar")).toAbsolutePath();
            if (!Files.isRegularFile(jnacl)) {
                throw new IllegalStateException("jnacl's jar not found at " + jnacl
                        + " (the build copies it there: mvn -B -f benchmarks/pom.xml package -DskipTests)");
            }
            List<String> out = new ArrayList<>();
            boolean replaced = false;
            for (String e : cp.split(java.io.File.pathSeparator)) {
                if (e.contains("labhub-crypto") || e.replace('\\', '/').contains("bundles/crypto/")) {
                    if (!replaced) {
                        out.add(jnacl.toString());
                        replaced = true;
                    }
                } else {
                    out.add(e);
                }
            }
            if (!replaced) {
                throw new IllegalStateException("labhub-crypto is not on the class path " + cp);
            }
            return String.join(java.io.File.pathSeparator, out);
        }

        /** Sends {@code command} (or nothing: waits for the start answer); returns the answer's text. */
        String call(String command, long timeoutSeconds) throws Exception {
            if (command != null) {
                in.println(command);
            }
            String line = answers.poll(timeoutSeconds, TimeUnit.SECONDS);
            if (line == null) {
                throw new IllegalStateException(name + ": no answer to '" + command + "' within " + timeoutSeconds + " s");
            }
            if (line.startsWith("@@error")) {
                throw new IllegalStateException(name + ": " + line.substring(7).trim());
            }
            int sp = line.indexOf(' ');
            return sp < 0 ? "" : line.substring(sp + 1);
        }

        boolean alive() {
            return process.isAlive();
        }

        void quit() {
            try {
                if (process.isAlive()) {
                    in.println("quit");
                    if (!process.waitFor(30, TimeUnit.SECONDS)) {
                        LOG.warning(name + " did not quit: killing it");
                        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
