package io.labhub.shell.internal;

import io.labhub.api.ChannelCounters;
import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelNotFoundException;
import io.labhub.api.ChannelState;
import io.labhub.api.ChannelTimeoutException;
import io.labhub.api.ConsumerOptions;
import io.labhub.api.Hub;
import io.labhub.api.HubStatus;
import io.labhub.api.InvalidInputException;
import io.labhub.api.Message;
import io.labhub.api.Publisher;
import io.labhub.api.RequestClient;
import io.labhub.api.ShmConsumer;
import io.labhub.api.ShmFrame;
import io.labhub.api.Subscriber;
import io.labhub.api.ZmqOptions;
import io.labhub.crypto.Nacl;
import io.labhub.security.CurveKeyPair;
import io.labhub.security.CurveSecurity;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The {@code hub:*} commands. Each calls the Hub (this bundle's own, bundle-scoped instance: whatever
 * the shell opened is closed when the shell stops) or CurveSecurity, and formats the answer.
 */
@Component(service = HubCommands.class, property = {
        "osgi.command.scope=hub",
        "osgi.command.function=channels",
        "osgi.command.function=info",
        "osgi.command.function=tail",
        "osgi.command.function=publish",
        "osgi.command.function=request",
        "osgi.command.function=stats",
        "osgi.command.function=keygen",
        "osgi.command.function=allow"})
public class HubCommands {

    /**
     * How far apart hub:channels and hub:stats read the producers' counters. Short enough that the
     * answer comes well under a second; long enough that a 5 Hz stream shows at least two messages.
     */
    static final Duration OBSERVE_WINDOW = Duration.ofMillis(500);
    /** hub:tail's deadline when none is given. */
    static final Duration TAIL_TIMEOUT = Duration.ofSeconds(10);
    /** hub:request's deadline when none is given. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    // Optional and dynamic: the shell stays usable (and every component satisfied) in a runtime without a
    // Hub (a broker-only runtime) or without security; the commands that need one say so.
    private volatile Hub hubService;
    private volatile CurveSecurity securityService;
    /** Publishers hub:publish made, kept so that subscribers stay connected between two publishes. */
    private final Map<String, Publisher> publishers = new ConcurrentHashMap<>();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void bindHub(Hub h) {
        hubService = h;
    }

    void unbindHub(Hub h) {
        if (hubService == h) {
            deactivate();
            hubService = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void bindSecurity(CurveSecurity s) {
        securityService = s;
    }

    void unbindSecurity(CurveSecurity s) {
        if (securityService == s) {
            securityService = null;
        }
    }

    private Hub hub() {
        Hub h = hubService;
        if (h == null) {
            throw new IllegalStateException("no Hub in this runtime: the hub:* commands need the 'core' feature");
        }
        return h;
    }

    private CurveSecurity security() {
        CurveSecurity s = securityService;
        if (s == null) {
            throw new IllegalStateException("no CurveSecurity service in this runtime: hub:keygen and hub:allow need the 'base' feature");
        }
        return s;
    }

    @Deactivate
    void deactivate() {
        publishers.values().forEach(Publisher::close);
        publishers.clear();
    }

    @Descriptor("list every channel: name, kind, producer, consumers, state, and the producer's rate from its counters read 500 ms apart (joins nothing)")
    public String channels() {
        List<ChannelInfo> list = sorted(hub().channels());
        if (list.isEmpty()) {
            return "no channels (" + hub().status().message() + ")";
        }
        List<CounterWindow.Reading> readings = CounterWindow.observe(hub(), list, OBSERVE_WINDOW);
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "KIND", "PRODUCER", "CONSUMERS", "STATE", "RATE"});
        for (CounterWindow.Reading r : readings) {
            ChannelInfo c = r.channel();
            // A request server's counters count replies, not a stream: no rate here (hub:stats shows them).
            double rate = c.kind() == ChannelKind.REQREP ? Double.NaN : r.rate();
            rows.add(new String[] {c.name().value(), c.kind().wireName(), Format.shortKey(c.producer()),
                    Integer.toString(c.consumers()), c.state().wireName(), Format.rate(rate)});
        }
        return Format.table(rows) + System.lineSeparator() + windowNote();
    }

    @Descriptor("show one channel: kind, state, producer key, endpoint or segment, server key, consumers, metadata")
    public String info(@Descriptor("channel name") String name) {
        ChannelInfo c = known(name);
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"name", c.name().value()});
        rows.add(new String[] {"kind", c.kind().wireName()});
        rows.add(new String[] {"state", c.state().wireName()});
        rows.add(new String[] {"producer", Format.key(c.producer())});
        rows.add(new String[] {c.kind() == ChannelKind.SHM ? "segment" : "endpoint", nz(c.endpoint())});
        rows.add(new String[] {"serverKey", Format.key(c.serverKey())});
        if (c.kind() != ChannelKind.SHM) { rows.add(new String[] {"crypto", Nacl.backend() + " (this runtime's CURVE)"}); }
        rows.add(new String[] {"consumers", Integer.toString(c.consumers())});
        new TreeMap<>(c.metadata()).forEach((k, v) -> rows.add(new String[] {"metadata." + k, v}));
        SchemaText.infoRows(c.schema(), rows);
        Optional<ChannelCounters> counters = hub().observe(c.name().value());
        if (counters.isPresent()) {
            ChannelCounters k = counters.get();
            rows.add(new String[] {"counters.messagesSent", Long.toString(k.messagesSent())});
            rows.add(new String[] {"counters.bytesSent", Long.toString(k.bytesSent())});
            rows.add(new String[] {"counters.messagesReceived", Long.toString(k.messagesReceived())});
            rows.add(new String[] {"counters.dropped", Long.toString(k.dropped())});
            rows.add(new String[] {"counters.timeouts", Long.toString(k.timeouts())});
            rows.add(new String[] {"counters.errors", Long.toString(k.errors())});
        } else {
            rows.add(new String[] {"counters", c.kind() == ChannelKind.SHM
                    ? "not readable: no segment of it on this host"
                    : "not reachable: the producer runs in another process (the broker carries no counters)"});
        }
        return Format.table(rows);
    }

    @Descriptor("print the next 10 messages (pubsub) or frame summaries (shm) of a channel, waiting at most 10 s")
    public void tail(CommandSession session, @Descriptor("channel name") String name) {
        tail(session, name, "10", TAIL_TIMEOUT.toMillis() + "ms");
    }

    @Descriptor("print the next COUNT messages (pubsub) or frame summaries (shm) of a channel, waiting at most 10 s")
    public void tail(CommandSession session, @Descriptor("channel name") String name,
                     @Descriptor("how many messages, 1 to 100000") String count) {
        tail(session, name, count, TAIL_TIMEOUT.toMillis() + "ms");
    }

    @Descriptor("print the next COUNT messages (pubsub) or frame summaries (shm) of a channel, waiting at most TIMEOUT in all")
    public void tail(CommandSession session, @Descriptor("channel name") String name,
                     @Descriptor("how many messages, 1 to 100000") String count,
                     @Descriptor("overall deadline: 500ms, 5s or milliseconds") String timeout) {
        int n = Format.count("COUNT", count, 100_000);
        Duration limit = Format.duration("TIMEOUT", timeout);
        long deadline = System.nanoTime() + limit.toNanos();
        ChannelInfo c = awaitChannel(name, deadline, limit);
        PrintStream out = session.getConsole();
        ConsumerOptions opts = ConsumerOptions.DEFAULTS.withWaitForChannel(remaining(deadline));
        int got = 0;
        try {
            switch (c.kind()) {
                case SHM -> {
                    try (ShmConsumer consumer = hub().openShmConsumer(name, opts)) {
                        for (; got < n; got++) {
                            try (ShmFrame f = consumer.next(remaining(deadline))) {
                                String line = "#" + f.sequence() + " " + Format.time(f.timestampNanos()) + " "
                                        + f.segment().byteSize() + " bytes" + (f.skipped() > 0 ? " (skipped " + f.skipped() + ")" : "")
                                        + SchemaText.frame(c.schema(), f.segment());
                                if (f.release()) {
                                    out.println(line);
                                } else {
                                    out.println("#" + f.sequence() + " overwritten while read (torn), discarded");
                                }
                            }
                        }
                    }
                }
                case PUBSUB -> {
                    try (Subscriber s = hub().openSubscriber(name, opts)) {
                        for (; got < n; got++) {
                            Message m = s.receive(remaining(deadline));
                            out.println("#" + m.sequence() + " " + Format.time(m.timestampNanos()) + " "
                                    + SchemaText.message(c.schema(), m.payload()) + (m.skipped() > 0 ? " (skipped " + m.skipped() + ")" : ""));
                        }
                    }
                }
                case REQREP -> throw new InvalidInputException("shell.tail.kind", name,
                        "'" + name + "' is a reqrep channel: it has no stream to tail; use hub:request " + name + " TEXT");
            }
        } catch (ChannelTimeoutException e) {
            throw new ChannelTimeoutException("hub:tail " + name + ": " + got + " of " + n + " message(s) within " + limit.toMillis() + " ms");
        } finally {
            out.flush();
        }
    }

    @Descriptor("publish TEXT on a pubsub channel; the shell keeps that publisher until it stops, so subscribers stay connected")
    public String publish(@Descriptor("channel name") String name, @Descriptor("the message, as UTF-8 text") String text) {
        Publisher p = publishers.computeIfAbsent(name, n -> hub().createPublisher(n, ZmqOptions.DEFAULTS
                .withMetadata(Map.of("content", "text/plain", "producer", "hub:publish"))));
        long seq = p.publish(text.getBytes(StandardCharsets.UTF_8));
        return "published #" + seq + " on " + name;
    }

    @Descriptor("send TEXT to a reqrep channel and print the reply, waiting at most 5 s")
    public String request(@Descriptor("channel name") String name, @Descriptor("the request, as UTF-8 text") String text) {
        return request(name, text, REQUEST_TIMEOUT.toMillis() + "ms");
    }

    @Descriptor("send TEXT to a reqrep channel and print the reply, waiting at most TIMEOUT")
    public String request(@Descriptor("channel name") String name, @Descriptor("the request, as UTF-8 text") String text,
                          @Descriptor("deadline: 500ms, 5s or milliseconds") String timeout) {
        Duration limit = Format.duration("TIMEOUT", timeout);
        long deadline = System.nanoTime() + limit.toNanos();
        ChannelInfo c = known(name);
        if (c.kind() != ChannelKind.REQREP) {
            throw new InvalidInputException("shell.request.kind", name,
                    "'" + name + "' is a " + c.kind().wireName() + " channel, not reqrep; use hub:tail " + name);
        }
        try (RequestClient client = hub().openClient(name, ConsumerOptions.DEFAULTS.withWaitForChannel(remaining(deadline)))) {
            byte[] reply = client.request(text.getBytes(StandardCharsets.UTF_8), remaining(deadline));
            return Format.payload(reply);
        } catch (ChannelTimeoutException e) {
            throw new ChannelTimeoutException("hub:request " + name + ": no reply within " + limit.toMillis() + " ms");
        }
    }

    @Descriptor("every channel's producer counters read 500 ms apart: messages, rate, bytes/s, total sent, dropped (joins nothing)")
    public String stats() {
        return statsTable(sorted(hub().channels()));
    }

    @Descriptor("one channel's producer counters read 500 ms apart: messages, rate, bytes/s, total sent, dropped (joins nothing)")
    public String stats(@Descriptor("channel name") String name) {
        return statsTable(List.of(known(name)));
    }

    @Descriptor("generate and print a new CURVE key pair (not stored; keep the secret key secret), keys quoted for Gogo")
    public String keygen() {
        CurveKeyPair pair = security().generateKeyPair();
        return "public " + Format.key(pair.publicKey()) + System.lineSeparator()
                + "secret " + Format.key(pair.secretKey()) + System.lineSeparator()
                + "admit the public key on a runtime with: hub:allow " + Format.key(pair.publicKey());
    }

    @Descriptor("admit a client's CURVE public key: add it to this runtime's allow-list file (quote it: hub:allow 'KEY')")
    public String allow(@Descriptor("Z85 public key, 40 characters, in single quotes") String key) {
        security().allow(key);
        return "allowed " + Format.key(key);
    }

    @Descriptor("admit the CURVE public key(s) in a key file (a peer's conf/keys/labhub.pub; '#' lines are comments)")
    public String allow(@Descriptor("--file") String option, @Descriptor("the key file") String path) {
        if (!"--file".equals(option)) {
            throw Usage.of("hub:allow", option + " " + path);
        }
        List<String> keys = KeyFile.publicKeys(java.nio.file.Path.of(path));
        keys.forEach(security()::allow);
        return String.join(System.lineSeparator(), keys.stream().map(k -> "allowed " + Format.key(k)).toList());
    }

    private String statsTable(List<ChannelInfo> list) {
        if (list.isEmpty()) {
            return "no channels (" + hub().status().message() + ")";
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "KIND", "MESSAGES", "RATE", "BYTES/S", "SENT", "DROPPED", "NOTE"});
        for (CounterWindow.Reading r : CounterWindow.observe(hub(), list, OBSERVE_WINDOW)) {
            ChannelInfo c = r.channel();
            String note = r.source() + (c.kind() == ChannelKind.REQREP && r.measured() ? " (replies)" : "")
                    + (c.state() == ChannelState.ACTIVE ? "" : "; channel " + c.state().wireName());
            rows.add(new String[] {c.name().value(), c.kind().wireName(),
                    r.measured() ? Long.toString(r.messages()) : "-", Format.rate(r.rate()),
                    r.measured() ? Long.toString(Math.round(r.bytesPerSecond())) : "-",
                    r.measured() ? Long.toString(r.after().messagesSent()) : "-",
                    r.measured() ? Long.toString(r.after().dropped()) : "-", note});
        }
        return Format.table(rows) + System.lineSeparator() + windowNote();
    }

    private static String windowNote() {
        return "(producer counters read twice, " + OBSERVE_WINDOW.toMillis() + " ms apart; no channel was joined)";
    }

    private ChannelInfo known(String name) {
        return hub().find(name).orElseThrow(() -> new ChannelNotFoundException(
                "no channel named '" + name + "' (hub:channels lists them)"));
    }

    /**
     * The channel, failing at once when nobody offers that name: neither the broker nor a producer of this
     * runtime. Only a producer of this runtime whose registration is still on its way to the broker (a
     * driver that just started) is waited for, until the deadline.
     */
    private ChannelInfo awaitChannel(String name, long deadline, Duration limit) {
        while (true) {
            var found = hub().find(name);
            if (found.isPresent()) {
                return found.get();
            }
            if (hub().producerCounters(name).isEmpty()) {
                throw new ChannelNotFoundException("no channel named '" + name + "' (hub:channels lists them)");
            }
            if (System.nanoTime() >= deadline) {
                throw new ChannelNotFoundException("no channel named '" + name + "' appeared within " + limit.toMillis()
                        + " ms (hub:channels lists them)");
            }
            try {
                Thread.sleep(100); // polling the directory; bounded by the deadline
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ChannelTimeoutException("interrupted while waiting for '" + name + "'");
            }
        }
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
    }

    private static List<ChannelInfo> sorted(List<ChannelInfo> list) {
        List<ChannelInfo> copy = new ArrayList<>(list);
        copy.sort(Comparator.comparing(ChannelInfo::name));
        return copy;
    }

    private static String nz(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }

    // Usage lines: Gogo picks these catch-all overloads only when no other one fits the arguments (a
    // varargs match scores worse than any exact one), so a missing or extra argument gets the usage line
    // instead of "Cannot coerce hub:tail() to any of ...".

    @Descriptor("(any other arguments: prints the usage line)")
    public String info(Object[] wrong) {
        throw Usage.of("hub:info", wrong);
    }

    @Descriptor("(any other arguments: prints the usage line)")
    public void tail(CommandSession session, Object[] wrong) {
        throw Usage.of("hub:tail", wrong);
    }

    @Descriptor("(any other arguments: prints the usage line)")
    public String publish(Object[] wrong) {
        throw Usage.of("hub:publish", wrong);
    }

    @Descriptor("(any other arguments: prints the usage line)")
    public String request(Object[] wrong) {
        throw Usage.of("hub:request", wrong);
    }

    @Descriptor("(any other arguments: prints the usage line)")
    public String stats(Object[] wrong) {
        throw Usage.of("hub:stats", wrong);
    }

    @Descriptor("(any other arguments: prints the usage line)")
    public String keygen(Object[] wrong) {
        throw Usage.of("hub:keygen", wrong);
    }

    @Descriptor("(any other arguments: prints the usage line)")
    public String allow(Object[] wrong) {
        throw Usage.of("hub:allow", wrong);
    }

    /** For tests and the walkthrough: this Hub's status line. */
    HubStatus status() {
        return hub().status();
    }
}
