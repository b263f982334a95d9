package io.labhub.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.labhub.api.ChannelCounters;
import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelName;
import io.labhub.api.ChannelNotFoundException;
import io.labhub.api.ChannelTimeoutException;
import io.labhub.api.ConsumerOptions;
import io.labhub.api.ErrorCode;
import io.labhub.api.InvalidInputException;
import io.labhub.api.LabHubException;
import io.labhub.api.Message;
import io.labhub.api.Publisher;
import io.labhub.api.RequestClient;
import io.labhub.api.ShmConsumer;
import io.labhub.api.ShmFrame;
import io.labhub.api.Subscriber;
import io.labhub.api.ZmqOptions;
import io.labhub.api.schema.Schema;
import io.labhub.broker.client.BrokerClient;
import io.labhub.broker.client.BrokerClientConfig;
import io.labhub.broker.client.BrokerClientStatus;
import io.labhub.broker.protocol.Wire;
import io.labhub.security.CurveKeyPair;
import io.labhub.security.CurveSecurityFactory;
import io.labhub.security.CurveSecurityHandle;
import io.labhub.security.internal.AllowList;
import io.labhub.transport.shm.internal.RingSettings;
import io.labhub.transport.shm.internal.ShmTransportImpl;
import io.labhub.transport.shm.internal.platform.SegmentAccess;
import io.labhub.transport.shm.internal.platform.ShmPlatforms;
import io.labhub.transport.zmq.internal.ZmqPubSubTransport;
import io.labhub.transport.zmq.internal.ZmqReqRepTransport;
import io.labhub.transport.zmq.internal.ZmqSettings;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.zeromq.ZContext;

/**
 * The verbs. Each asks the broker (through {@link BrokerLink}) or a channel (through the real transports) and
 * prints the answer as text or, with {@code --json}, as JSON. Everything opened is closed by {@link #close()}.
 */
final class Commands implements AutoCloseable {

    /** {@code tail}'s deadline when none is given (hub:tail's). */
    static final Duration TAIL_TIMEOUT = Duration.ofSeconds(10);
    /** {@code request}'s deadline when none is given (hub:request's). */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    /** How far apart {@code stats} reads the producers' counters (hub:stats' window). */
    static final Duration OBSERVE_WINDOW = Duration.ofMillis(500);
    /** Verbs that open a channel through a zmq transport: they need security with a ZAP handler. */
    static final java.util.Set<String> TRANSPORT_VERBS = java.util.Set.of("tail", "request", "publish", "status");
    /** The shm segments' directory (transport-shm's default). */
    static final Path SHM_DIR = Path.of("/dev/shm");
    /** The status channels' prefix: {@code hub.status.NODE}, served by every runtime's core (StatusChannel). */
    static final String STATUS_PREFIX = "hub.status.";

    private final Options options;
    private final PrintStream out;
    private final List<AutoCloseable> opened = new ArrayList<>();
    private HubAddress address;
    private CurveKeyPair keys;
    private ZContext context;
    private CurveSecurityHandle security;
    private BrokerLink link;
    private ShmTransportImpl shm;

    Commands(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    void run() {
        switch (options.verb) {
            case "channels" -> channels();
            case "info" -> info(options.args.get(0));
            case "tail" -> tail(options.args.get(0), options.tailCount());
            case "stats" -> stats(options.args.isEmpty() ? null : options.args.get(0));
            case "request" -> request(options.args.get(0), options.args.get(1));
            case "publish" -> publish(options.args.get(0), options.args.subList(1, options.args.size()));
            case "status" -> status();
            case "key", "keygen" -> key();
            case "allow" -> allow(options.args.isEmpty() ? null : options.args.get(0));
            default -> throw CliException.usage("unknown verb '" + options.verb + "'");
        }
    }

    // ---------------------------------------------------------------- verbs

    private void channels() {
        List<JsonNode> list = new ArrayList<>(link().list());
        list.sort(Comparator.comparing(n -> n.path(Wire.NAME).asText()));
        if (options.json) {
            ObjectNode root = JsonNodeFactory.instance.objectNode();
            root.putArray("channels").addAll(list);
            print(root);
            return;
        }
        if (list.isEmpty()) {
            out.println("no channels");
            return;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "KIND", "PRODUCER", "CONSUMERS", "STATE"});
        for (JsonNode n : list) {
            rows.add(new String[] {Format.text(n, Wire.NAME), Format.text(n, Wire.KIND), Format.shortKey(n.path(Wire.PRODUCER).asText("")),
                    Format.text(n, Wire.CONSUMERS), Format.text(n, Wire.STATE)});
        }
        out.println(Format.table(rows));
    }

    private void info(String name) {
        JsonNode node = discover(name);
        if (options.json) {
            print(node);
            return;
        }
        ChannelInfo c = Wire.readChannel(node);
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"name", c.name().value()});
        rows.add(new String[] {"kind", c.kind().wireName()});
        rows.add(new String[] {"state", c.state().wireName()});
        rows.add(new String[] {"producer", Format.quoted(c.producer())});
        rows.add(new String[] {c.kind() == ChannelKind.SHM ? "segment" : "endpoint", Format.dash(c.endpoint())});
        rows.add(new String[] {"serverKey", Format.quoted(c.serverKey())});
        rows.add(new String[] {"consumers", Integer.toString(c.consumers())});
        new TreeMap<>(c.metadata()).forEach((k, v) -> rows.add(new String[] {"metadata." + k, CliException.safe(v)}));
        Schema schema = c.schema();
        if (schema == null) {
            rows.add(new String[] {"schema", "none (untyped bytes)"});
        } else {
            rows.add(new String[] {"schema.hash", schema.hash()});
            rows.add(new String[] {"schema.size", schema.size() + (schema.open() ? " bytes or more" : " bytes")});
            for (io.labhub.api.schema.Field f : schema.fields()) {
                rows.add(new String[] {"schema.field." + f.name(), f.dtype().wireName()
                        + (f.shape().isEmpty() ? "" : f.shape().toString().replace(" ", "")) + " @" + f.offset()
                        + (f.unit() == null ? "" : " " + CliException.safe(f.unit()))});
            }
        }
        out.println(Format.table(rows));
    }

    private void tail(String name, int count) {
        Duration limit = options.timeout != null ? options.timeout : TAIL_TIMEOUT;
        long deadline = System.nanoTime() + limit.toNanos();
        JsonNode node = discover(name);
        ChannelInfo c = Wire.readChannel(node);
        ConsumerOptions opts = ConsumerOptions.DEFAULTS.withWaitForChannel(remaining(deadline));
        int got = 0;
        try {
            switch (c.kind()) {
                case PUBSUB -> {
                    Subscriber s = pubsub().openSubscriber(context(c), opts);
                    opened.add(0, s);
                    for (; got < count; got++) {
                        printMessage(c, s.receive(remaining(deadline)));
                    }
                }
                case SHM -> {
                    ShmConsumer consumer = shm().openConsumer(context(c), opts);
                    opened.add(0, consumer);
                    for (; got < count; got++) {
                        try (ShmFrame f = consumer.next(remaining(deadline))) {
                            printFrame(c, f);
                        }
                    }
                }
                case REQREP -> throw new InvalidInputException("cli.tail.kind", name, "'" + name
                        + "' is a reqrep channel: it has no stream to tail; use labhub-cli request " + name + " PAYLOAD");
            }
        } catch (ChannelTimeoutException e) {
            throw new ChannelTimeoutException("tail " + name + ": " + got + " of " + count + " message(s) within "
                    + limit.toMillis() + " ms");
        }
    }

    private void printMessage(ChannelInfo c, Message m) {
        if (options.json) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("channel", c.name().value());
            o.put("sequence", m.sequence());
            o.put("timestamp", Format.time(m.timestampNanos()));
            o.put("timestampNanos", m.timestampNanos());
            o.put("skipped", m.skipped());
            Format.payload(o, m.payload());
            if (Format.typed(c)) {
                o.set("fields", Format.fields(c.schema(), MemorySegment.ofArray(m.payload())));
            }
            print(o);
        } else {
            String shown = Format.typed(c) ? Format.fieldsText(c.schema(), MemorySegment.ofArray(m.payload())) : Format.payloadText(m.payload());
            out.println("#" + m.sequence() + " " + Format.time(m.timestampNanos()) + " " + shown
                    + (m.skipped() > 0 ? " (skipped " + m.skipped() + ")" : ""));
        }
        out.flush();
    }

    private void printFrame(ChannelInfo c, ShmFrame f) {
        long size = f.segment().byteSize();
        // decoded before release(), which then says whether the slot was overwritten meanwhile (seqlock)
        JsonNode decoded = Format.typed(c) ? Format.fields(c.schema(), f.segment()) : null;
        boolean whole = f.release();
        if (options.json) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("channel", c.name().value());
            o.put("sequence", f.sequence());
            o.put("timestamp", Format.time(f.timestampNanos()));
            o.put("timestampNanos", f.timestampNanos());
            o.put("skipped", f.skipped());
            o.put("size", size);
            o.put("torn", !whole);
            if (decoded != null && whole) {
                o.set("fields", decoded);
            }
            print(o);
        } else if (whole) {
            out.println("#" + f.sequence() + " " + Format.time(f.timestampNanos()) + " " + size + " bytes"
                    + (decoded != null ? " " + Format.compact(decoded) : "")
                    + (f.skipped() > 0 ? " (skipped " + f.skipped() + ")" : ""));
        } else {
            out.println("#" + f.sequence() + " overwritten while read (torn), discarded");
        }
        out.flush();
    }

    private void stats(String name) {
        List<ChannelInfo> channels = new ArrayList<>();
        if (name != null) {
            channels.add(Wire.readChannel(discover(name)));
        } else {
            link().list().forEach(n -> channels.add(Wire.readChannel(n)));
            channels.sort(Comparator.comparing(ChannelInfo::name));
        }
        List<Optional<ChannelCounters>> before = observe(channels);
        if (before.stream().anyMatch(Optional::isPresent)) {
            LockSupport.parkNanos(OBSERVE_WINDOW.toNanos()); // the measurement window, not a synchronisation
        }
        List<Optional<ChannelCounters>> after = observe(channels);
        double seconds = OBSERVE_WINDOW.toNanos() / 1e9;
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "KIND", "MESSAGES", "RATE", "BYTES/S", "SENT", "DROPPED", "NOTE"});
        for (int i = 0; i < channels.size(); i++) {
            ChannelInfo c = channels.get(i);
            ObjectNode o = array.addObject();
            o.put("name", c.name().value());
            o.put("kind", c.kind().wireName());
            o.put("state", c.state().wireName());
            if (before.get(i).isPresent() && after.get(i).isPresent()) {
                ChannelCounters b = before.get(i).get();
                ChannelCounters a = after.get(i).get();
                long messages = Math.max(0, a.messagesSent() - b.messagesSent());
                double rate = messages / seconds;
                double bytes = Math.max(0, a.bytesSent() - b.bytesSent()) / seconds;
                o.put("source", "segment");
                o.put("messages", messages);
                o.put("rate", rate);
                o.put("bytesPerSecond", Math.round(bytes));
                o.put("sent", a.messagesSent());
                o.put("dropped", a.dropped());
                rows.add(new String[] {c.name().value(), c.kind().wireName(), Long.toString(messages), Format.rate(rate),
                        Long.toString(Math.round(bytes)), Long.toString(a.messagesSent()), Long.toString(a.dropped()),
                        "segment on this host" + Format.stateNote(c)});
            } else {
                String source = c.kind() == ChannelKind.SHM ? "no segment on this host" : "remote";
                o.put("source", c.kind() == ChannelKind.SHM ? "absent" : "remote");
                rows.add(new String[] {c.name().value(), c.kind().wireName(), "-", "-", "-", "-", "-", source + Format.stateNote(c)});
            }
        }
        if (options.json) {
            ObjectNode root = JsonNodeFactory.instance.objectNode();
            root.put("windowMillis", OBSERVE_WINDOW.toMillis());
            root.set("channels", array);
            print(root);
        } else if (channels.isEmpty()) {
            out.println("no channels");
        } else {
            out.println(Format.table(rows));
            out.println("(shm producer counters read from the segment header twice, " + OBSERVE_WINDOW.toMillis()
                    + " ms apart, joining nothing; zmq producers run in another process: remote)");
        }
    }

    /** Producer counters without joining: shm from the segment header on this host, zmq never (another process). */
    private List<Optional<ChannelCounters>> observe(List<ChannelInfo> channels) {
        List<Optional<ChannelCounters>> seen = new ArrayList<>();
        for (ChannelInfo c : channels) {
            seen.add(c.kind() == ChannelKind.SHM ? shm().observe(c.name()) : Optional.empty());
        }
        return seen;
    }

    private void request(String name, String payload) {
        Duration limit = options.timeout != null ? options.timeout : REQUEST_TIMEOUT;
        long deadline = System.nanoTime() + limit.toNanos();
        ChannelInfo c = Wire.readChannel(discover(name));
        if (c.kind() != ChannelKind.REQREP) {
            throw new InvalidInputException("cli.request.kind", name, "'" + name + "' is a " + c.kind().wireName()
                    + " channel, not reqrep; use labhub-cli tail " + name);
        }
        RequestClient client = reqrep().openClient(context(c),
                ConsumerOptions.DEFAULTS.withWaitForChannel(remaining(deadline)));
        opened.add(0, client);
        byte[] reply;
        try {
            reply = client.request(payload.getBytes(StandardCharsets.UTF_8), remaining(deadline));
        } catch (ChannelTimeoutException e) {
            throw new ChannelTimeoutException("request " + name + ": no reply within " + limit.toMillis() + " ms");
        }
        if (options.json) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("channel", name);
            Format.payload(o, reply);
            print(o);
        } else {
            out.println(Format.payloadText(reply));
        }
    }

    /**
     * Every runtime's status as it serves it on {@code hub.status.NODE} (core's StatusChannel, the model hub:status
     * prints), or only NODE's with {@code --node}. Exit 1 (code FAILED, after the table) when anything is FAILED.
     */
    private void status() {
        Duration limit = options.timeout != null ? options.timeout : REQUEST_TIMEOUT;
        long deadline = System.nanoTime() + limit.toNanos();
        List<String> names = new ArrayList<>();
        if (options.node != null) {
            names.add(STATUS_PREFIX + options.node);
        } else {
            for (JsonNode n : link().list()) {
                String name = n.path(Wire.NAME).asText();
                if (name.startsWith(STATUS_PREFIX) && "reqrep".equals(n.path(Wire.KIND).asText())
                        && "active".equals(n.path(Wire.STATE).asText())) {
                    names.add(name);
                }
            }
            if (names.isEmpty()) {
                throw new ChannelNotFoundException("no runtime serves " + STATUS_PREFIX
                        + "* through this broker (labhub-cli channels lists what it has)");
            }
        }
        names.sort(null);
        List<JsonNode> reports = new ArrayList<>();
        for (String name : names) {
            ChannelInfo c = Wire.readChannel(discover(name));
            RequestClient client = reqrep().openClient(context(c), ConsumerOptions.DEFAULTS.withWaitForChannel(remaining(deadline)));
            opened.add(0, client);
            try {
                reports.add(Format.JSON.readTree(client.request("status".getBytes(StandardCharsets.UTF_8), remaining(deadline))));
            } catch (ChannelTimeoutException e) {
                throw new ChannelTimeoutException("status " + name + ": no reply within " + limit.toMillis() + " ms");
            } catch (java.io.IOException e) {
                throw new InvalidInputException("cli.status.reply", name, name + " answered something other than JSON");
            }
        }
        List<String> failed = new ArrayList<>();
        for (JsonNode r : reports) {
            if (r.path("failed").asInt() > 0) {
                failed.add(r.path("failed").asInt() + " on " + CliException.safe(r.path("node").asText()));
            }
        }
        if (options.json) {
            ObjectNode root = JsonNodeFactory.instance.objectNode();
            root.putArray("nodes").addAll(reports);
            print(root);
        } else {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"NODE", "BUNDLE", "COMPONENT", "STATUS", "DETAIL"});
            for (JsonNode r : reports) {
                for (JsonNode row : r.path("components")) {
                    rows.add(new String[] {Format.text(r, "node"), Format.text(row, "bundle"), Format.text(row, "component"),
                            Format.text(row, "status"), Format.text(row, "detail")});
                }
            }
            out.println(Format.table(rows));
            for (JsonNode r : reports) {
                out.println(Format.text(r, "node") + ": " + r.path("online").asInt() + " online, " + r.path("offline").asInt()
                        + " offline, " + r.path("failed").asInt() + " failed (hub: " + Format.text(r, "hub") + ")");
            }
        }
        if (!failed.isEmpty()) {
            out.flush();
            throw new CliException("FAILED", CliException.FAILED, "FAILED component(s) or bundle(s): " + String.join(", ", failed));
        }
    }

    private void publish(String name, List<String> payloads) {
        ChannelName channel = new ChannelName(name);
        try {
            JsonNode existing = discover(name); // also proves admission and reachability, with typed errors
            throw new LabHubException(ErrorCode.CHANNEL_EXISTS, "'" + name + "' is already offered by "
                    + Format.shortKey(existing.path(Wire.PRODUCER).asText("")) + " (labhub-cli info " + name + ")");
        } catch (ChannelNotFoundException expected) {
            // free: offer it
        }
        CurveSecurityHandle sec = security();
        address().requireKey();
        sec.allow(address().brokerKey()); // the hub's subscribers connect with the runtime's key, the broker's
        ZmqPubSubTransport transport = pubsub();
        CliChannelContext ctx = new CliChannelContext(channel, ChannelKind.PUBSUB, link(), null, this::producerClient);
        Publisher p = transport.createPublisher(ctx, ZmqOptions.DEFAULTS.withMetadata(
                Map.of("content", "text/plain", "producer", "labhub-cli")));
        ArrayNode sequences = JsonNodeFactory.instance.arrayNode();
        try {
            for (int r = 0; r < options.repeat; r++) {
                for (String text : payloads) {
                    if (sequences.size() > 0 && !options.interval.isZero()) {
                        LockSupport.parkNanos(options.interval.toNanos()); // the pacing asked for
                    }
                    long seq = p.publish(text.getBytes(StandardCharsets.UTF_8));
                    sequences.add(seq);
                    if (!options.json) {
                        out.println("published #" + seq + " on " + name);
                        out.flush();
                    }
                }
            }
        } finally {
            p.close(); // unregisters through the context
        }
        if (options.json) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("channel", name);
            o.set("published", sequences);
            print(o);
        }
    }

    /** A session for the one channel {@code publish} offers; waits (bounded) until the broker has opened it. */
    private BrokerClient producerClient() {
        BrokerClient client = BrokerClient.start(new BrokerClientConfig(address().endpoint(), address().requireKey(),
                BrokerClientConfig.DEFAULT_HEARTBEAT_INTERVAL, options.connectTimeout), security());
        opened.add(client);
        long deadline = System.nanoTime() + options.connectTimeout.toNanos();
        BrokerClientStatus status = client.status();
        while (!status.connected()) {
            if (status.message() != null && status.message().startsWith("refused by the broker")) {
                throw BrokerLink.notAllowed(keys().publicKey(), address().endpoint());
            }
            if (System.nanoTime() - deadline > 0) {
                throw new CliException(ErrorCode.BROKER_UNAVAILABLE.name(), CliException.UNREACHABLE,
                        "no broker session within " + options.connectTimeout.toMillis() + " ms: " + CliException.oneLine(status.message()));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // awaiting the session, bounded by the deadline
            status = client.status();
        }
        return client;
    }

    private void key() {
        Path dir = Keys.dir(options);
        CurveKeyPair k = keys();
        if (options.json) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("publicKey", k.publicKey());
            o.put("keysDir", dir.toString());
            o.put("allowLine", Keys.allowLine(k.publicKey()));
            print(o);
        } else {
            out.println(Keys.allowLine(k.publicKey()));
        }
    }

    private void allow(String given) {
        String key;
        if (options.file != null) {
            key = HubAddress.readKeyFile(options.file);
            if (key == null) {
                throw new InvalidInputException("key-file.empty", options.file.toString(), "no key in " + options.file);
            }
        } else {
            key = given != null ? given.strip() : keys().publicKey();
        }
        Path file = address().allowListFile();
        boolean added = new AllowList(file).add(key);
        if (options.json) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("allowed", key);
            o.put("file", file.toString());
            o.put("added", added);
            print(o);
        } else {
            out.println((added ? "allowed " : "already allowed ") + key + " in " + file);
        }
    }

    // ---------------------------------------------------------------- resources

    private HubAddress address() {
        if (address == null) {
            address = HubAddress.resolve(options);
        }
        return address;
    }

    private CurveKeyPair keys() {
        if (keys == null) {
            keys = Keys.loadOrCreate(Keys.dir(options));
        }
        return keys;
    }

    /** Security with a ZAP handler, for the transports (their sockets are made in its context). */
    private CurveSecurityHandle security() {
        if (security == null) {
            if (link != null) {
                throw new IllegalStateException("security must be made before the broker link (see link())");
            }
            security = CurveSecurityFactory.start(Keys.dir(options), null);
        }
        return security;
    }

    private BrokerLink link() {
        if (link == null) {
            HubAddress a = address();
            String brokerKey = a.requireKey();
            CurveKeyPair k = keys();
            if (TRANSPORT_VERBS.contains(options.verb)) {
                security(); // the link then shares the transports' context
            }
            ZContext ctx;
            if (security != null) {
                ctx = security.context();
            } else {
                context = new ZContext(1);
                ctx = context;
            }
            try {
                link = new BrokerLink(ctx, k, a.endpoint(), brokerKey, options.connectTimeout);
            } catch (InvalidInputException e) {
                if (options.brokerKey != null) {
                    throw CliException.usage("--broker-key: " + CliException.oneLine(e.getMessage()));
                }
                throw e;
            }
        }
        return link;
    }

    private ShmTransportImpl shm() {
        if (shm == null) {
            shm = new ShmTransportImpl(ShmPlatforms.load(SHM_DIR), RingSettings.DEFAULTS, SegmentAccess.OWNER_ONLY);
        }
        return shm;
    }

    /** The real zmq transports, with their defaults; closed (with what they opened) at the end. */
    private ZmqPubSubTransport pubsub() {
        ZmqPubSubTransport t = new ZmqPubSubTransport(security(), ZmqSettings.DEFAULTS);
        opened.add(t::close);
        return t;
    }

    private ZmqReqRepTransport reqrep() {
        ZmqReqRepTransport t = new ZmqReqRepTransport(security(), ZmqSettings.DEFAULTS);
        opened.add(t::close);
        return t;
    }

    private JsonNode discover(String name) {
        try {
            return link().discover(name);
        } catch (ChannelNotFoundException e) {
            throw new ChannelNotFoundException(CliException.oneLine(e.getMessage()) + " (labhub-cli channels lists them)");
        }
    }

    private CliChannelContext context(ChannelInfo c) {
        return new CliChannelContext(c.name(), c.kind(), link(), c, this::producerClient);
    }

    @Override
    public void close() {
        for (AutoCloseable c : opened) {
            try {
                c.close();
            } catch (Exception e) {
                // closing at exit: nothing left to tell
            }
        }
        opened.clear();
        if (shm != null) {
            shm.deactivate();
        }
        if (link != null) {
            link.close();
        }
        if (security != null) {
            security.close();
        }
        if (context != null) {
            context.close();
        }
    }

    private void print(JsonNode node) {
        try {
            out.println(Format.JSON.writeValueAsString(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
    }
}
