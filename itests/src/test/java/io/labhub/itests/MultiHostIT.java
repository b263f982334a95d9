package io.labhub.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.labhub.testkit.Await;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.Assume;
import org.junit.Test;

/**
 * Two hosts on one machine: two network namespaces joined by a veth pair, made by this test. Host A runs
 * the assembled runtime ({@code bin/labhub}) with the broker bound to all interfaces and the sample
 * thermometer ({@code lab.thermometer}, pubsub) and stage ({@code stage.x}, reqrep); the transport's
 * {@code advertisedHost} is left empty, so what A advertises is the default rule's choice. Host B runs
 * {@link MultiHostConsumer}, an embedded LabHub configured only with the broker's address and key (its
 * own key allowed in A's allow-list). B discovers, subscribes and requests across the link; then the
 * link is cut for {@link #CUT} ({@code ip link set ... down}) and restored, and B must learn by itself
 * that the producer is lost (its subscriber's {@code producerState()}: the broker's {@code producer_lost}
 * cannot cross the cut, and {@code hub.find} answers from the broker) and resume by itself, with the readings it missed counted: the thermometer runs at
 * 1000 readings/s, so an outage of seconds overflows its publisher's queue (high-water mark 1000) and a
 * sequence jump must follow the queued readings. Needs root and iproute2; skipped otherwise.
 *
 * <p>The namespaces and the 10.213.7.0/30 link exist only inside them; the root namespace's network is
 * never touched. Their names carry this JVM's pid; namespaces left by a killed run are removed at start.
 */
public class MultiHostIT {

    private static final String PREFIX = "labhub-mh-";
    private static final Pattern STALE = Pattern.compile("^" + PREFIX + "(\\d+)-[ab]\\b.*");
    private static final String ADDRESS_A = "10.213.7.1";
    private static final String ADDRESS_B = "10.213.7.2";
    private static final Duration START = Duration.ofSeconds(90);
    private static final Duration STEP = Duration.ofSeconds(20);
    /** How long the link stays down. */
    private static final Duration CUT = Duration.ofSeconds(5);
    private static final Pattern FACT = Pattern.compile("^(.*) t=(\\d+)$");
    private static final Pattern READING = Pattern.compile("reading seq=(\\d+) skipped=(\\d+) gaps=(\\d+) reconnects=(\\d+)");

    private final long pid = ProcessHandle.current().pid();
    private final String nsA = PREFIX + pid + "-a";
    private final String nsB = PREFIX + pid + "-b";
    private final String vethA = "lhmh" + pid + "a";
    private final String vethB = "lhmh" + pid + "b";

    @Test
    public void aConsumerOnAnotherHostDiscoversSubscribesRequestsAndResumesAfterTheLinkIsCut() throws Exception {
        Assume.assumeTrue("needs root and iproute2 (ip netns)", isRoot() && hasIp());
        removeStaleNamespaces();
        Process a = null;
        Process b = null;
        OutputStream stdinA = null;
        try {
            makeHosts();
            int brokerPort = ThreadLocalRandom.current().nextInt(20000, 40000); // a fresh namespace: nothing else listens
            Path homeA = prepareHostA(brokerPort);
            Path logA = homeA.resolve("log/labhub.log");
            a = new ProcessBuilder("ip", "netns", "exec", nsA, homeA.resolve("bin/labhub").toString())
                    .redirectOutput(homeA.resolve("stdout.txt").toFile()).redirectError(homeA.resolve("stderr.txt").toFile()).start();
            stdinA = a.getOutputStream(); // kept open: end of input would stop the console and the runtime
            Process hostA = a;
            awaitLog("host A: broker, thermometer and stage started", logA, hostA,
                    s -> s.contains("broker listening on") && s.contains("on 'lab.thermometer'") && s.contains("stage on 'stage.x'"));
            String brokerKey = keyIn(homeA.resolve("conf/keys/labhub.pub"));

            Path homeB = It.workDir().resolve("multihost-b");
            It.deleteTree(homeB);
            Files.createDirectories(homeB.resolve("conf"));
            Files.writeString(homeB.resolve("conf/io.labhub.core.cfg"), "# host B knows only the broker's address and key\n"
                    + "broker.endpoint = tcp://" + ADDRESS_A + ":" + brokerPort + "\nbroker.publicKey = " + brokerKey + "\n");
            List<String> consumer = List.of("ip", "netns", "exec", nsB, ProcessHandle.current().info().command().orElseThrow(),
                    "--enable-native-access=ALL-UNNAMED", "-Dlabhub.features.dir=" + It.featuresDir(),
                    "-cp", System.getProperty("java.class.path"), MultiHostConsumer.class.getName(), homeB.toString());
            Path outB = homeB.resolve("stdout.txt");
            b = new ProcessBuilder(consumer).redirectOutput(outB.toFile()).redirectError(homeB.resolve("stderr.txt").toFile()).start();
            Timeline hostB = new Timeline(outB, b, homeB.resolve("stderr.txt"));

            // the operator's step on host A: allow B's key (the allow-list is reloaded while running)
            String keyB = hostB.await("B prints its key", START, f -> f.text().startsWith("key ")).text().substring(4);
            Files.writeString(homeA.resolve("conf/keys/allowed_keys"), keyB + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            long allowed = System.currentTimeMillis();
            Fact admitted = hostB.await("B's Hub connected to the broker on A", START, f -> f.text().startsWith("broker connected"));
            System.out.printf("multi-host: B admitted by the broker %d ms after its key was allowed%n", admitted.t() - allowed);

            for (String channel : List.of(MultiHostConsumer.THERMOMETER, MultiHostConsumer.STAGE)) {
                String endpoint = hostB.await("B discovers " + channel, START, f -> f.text().startsWith("discovered " + channel + " "))
                        .text().replaceFirst(".* endpoint=", "");
                String expected = "tcp://" + ADDRESS_A + ":";
                assertTrue("host A advertised " + channel + " at " + endpoint + ", which host B cannot reach: with bindHost '*' and "
                        + "advertisedHost empty, A's only non-loopback address " + ADDRESS_A + " must be advertised "
                        + "(issue 13 item 4; today's default takes InetAddress.getLocalHost())", endpoint.startsWith(expected));
            }

            hostB.awaitReadings("B receives 10 readings across the link", 10, 0, STEP);
            Fact moved = request(b, hostB, "move 1.5");
            assertTrue(moved.text(), moved.text().startsWith("reply ok moved to 1.500 mm"));

            // ---- cut the link for a few seconds, then restore it ----
            long cut = System.currentTimeMillis();
            ip("-n", nsA, "link", "set", vethA, "down");
            Await.until("the outage of " + CUT.toMillis() + " ms", CUT.plusSeconds(5), () -> {
                hostB.alive("during the outage");
                return System.currentTimeMillis() - cut >= CUT.toMillis();
            });
            long up = System.currentTimeMillis();
            ip("-n", nsA, "link", "set", vethA, "up");
            List<Fact> duringCut = hostB.facts().stream().filter(f -> f.t() >= cut && f.t() <= up).toList();

            Fact resumed = hostB.await("B receives a reading again after the link is back", STEP,
                    f -> f.t() > up && f.text().startsWith("reading "));
            hostB.await("B receives readings published after the outage (a sequence jump past what was queued)", STEP,
                    f -> f.t() > up && READING.matcher(f.text()).matches() && !f.text().contains(" skipped=0 "));
            Fact answered = request(b, hostB, "position");
            assertTrue(answered.text(), answered.text().startsWith("reply ok position 1.500 mm"));
            Fact active = hostB.await("the broker's view of lab.thermometer, as B sees it, is active again", STEP,
                    f -> f.t() > up && f.text().equals("state " + MultiHostConsumer.THERMOMETER + " ACTIVE"));

            // every missed reading is counted: skipped is the sequence jump, the gap counter their sum
            List<long[]> readings = hostB.readings();
            long skippedSum = 0;
            long gapsBefore = 0;
            long prev = -1;
            for (long[] r : readings) {
                if (prev >= 0 && r[0] > prev) {
                    assertEquals("reading #" + r[0] + " after #" + prev + ": skipped must be the sequence jump", r[0] - prev - 1, r[1]);
                }
                prev = r[0];
                skippedSum += r[1];
                assertEquals("B's gap counter is the sum of the skipped readings, at reading #" + r[0], skippedSum, r[2]);
                if (r[4] < cut) {
                    gapsBefore = r[2];
                }
            }
            long[] last = readings.get(readings.size() - 1);
            long gapAcross = last[2] - gapsBefore;
            List<Fact> readWhileDown = duringCut.stream().filter(f -> f.text().startsWith("reading ") && f.t() > cut + 1000).toList();
            assertTrue("B received readings while the link was down: " + readWhileDown, readWhileDown.isEmpty());
            Optional<Fact> disconnected = duringCut.stream().filter(f -> f.text().startsWith("broker disconnected")).findFirst();
            // B's own view (producerState()): the broker on A cannot tell B across the cut, and hub.find answers
            // from the broker (an error while it is out of reach), so B must learn the loss by itself
            Optional<Fact> lost = duringCut.stream()
                    .filter(f -> f.text().equals("producer " + MultiHostConsumer.THERMOMETER + " PRODUCER_LOST")).findFirst();
            Optional<Fact> stageLost = duringCut.stream()
                    .filter(f -> f.text().equals("producer " + MultiHostConsumer.STAGE + " PRODUCER_LOST")).findFirst();
            Fact producerBack = hostB.await("B's own view of lab.thermometer's producer is active again", STEP,
                    f -> f.t() > up && f.text().equals("producer " + MultiHostConsumer.THERMOMETER + " ACTIVE"));
            // after the link is back: first what was queued during the outage, then the largest jump (the readings lost)
            long[] jump = readings.stream().filter(r -> r[4] > up).max(java.util.Comparator.comparingLong(r -> r[1])).orElseThrow();
            long queued = readings.stream().filter(r -> r[4] > up && r[4] <= jump[4]).count() - 1;
            System.out.printf("multi-host: link down %d ms. B: broker session lost after %s, producer_lost after %s "
                            + "(stage %s), its own view active again %d ms after the link came back; "
                            + "first reading %d ms after the link came back, then %d readings queued during the outage, "
                            + "then the largest jump: %s; gap counted across the outage %d readings; request answered %d ms after the link "
                            + "came back; broker's view active again after %d ms%n",
                    up - cut, disconnected.map(f -> (f.t() - cut) + " ms").orElse("never"),
                    lost.map(f -> (f.t() - cut) + " ms").orElse("never"),
                    stageLost.map(f -> (f.t() - cut) + " ms").orElse("never"), producerBack.t() - up, resumed.t() - up, queued,
                    "reading #" + jump[0] + " skipping " + jump[1] + " (" + (jump[4] - up) + " ms after)", gapAcross,
                    answered.t() - up, active.t() - up);
            assertTrue("B's Hub did not notice that the broker became unreachable during the cut: " + duringCut, disconnected.isPresent());
            assertTrue("an outage of " + (up - cut) + " ms at 1000 readings/s overflows the publisher's queue (high-water mark "
                    + "1000): B must count the readings it lost", gapAcross > 0);

            if (lost.isEmpty()) {
                fail("B's subscriber never reported lab.thermometer's producer lost (producerState()) while the link was down for " + (up - cut)
                        + " ms (hub.find answered " + describe(duringCut) + "); B saw during the cut: "
                        + duringCut.stream().filter(f -> !f.text().startsWith("reading ")).map(Fact::text).toList()
                        + ". The broker on host A still sees the thermometer heartbeating, and its producer_lost events cannot "
                        + "cross the cut link; the consumer side has no liveness of its own for a pubsub producer");
            }
        } finally {
            if (b != null) {
                stop(b, null);
            }
            if (a != null) {
                stop(a, stdinA);
            }
            deleteNamespace(nsA);
            deleteNamespace(nsB);
        }
    }

    private static String describe(List<Fact> facts) {
        List<String> states = facts.stream().map(Fact::text)
                .filter(t -> t.startsWith("state " + MultiHostConsumer.THERMOMETER + " ")).toList();
        return states.isEmpty() ? "with no change (still ACTIVE)" : String.join(", ", states);
    }

    /** Sends {@code request TEXT} to B's stdin and waits for B's next answer line. */
    private static Fact request(Process b, Timeline hostB, String text) throws IOException {
        long before = hostB.facts().stream().filter(f -> f.text().startsWith("reply ")).count();
        b.getOutputStream().write(("request " + text + "\n").getBytes(StandardCharsets.UTF_8));
        b.getOutputStream().flush();
        Await.until("B's reply to '" + text + "'", STEP,
                () -> hostB.facts().stream().filter(f -> f.text().startsWith("reply ")).count() > before);
        return hostB.facts().stream().filter(f -> f.text().startsWith("reply ")).skip(before).findFirst().orElseThrow();
    }

    // ---- the two hosts ----

    private void makeHosts() throws IOException {
        ip("netns", "add", nsA);
        ip("netns", "add", nsB);
        ip("link", "add", vethA, "type", "veth", "peer", "name", vethB); // created in the root namespace, moved at once
        ip("link", "set", vethA, "netns", nsA);
        ip("link", "set", vethB, "netns", nsB);
        ip("-n", nsA, "addr", "add", ADDRESS_A + "/30", "dev", vethA);
        ip("-n", nsB, "addr", "add", ADDRESS_B + "/30", "dev", vethB);
        for (String ns : List.of(nsA, nsB)) {
            ip("-n", ns, "link", "set", "lo", "up");
        }
        ip("-n", nsA, "link", "set", vethA, "up");
        ip("-n", nsB, "link", "set", vethB, "up");
    }

    /** A copy of the assembled runtime: broker on all interfaces, only the thermometer and the stage deployed. */
    private static Path prepareHostA(int brokerPort) throws IOException {
        Path home = It.copyRuntime("multihost-a");
        try (var jars = Files.list(home.resolve("deploy"))) {
            for (Path jar : jars.toList()) {
                String name = jar.getFileName().toString();
                if (!name.startsWith("labhub-sample-thermometer") && !name.startsWith("labhub-sample-stage")) {
                    Files.delete(jar);
                }
            }
        }
        Files.writeString(home.resolve("conf/io.labhub.broker.cfg"),
                "endpoint = tcp://*:" + brokerPort + "\neventsEndpoint = tcp://*:" + (brokerPort + 1) + "\n");
        Files.writeString(home.resolve("conf/io.labhub.core.cfg"), "broker.endpoint = tcp://127.0.0.1:" + brokerPort + "\n");
        // producers bind all interfaces; advertisedHost is deliberately not set: the default must be reachable
        Files.writeString(home.resolve("conf/io.labhub.transport.zmq.cfg"), "bindHost = *\n");
        Files.writeString(home.resolve("conf/io.labhub.sample.thermometer.cfg"), "channel = lab.thermometer\nrateHz = 1000\n");
        return home;
    }

    private static void awaitLog(String what, Path log, Process p, Predicate<String> condition) {
        Await.until(what + " (" + log + ")", START, () -> {
            if (!p.isAlive()) {
                throw new AssertionError(what + ": the process exited with " + p.exitValue() + "; see " + log.getParent());
            }
            try {
                return Files.exists(log) && condition.test(Files.readString(log));
            } catch (IOException e) {
                return false;
            }
        });
    }

    private static void stop(Process p, OutputStream stdin) throws InterruptedException {
        try {
            if (stdin != null) {
                stdin.close(); // end of input: the console ends and the runtime stops
            } else {
                p.getOutputStream().write("quit\n".getBytes(StandardCharsets.UTF_8));
                p.getOutputStream().close();
            }
        } catch (IOException e) {
            // already gone
        }
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    // ---- iproute2 ----

    private static boolean isRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean hasIp() {
        try {
            Process p = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Runs {@code ip ARGS} with a deadline; fails with its output unless it exits 0. */
    private static String ip(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + String.join(" ", command));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " exited " + p.exitValue() + ": " + out.strip());
        }
        return out;
    }

    /** Namespaces of an earlier run of this test whose JVM is gone (killed before its finally ran). */
    private void removeStaleNamespaces() throws IOException {
        for (String line : ip("netns", "list").lines().toList()) {
            Matcher m = STALE.matcher(line.strip());
            if (m.matches()) {
                long owner = Long.parseLong(m.group(1));
                if (owner == pid || ProcessHandle.of(owner).isEmpty()) {
                    deleteNamespace(line.strip().split("\\s+")[0]);
                }
            }
        }
    }

    /** Deleting a namespace also deletes the veth end in it, and with it its peer. */
    private static void deleteNamespace(String name) {
        try {
            if (ip("netns", "list").lines().anyMatch(l -> l.strip().split("\\s+")[0].equals(name))) {
                ip("netns", "del", name);
            }
        } catch (IOException | AssertionError e) {
            System.err.println("multi-host: could not delete network namespace " + name + ": " + e.getMessage());
        }
    }

    private static String keyIn(Path file) throws IOException {
        return Files.readAllLines(file).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).findFirst().orElseThrow();
    }

    // ---- what host B printed ----

    record Fact(String text, long t) {
    }

    /** B's stdout as time-stamped facts (see {@link MultiHostConsumer}). */
    private static final class Timeline {
        private final Path out;
        private final Process process;
        private final Path err;

        Timeline(Path out, Process process, Path err) {
            this.out = out;
            this.process = process;
            this.err = err;
        }

        List<Fact> facts() {
            List<Fact> facts = new ArrayList<>();
            try {
                if (!Files.exists(out)) {
                    return facts;
                }
                String s = Files.readString(out);
                for (String line : s.lines().toList()) {
                    Matcher m = FACT.matcher(line);
                    if (m.matches()) {
                        facts.add(new Fact(m.group(1), Long.parseLong(m.group(2))));
                    }
                }
            } catch (IOException e) {
                // a partial read: the next poll sees more
            }
            return facts;
        }

        /** seq, skipped, gaps, reconnects, t of every reading. */
        List<long[]> readings() {
            List<long[]> list = new ArrayList<>();
            for (Fact f : facts()) {
                Matcher m = READING.matcher(f.text());
                if (m.matches()) {
                    list.add(new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                            Long.parseLong(m.group(4)), f.t()});
                }
            }
            return list;
        }

        Optional<Fact> awaitOptional(Duration timeout, Predicate<Fact> condition) {
            Fact[] found = {null};
            Await.within("a line of host B", timeout, () -> {
                found[0] = facts().stream().filter(condition).findFirst().orElse(null);
                if (found[0] == null) {
                    alive("waiting");
                }
                return found[0] != null;
            });
            return Optional.ofNullable(found[0]);
        }

        Fact await(String what, Duration timeout, Predicate<Fact> condition) {
            return awaitOptional(timeout, condition).orElseThrow(() -> new AssertionError("timed out after " + timeout
                    + " waiting for: " + what + "; host B printed:\n" + tail()));
        }

        /** The {@code count}-th reading received after {@code since}. */
        Fact awaitReadings(String what, int count, long since, Duration timeout) {
            Await.until(what, timeout, () -> {
                alive(what);
                return facts().stream().filter(f -> f.t() > since && f.text().startsWith("reading ")).count() >= count;
            });
            return facts().stream().filter(f -> f.t() > since && f.text().startsWith("reading ")).skip(count - 1).findFirst().orElseThrow();
        }

        void alive(String what) {
            if (!process.isAlive()) {
                throw new AssertionError(what + ": host B exited with " + process.exitValue() + "; it printed:\n" + tail());
            }
        }

        private String tail() {
            List<Fact> facts = facts();
            String printed = String.join("\n", facts.subList(Math.max(0, facts.size() - 30), facts.size()).stream().map(Fact::toString).toList());
            try {
                String e = Files.exists(err) ? Files.readString(err) : "";
                return printed + "\n-- stderr (end) --\n" + e.substring(Math.max(0, e.length() - 3000));
            } catch (IOException ex) {
                return printed;
            }
        }
    }
}
