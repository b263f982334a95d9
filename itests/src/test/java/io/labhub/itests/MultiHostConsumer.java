package io.labhub.itests;

import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelTimeoutException;
import io.labhub.api.ConsumerOptions;
import io.labhub.api.Hub;
import io.labhub.api.LabHubException;
import io.labhub.api.Message;
import io.labhub.api.RequestClient;
import io.labhub.api.Subscriber;
import io.labhub.launcher.LabHub;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The consumer host of {@link MultiHostIT}, run in the second network namespace: an embedded LabHub
 * (launcher) whose home {@code args[0]} holds nothing but {@code conf/io.labhub.core.cfg} with the
 * broker's address and key. It prints what it learns, one line per fact, each ending in {@code t=}
 * (epoch milliseconds, the same clock as the test's):
 * <pre>
 * key KEY                                        this host's public key (to be allowed on the broker host)
 * broker connected|disconnected message=...      the Hub's broker session changed
 * discovered NAME endpoint=E                     where the broker says NAME's producer is
 * state NAME ACTIVE|PRODUCER_LOST|CLOSED|absent|error CODE   the broker's view of NAME changed (hub.find)
 * producer NAME ACTIVE|PRODUCER_LOST|CLOSED     this host's own view of NAME's producer changed (producerState())
 * reading seq=S skipped=K gaps=G reconnects=R    one message of lab.thermometer and the subscriber's counters
 * reply ok TEXT | reply error TYPE CODE TEXT     the answer to a "request TEXT" line read from stdin
 * </pre>
 * It stops at end of input or on a {@code quit} line.
 */
public final class MultiHostConsumer {

    static final String THERMOMETER = "lab.thermometer";
    static final String STAGE = "stage.x";
    private static final Duration WAIT = Duration.ofSeconds(60);

    private MultiHostConsumer() {
    }

    private static synchronized void say(String fact) {
        System.out.println(fact + " t=" + System.currentTimeMillis());
        System.out.flush();
    }

    public static void main(String[] args) throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        try (LabHub lab = LabHub.builder().home(Path.of(args[0])).featuresDir(It.featuresDir())
                .features("boot", "framework", "base", "broker", "core", "zmq").start()) {
            Hub hub = lab.hub(WAIT);
            say("key " + hub.status().clientKey());
            Thread watcher = new Thread(() -> watch(hub, running), "multihost-watch");
            watcher.setDaemon(true);
            watcher.start();

            ConsumerOptions wait = ConsumerOptions.DEFAULTS.withWaitForChannel(WAIT);
            try (Subscriber readings = hub.openSubscriber(THERMOMETER, wait);
                 RequestClient stage = hub.openClient(STAGE, wait)) {
                for (String name : new String[] {THERMOMETER, STAGE}) {
                    Optional<ChannelInfo> info = hub.find(name);
                    say("discovered " + name + " endpoint=" + info.map(ChannelInfo::endpoint).orElse("none"));
                }
                Thread producers = new Thread(() -> watchProducers(readings, stage, running), "multihost-producers");
                producers.setDaemon(true);
                producers.start();
                Thread reader = new Thread(() -> read(readings, running), "multihost-read");
                reader.setDaemon(true);
                reader.start();
                serveCommands(stage);
            }
        } finally {
            running.set(false);
        }
        System.exit(0);
    }

    /** Lines from stdin: {@code request TEXT} is sent to the stage; {@code quit} or end of input stops. */
    private static void serveCommands(RequestClient stage) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null && !line.equals("quit"); line = in.readLine()) {
            if (!line.startsWith("request ")) {
                say("unknown command " + line);
                continue;
            }
            try {
                byte[] reply = stage.request(line.substring("request ".length()).getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5));
                say("reply ok " + new String(reply, StandardCharsets.UTF_8));
            } catch (LabHubException e) {
                say("reply error " + e.getClass().getSimpleName() + " " + e.code() + " " + e.getMessage());
            }
        }
    }

    private static void read(Subscriber readings, AtomicBoolean running) {
        while (running.get()) {
            try {
                Message m = readings.receive(Duration.ofMillis(500));
                var c = readings.counters();
                say(String.format(Locale.ROOT, "reading seq=%d skipped=%d gaps=%d reconnects=%d",
                        m.sequence(), m.skipped(), c.gaps(), c.reconnects()));
            } catch (ChannelTimeoutException e) {
                // nothing for 500 ms: look again (the test judges silence from the time stamps)
            } catch (LabHubException e) {
                say("read error " + e.code() + " " + e.getMessage());
                return;
            }
        }
    }

    /**
     * Prints every change of the Hub's broker session (polled every 100 ms) and, on one thread per channel
     * (a {@code hub.find} may wait for the broker up to its request timeout), of the broker's view of it.
     */
    private static void watch(Hub hub, AtomicBoolean running) {
        for (String name : new String[] {THERMOMETER, STAGE}) {
            Thread t = new Thread(() -> {
                String last = null;
                while (running.get() && pause()) {
                    String state;
                    try {
                        state = hub.find(name).map(info -> info.state().name()).orElse("absent");
                    } catch (LabHubException e) {
                        state = "error " + e.code();
                    }
                    if (!state.equals(last)) {
                        last = state;
                        say("state " + name + " " + state);
                    }
                }
            }, "multihost-find-" + name);
            t.setDaemon(true);
            t.start();
        }
        Boolean connected = null;
        while (running.get() && pause()) {
            var status = hub.status();
            if (connected == null || connected != status.brokerConnected()) {
                connected = status.brokerConnected();
                say("broker " + (connected ? "connected" : "disconnected") + " message=" + status.message());
            }
        }
    }

    /** Prints every change of this host's own view of each producer (Channel.producerState(), polled every 100 ms). */
    private static void watchProducers(Subscriber readings, RequestClient stage, AtomicBoolean running) {
        String lastReadings = null;
        String lastStage = null;
        while (running.get() && pause()) {
            String r = readings.producerState().name();
            if (!r.equals(lastReadings)) {
                lastReadings = r;
                say("producer " + THERMOMETER + " " + r);
            }
            String s = stage.producerState().name();
            if (!s.equals(lastStage)) {
                lastStage = s;
                say("producer " + STAGE + " " + s);
            }
        }
    }

    /** The polling period of the observers (not a synchronisation); false when interrupted. */
    private static boolean pause() {
        try {
            Thread.sleep(100);
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }
}
