package io.labhub.core.internal;

import io.labhub.api.Channel;
import io.labhub.api.ChannelExistsException;
import io.labhub.api.ChannelCounters;
import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelName;
import io.labhub.api.ChannelNotFoundException;
import io.labhub.api.ChannelState;
import io.labhub.api.ConsumerOptions;
import io.labhub.api.FrameSnapshot;
import io.labhub.api.HubStatus;
import io.labhub.api.InvalidInputException;
import io.labhub.api.ShmOptions;
import io.labhub.api.TransportUnavailableException;
import io.labhub.api.ZmqOptions;
import io.labhub.api.schema.Schema;
import io.labhub.api.spi.ChannelContext;
import io.labhub.api.spi.ChannelEvent;
import io.labhub.api.spi.PubSubTransport;
import io.labhub.api.spi.ReqRepTransport;
import io.labhub.api.spi.ShmTransport;
import io.labhub.api.spi.Transport;
import io.labhub.api.text.SafeText;
import io.labhub.validation.Validator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared part of the Hub: validation, the transports (tracked by kind, whiteboard style), the
 * directory (broker or local) and every open channel. Each using bundle gets its own {@link BundleHub}
 * front, so its channels can be closed when it stops; they all share this engine.
 */
public class HubEngine {

    private static final Logger LOG = LoggerFactory.getLogger(HubEngine.class);

    private final Validator validator;
    private final Directory directory;
    private final Map<ChannelKind, List<Transport>> transports = new ConcurrentHashMap<>();
    private final Set<Context> open = ConcurrentHashMap.newKeySet();
    /** Local producers by name: two drivers of one runtime share one broker identity, so the Hub refuses the second. */
    private final Map<ChannelName, Context> producers = new ConcurrentHashMap<>();
    /** Who sees the exchanges of each local request server ({@link io.labhub.api.Hub#observeRequests}). */
    private final Map<ChannelName, List<io.labhub.api.RequestObserver>> requestObservers = new ConcurrentHashMap<>();

    /**
     * Whether a consumer follows a producer with another key than the one it first discovered for its
     * channel name (issue 12: an allowed client re-registered a lost producer's name and subscribers
     * followed it to fake readings). {@code false} by default: the channel stays lost and a WARN says why.
     */
    private final boolean followProducerKeyChange;

    HubEngine(Validator validator, Directory directory) {
        this(validator, directory, false);
    }

    HubEngine(Validator validator, Directory directory, boolean followProducerKeyChange) {
        this.validator = validator;
        this.directory = directory;
        this.followProducerKeyChange = followProducerKeyChange;
        for (ChannelKind k : ChannelKind.values()) {
            transports.put(k, new CopyOnWriteArrayList<>());
        }
    }

    void addTransport(Transport t) {
        transports.get(t.kind()).add(t);
        LOG.info("transport for '{}' channels available: {}", t.kind().wireName(), t.getClass().getName());
    }

    void removeTransport(Transport t) {
        transports.get(t.kind()).remove(t);
        // Channels made by a departing transport are already closed by it (its bundle is stopping).
        LOG.info("transport for '{}' channels gone: {}", t.kind().wireName(), t.getClass().getName());
    }

    private <T extends Transport> T transport(ChannelKind kind, Class<T> type) {
        List<Transport> list = transports.get(kind);
        if (list.isEmpty()) {
            throw new TransportUnavailableException("no transport for '" + kind.wireName()
                    + "' channels is installed; install the bundle that provides it (feature '" + kind.wireName() + "')");
        }
        return type.cast(list.get(0));
    }

    // ---- channel creation: validate, pick the transport, track the channel for its owner ----

    <C extends Channel> C create(BundleHub owner, ChannelKind kind, String rawName, Function<Context, C> make) {
        return create(owner, kind, rawName, null, make);
    }

    /**
     * @param schema a producer's schema (already validated with its options), registered with the channel
     *               whatever the transport; {@code null} for a consumer or untyped bytes
     */
    <C extends Channel> C create(BundleHub owner, ChannelKind kind, String rawName, Schema schema,
                                 Function<Context, C> make) {
        ChannelName name = validator.channelName(rawName);
        if (schema != null) {
            validator.schema(kind, schema); // the kind's own rule: only reqrep has a reply schema
        }
        Context ctx = new Context(owner, name, kind, schema);
        C channel;
        try {
            channel = make.apply(ctx);
        } catch (RuntimeException e) {
            ctx.release();
            throw e;
        }
        ctx.channel = channel;
        open.add(ctx);
        owner.track(ctx);
        return channel;
    }

    ShmTransport shm() {
        return transport(ChannelKind.SHM, ShmTransport.class);
    }

    PubSubTransport pubsub() {
        return transport(ChannelKind.PUBSUB, PubSubTransport.class);
    }

    ReqRepTransport reqrep() {
        return transport(ChannelKind.REQREP, ReqRepTransport.class);
    }

    // The option rules are the Validator's (one place, shared with the transports); these only name them.
    void check(ShmOptions o) {
        validator.shmOptions(o);
    }

    void check(ZmqOptions o) {
        validator.zmqOptions(o);
    }

    void check(ConsumerOptions o) {
        validator.consumerOptions(o);
    }

    List<ChannelInfo> channels() {
        return directory.list();
    }

    Optional<ChannelInfo> find(String rawName) {
        ChannelName name = validator.channelName(rawName);
        return directory.list().stream().filter(i -> i.name().equals(name)).findFirst();
    }

    Optional<ChannelCounters> producerCounters(String rawName) {
        return producerCounters(validator.channelName(rawName));
    }

    private Optional<ChannelCounters> producerCounters(ChannelName name) {
        Context c = producers.get(name);
        Channel ch = c == null ? null : c.channel;
        return ch == null ? Optional.empty() : Optional.of(ch.counters());
    }

    /**
     * {@code handler} as the transport gets it: when someone observes the channel, each exchange is shown to the
     * observers after the handler returned or failed; with no observer it costs one map lookup per request.
     */
    io.labhub.api.RequestHandler observed(ChannelName name, io.labhub.api.RequestHandler handler) {
        return request -> {
            List<io.labhub.api.RequestObserver> observers = requestObservers.get(name);
            if (observers == null || observers.isEmpty()) {
                return handler.handle(request);
            }
            java.time.Instant now = java.time.Instant.now();
            long received = now.getEpochSecond() * 1_000_000_000L + now.getNano();
            byte[] reply;
            try {
                reply = handler.handle(request);
            } catch (Exception e) {
                tell(observers, name, received, request, null, e);
                throw e;
            }
            tell(observers, name, received, request, reply, null);
            return reply;
        };
    }

    private static void tell(List<io.labhub.api.RequestObserver> observers, ChannelName name, long received,
                             byte[] request, byte[] reply, Exception error) {
        for (io.labhub.api.RequestObserver o : observers) {
            try {
                o.exchanged(received, request, reply, error);
            } catch (RuntimeException e) {
                LOG.warn("an observer of request server {} failed (the reply is sent anyway): {}", name, e.toString());
            }
        }
    }

    AutoCloseable observeRequests(String rawName, io.labhub.api.RequestObserver observer) {
        ChannelName name = validator.channelName(rawName);
        java.util.Objects.requireNonNull(observer, "observer");
        Context c = producers.get(name);
        if (c == null || c.kind != ChannelKind.REQREP) {
            throw new ChannelNotFoundException("no request server of this runtime serves '" + name
                    + "': only a local server's requests can be observed");
        }
        requestObservers.computeIfAbsent(name, n -> new CopyOnWriteArrayList<>()).add(observer);
        return () -> requestObservers.getOrDefault(name, List.of()).remove(observer);
    }

    /**
     * A producer's counters without joining its channel: the local producer's own, else what a shm
     * transport reads from the segment header on this host (no consumer entry, no attach). The directory
     * is not asked: a segment is found by the channel name, so observing costs no broker round trip.
     */
    Optional<ChannelCounters> observe(String rawName) {
        ChannelName name = validator.channelName(rawName);
        Optional<ChannelCounters> local = producerCounters(name);
        if (local.isPresent()) {
            return local;
        }
        for (Transport t : transports.get(ChannelKind.SHM)) {
            Optional<ChannelCounters> seen = ((ShmTransport) t).observe(name);
            if (seen.isPresent()) {
                return seen;
            }
        }
        return Optional.empty();
    }

    /**
     * The newest committed frame of a shm channel on this host, copied as an observer by the first shm
     * transport that finds its segment (nothing joined, nothing asked of the directory).
     */
    Optional<FrameSnapshot> latestFrame(String rawName, int maxBytes) {
        ChannelName name = validator.channelName(rawName);
        if (maxBytes < 0) {
            throw new InvalidInputException("latest-frame.max-bytes", String.valueOf(maxBytes), "maxBytes must not be negative");
        }
        for (Transport t : transports.get(ChannelKind.SHM)) {
            Optional<FrameSnapshot> seen = ((ShmTransport) t).latest(name, maxBytes);
            if (seen.isPresent()) {
                return seen;
            }
        }
        return Optional.empty();
    }

    HubStatus status() {
        Set<ChannelKind> kinds = EnumSet.noneOf(ChannelKind.class);
        transports.forEach((k, l) -> {
            if (!l.isEmpty()) {
                kinds.add(k);
            }
        });
        return new HubStatus(directory.clientId(), directory.endpoint(), directory.connected(), directory.lastContact(),
                directory.statusMessage(), kinds, open.size());
    }

    /** Closes every channel still open (the engine is going away). */
    void shutdown() {
        for (Context c : new ArrayList<>(open)) {
            c.closeChannel();
        }
        directory.close();
    }

    /** The Hub's side of one channel, handed to its transport. */
    final class Context implements ChannelContext {
        final BundleHub owner;
        final ChannelName name;
        final ChannelKind kind;
        /** The producer's schema: the transport need not know it to have it registered. */
        final Schema schema;
        volatile Channel channel;
        private volatile boolean offered;
        private volatile boolean attached;
        private final List<AutoCloseable> subscriptions = new CopyOnWriteArrayList<>();
        /** Consumer side: the key of the producer first discovered (guarded by this). */
        private volatile String producerKey;
        private String warnedKey;

        Context(BundleHub owner, ChannelName name, ChannelKind kind) {
            this(owner, name, kind, null);
        }

        Context(BundleHub owner, ChannelName name, ChannelKind kind, Schema schema) {
            this.owner = owner;
            this.name = name;
            this.kind = kind;
            this.schema = schema;
        }

        @Override
        public ChannelName name() {
            return name;
        }

        @Override
        public void offer(String endpoint, String serverKey, Map<String, String> metadata) {
            if (serverKey != null) {
                validator.publicKey(serverKey);
            }
            validator.metadata(metadata);
            Context holder = producers.putIfAbsent(name, this);
            if (holder != null && holder != this) {
                throw new ChannelExistsException("channel '" + name + "' is already offered in this runtime by "
                        + holder.owner.owner());
            }
            try {
                directory.register(new ChannelInfo(name, kind, directory.clientId(), endpoint, serverKey, metadata, 0,
                        ChannelState.ACTIVE, schema));
            } catch (RuntimeException e) {
                producers.remove(name, this);
                throw e;
            }
            offered = true;
        }

        @Override
        public ChannelInfo discover(Duration wait) {
            ChannelInfo info = directory.discover(name, wait);
            if (!acceptsProducer(info)) {
                throw new ChannelNotFoundException("channel '" + name + "' is now offered by another key ("
                        + SafeText.keyPrefix(info.producer()) + ") than the producer this consumer follows ("
                        + SafeText.keyPrefix(producerKey) + "); not following it (io.labhub.core followProducerKeyChange)");
            }
            return info;
        }

        /**
         * Consumer side: the first producer key seen for this channel is the one followed; another key is
         * refused (logged at WARN once per key) unless {@code followProducerKeyChange} is set.
         */
        private boolean acceptsProducer(ChannelInfo info) {
            String key = info.producer();
            if (key == null || followProducerKeyChange) {
                return true;
            }
            synchronized (this) {
                if (producerKey == null) {
                    producerKey = key;
                    return true;
                }
                if (producerKey.equals(key)) {
                    return true;
                }
                if (!key.equals(warnedKey)) {
                    warnedKey = key;
                    LOG.warn("channel {}: a producer with another key ({}) offers it; this consumer follows only the "
                                    + "key it first discovered ({}) and does not reconnect: the channel stays lost "
                                    + "(set followProducerKeyChange=true in io.labhub.core to follow key changes)",
                            name, SafeText.keyPrefix(key), SafeText.keyPrefix(producerKey));
                }
                return false;
            }
        }

        @Override
        public void attach() {
            if (!attached) {
                directory.attach(name);
                attached = true;
            }
        }

        @Override
        public void detach() {
            if (attached) {
                attached = false;
                directory.detach(name);
            }
        }

        @Override
        public AutoCloseable onEvent(Consumer<ChannelEvent> listener) {
            AutoCloseable s = directory.subscribe(e -> {
                if (e.info().name().equals(name) && (producerKey == null || acceptsProducer(e.info()))) {
                    listener.accept(e);
                }
            });
            subscriptions.add(s);
            return () -> {
                subscriptions.remove(s);
                s.close();
            };
        }

        @Override
        public void closed() {
            release();
            open.remove(this);
            owner.untrack(this);
        }

        void release() {
            for (AutoCloseable s : subscriptions) {
                try {
                    s.close();
                } catch (Exception e) {
                    LOG.debug("closing an event subscription of {} failed", name, e);
                }
            }
            subscriptions.clear();
            detach();
            if (offered) {
                offered = false;
                directory.unregister(name);
            }
            producers.remove(name, this);
        }

        /** Closes the channel through its transport, which then calls {@link #closed()}. */
        void closeChannel() {
            Channel c = channel;
            try {
                if (c != null) {
                    c.close();
                }
            } catch (RuntimeException e) {
                LOG.warn("closing channel {} failed", name, e);
            } finally {
                closed(); // idempotent: makes sure it is unregistered even if the transport forgot
            }
        }
    }
}
