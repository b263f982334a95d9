package io.labhub.broker.internal;

import io.labhub.api.ChannelExistsException;
import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelName;
import io.labhub.api.ChannelNotFoundException;
import io.labhub.api.ChannelState;
import io.labhub.api.ErrorCode;
import io.labhub.api.LabHubException;
import io.labhub.api.schema.Schema;
import io.labhub.api.spi.ChannelEvent;
import io.labhub.api.text.SafeText;
import io.labhub.broker.BrokerClientInfo;
import io.labhub.broker.BrokerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The broker's state: client sessions, channels, attachments, quotas, reservations and the liveness
 * rules of docs/protocol.md. Pure logic with the clock passed in, so that every rule is unit-tested
 * without sockets or sleeps.
 *
 * <p>Cost: no operation walks the registry. Each key's channels and attachments are indexed by key,
 * live sessions are kept in order of their last message (expiry looks at the oldest only), lost
 * channels in order of their loss, and {@link #page} reads one bounded slice of the sorted names.
 *
 * <p>Threading: confined to the broker's socket thread, except {@link #snapshot()} and
 * {@link #clients()}, which any thread may call (they read concurrent copies kept up to date by the
 * socket thread). Inputs have already passed the Validator. Events produced by an operation are queued
 * and taken with {@link #drain()}.
 */
public final class Registry {

    private static final Logger LOG = LoggerFactory.getLogger(Registry.class);

    /** How long a lost client, and a lost channel nobody is attached to, stay listed (at least the grace). */
    public static final Duration RETENTION = Duration.ofSeconds(60);

    /** Connections remembered per session (a client that reconnects gets a new one each time). */
    private static final int MAX_CONNECTIONS = 8;

    /** What one key may hold, and how long a lost producer's names stay reserved. */
    public record Limits(int maxChannelsPerKey, long maxMetadataBytesPerKey, Duration reservationGrace) {
        public static final Limits DEFAULTS = new Limits(BrokerConfig.DEFAULT_MAX_CHANNELS_PER_KEY,
                BrokerConfig.DEFAULT_MAX_METADATA_BYTES_PER_KEY, BrokerConfig.DEFAULT_RESERVATION_GRACE);

        public static Limits of(BrokerConfig config) {
            return new Limits(config.maxChannelsPerKey(), config.maxMetadataBytesPerKey(), config.reservationGrace());
        }
    }

    /**
     * An event to publish.
     *
     * @param event            the event
     * @param previousProducer for a {@code channel_registered} that moved the name to another key: the key
     *                         that had it; otherwise {@code null}
     */
    public record Event(ChannelEvent event, String previousProducer) {
    }

    /** One page of {@code list}: the channels, and the name to pass as {@code after} for the next ({@code null}: done). */
    public record Page(List<ChannelInfo> channels, String next) {
    }

    private final Duration lostAfter;
    private final Limits limits;
    private final Duration forgetAfter;
    /** Live sessions, least recently heard first (access order: {@code get} moves a session to the end). */
    private final LinkedHashMap<String, Session> live = new LinkedHashMap<>(64, 0.75f, true);
    /** Lost sessions, in the order they were lost. */
    private final LinkedHashMap<String, Session> lost = new LinkedHashMap<>();
    /** Every session, for {@link #clients()} from other threads. */
    private final Map<String, Session> all = new ConcurrentHashMap<>();
    private final TreeMap<ChannelName, Entry> channels = new TreeMap<>();
    /** What {@link #snapshot()} returns, updated on every change of an entry. */
    private final ConcurrentSkipListMap<ChannelName, ChannelInfo> published = new ConcurrentSkipListMap<>();
    private final Map<String, Usage> usage = new HashMap<>();
    /** Lost channels by time of loss, for the reservation end and the retention. */
    private final ArrayDeque<Lost> lostChannels = new ArrayDeque<>();
    private final List<Event> events = new ArrayList<>();
    private volatile int channelCount;
    private volatile int liveCount;

    private static final class Session {
        final String key;
        volatile Instant lastSeen;
        volatile boolean alive = true;
        volatile int activeChannels;
        Instant lostAt;
        /** The session id the client said in hello ({@code null}: an older client that sends none). */
        String sessionId;
        /** Connections (routing ids) that said hello with {@link #sessionId}. */
        final Set<String> connections = new LinkedHashSet<>();

        Session(String key, Instant now) {
            this.key = key;
            this.lastSeen = now;
        }

        void addConnection(String connection) {
            if (connection == null) {
                return;
            }
            connections.remove(connection);
            connections.add(connection);
            if (connections.size() > MAX_CONNECTIONS) {
                Iterator<String> oldest = connections.iterator();
                oldest.next();
                oldest.remove();
            }
        }
    }

    /** What one key holds: the quotas are checked against this. */
    private static final class Usage {
        /** Channels it produces that are active or lost (reserved), not closed. */
        final Set<ChannelName> produced = new LinkedHashSet<>();
        final Set<ChannelName> attached = new LinkedHashSet<>();
        long metadataBytes;
        int active;

        boolean isEmpty() {
            return produced.isEmpty() && attached.isEmpty();
        }
    }

    private record Lost(ChannelName name, Instant since) {
    }

    private static final class Entry {
        final ChannelName name;
        ChannelKind kind;
        String producer;
        String endpoint;
        String serverKey;
        Map<String, String> metadata;
        Schema schema;
        /** Metadata and schema bytes, counted against maxMetadataBytesPerKey. */
        long metadataBytes;
        ChannelState state;
        Instant since;
        Instant reservedUntil;
        final Set<String> consumers = new LinkedHashSet<>();

        Entry(ChannelName name) {
            this.name = name;
        }

        ChannelInfo info() {
            return new ChannelInfo(name, kind, producer, endpoint, serverKey, metadata, consumers.size(), state, schema);
        }

        boolean counted() {
            return state == ChannelState.ACTIVE || state == ChannelState.PRODUCER_LOST;
        }
    }

    /**
     * With the default quotas and grace.
     *
     * @param heartbeatInterval how often clients heartbeat
     * @param missedBeats       how many beats a client may miss before it is declared lost
     */
    public Registry(Duration heartbeatInterval, int missedBeats) {
        this(heartbeatInterval, missedBeats, Limits.DEFAULTS);
    }

    public Registry(Duration heartbeatInterval, int missedBeats, Limits limits) {
        this.lostAfter = heartbeatInterval.multipliedBy(missedBeats);
        this.limits = limits;
        this.forgetAfter = RETENTION.compareTo(limits.reservationGrace()) >= 0 ? RETENTION : limits.reservationGrace();
    }

    // ---------------------------------------------------------------- sessions

    /** {@code hello} of an older client (no session id): opens (or revives) the client's session. Idempotent. */
    public void hello(String client, Instant now) {
        hello(client, null, null, now);
    }

    /**
     * {@code hello}: opens or revives the client's session, or confirms it.
     *
     * @param sessionId  what the client process said it is ({@code null}: an older client, accepted as before)
     * @param connection the connection it came on (routing id), or {@code null}
     * @throws LabHubException {@code KEY_IN_USE} when another process with this key is live: its session
     *                         differs and it was heard from within the liveness window. Nothing changes.
     */
    public void hello(String client, String sessionId, String connection, Instant now) {
        Session session = peekLive(client);
        if (session != null && session.lastSeen.plus(lostAfter).isBefore(now)) {
            markLost(session, now); // silent too long, whether or not expire() ran since
            session = null;
        }
        if (session != null) {
            if (sessionId != null && session.sessionId != null && !sessionId.equals(session.sessionId)) {
                throw keyInUse(client);
            }
            if (sessionId == null && session.sessionId != null && !session.connections.contains(connection)) {
                throw keyInUse(client); // no session at all, on a connection the live client never used
            }
            if (sessionId != null) {
                session.sessionId = sessionId;
                session.addConnection(connection);
                touch(client, now);
            } else {
                touch(client, now); // an older client, as before
            }
            return;
        }
        Session revived = lost.remove(client);
        if (revived == null) {
            revived = new Session(client, now);
            all.put(client, revived);
        }
        revived.alive = true;
        revived.lostAt = null;
        revived.lastSeen = now;
        revived.sessionId = sessionId;
        revived.connections.clear();
        revived.addConnection(connection);
        live.put(client, revived);
        liveCount = live.size();
    }

    /**
     * Any message but {@code hello} from a key whose live client said a session id must come on a
     * connection that said hello with that id: else it is another process with the same key.
     *
     * @throws LabHubException {@code KEY_IN_USE}
     */
    public void checkConnection(String client, String connection) {
        Session session = peekLive(client);
        if (session != null && session.sessionId != null && connection != null
                && !session.connections.contains(connection)) {
            throw keyInUse(client);
        }
    }

    private static LabHubException keyInUse(String client) {
        return new LabHubException(ErrorCode.KEY_IN_USE, "the key " + SafeText.keyPrefix(client) + " is in use by another"
                + " live client (another session); a second process needs its own key pair. If this is the same"
                + " process after a reconnection, send hello with its session first");
    }

    /** The live session of a key, without counting it as heard (the order of {@link #live} is unchanged). */
    private Session peekLive(String client) {
        Session session = all.get(client);
        return session != null && session.alive ? session : null;
    }

    /** Any request from a live client counts as a heartbeat. */
    public void touch(String client, Instant now) {
        Session session = live.get(client); // moves it to the end: most recently heard
        if (session != null) {
            session.lastSeen = now;
        }
    }

    /** {@code heartbeat}, {@code register} and {@code attach} need a live session. */
    public void requireSession(String client) {
        if (!live.containsKey(client)) {
            Session gone = lost.get(client);
            throw new LabHubException(ErrorCode.UNKNOWN_CLIENT, gone == null
                    ? "the broker does not know this client (it restarted?): send hello, then register again"
                    : "this client was declared lost (missed heartbeats): send hello, then register again");
        }
    }

    /** @return active channels the client produces, for the heartbeat reply */
    public int channelCount(String client) {
        Usage u = usage.get(client);
        return u == null ? 0 : u.active;
    }

    /** @return channels the client is attached to, for the heartbeat reply */
    public int attachmentCount(String client) {
        Usage u = usage.get(client);
        return u == null ? 0 : u.attached.size();
    }

    // ---------------------------------------------------------------- channels

    /**
     * {@code register}: a producer offers a channel. Idempotent for the same client; refused for another
     * client while the channel is active ({@code CHANNEL_EXISTS}) or lost and still reserved for its
     * producer ({@code CHANNEL_RESERVED}); a lost channel past its reservation, or a closed one, is taken
     * over (attachments kept), and a take-over by another key is logged and announced with the previous
     * producer.
     *
     * @return the channel as registered
     * @throws QuotaExceededException when the key would hold more channels or metadata bytes than allowed
     */
    public ChannelInfo register(String client, ChannelName name, ChannelKind kind, String endpoint,
                                String serverKey, Map<String, String> metadata, Instant now) {
        return register(client, name, kind, endpoint, serverKey, metadata, null, now);
    }

    /**
     * {@code register} with the channel's schema (already validated), stored with it and counted with
     * its metadata against {@code maxMetadataBytesPerKey} (the UTF-8 bytes of its JSON form).
     */
    public ChannelInfo register(String client, ChannelName name, ChannelKind kind, String endpoint,
                                String serverKey, Map<String, String> metadata, Schema schema, Instant now) {
        requireSession(client);
        Entry entry = channels.get(name);
        boolean ours = entry != null && client.equals(entry.producer);
        if (entry != null && !ours) {
            if (entry.state == ChannelState.ACTIVE) {
                throw new ChannelExistsException("the channel '" + name + "' is already offered by another client ("
                        + SafeText.keyPrefix(entry.producer) + ")");
            }
            if (entry.state == ChannelState.PRODUCER_LOST && entry.reservedUntil != null
                    && now.isBefore(entry.reservedUntil)) {
                throw new LabHubException(ErrorCode.CHANNEL_RESERVED, "the channel '" + name + "' is reserved for"
                        + " its lost producer (" + SafeText.keyPrefix(entry.producer) + ") for "
                        + Math.max(1, Duration.between(now, entry.reservedUntil).toMillis())
                        + " ms more; only that key may register it meanwhile");
            }
        }
        if (ours && entry.state == ChannelState.ACTIVE && entry.kind == kind
                && Objects.equals(entry.endpoint, endpoint) && Objects.equals(entry.serverKey, serverKey)
                && entry.metadata.equals(metadata) && Objects.equals(entry.schema, schema)) {
            return entry.info(); // the same offer again: nothing changes, no event
        }
        long bytes = metadataBytes(metadata) + (schema == null ? 0 : utf8Length(schema.toJson()));
        Usage mine = usage.computeIfAbsent(client, k -> new Usage());
        boolean counted = ours && entry.counted();
        long channelsAfter = mine.produced.size() + (counted ? 0 : 1);
        if (channelsAfter > limits.maxChannelsPerKey()) {
            dropIfEmpty(client, mine);
            throw new QuotaExceededException("maxChannelsPerKey", limits.maxChannelsPerKey(), "this key already holds "
                    + mine.produced.size() + " channels, the most one key may hold (active or reserved)");
        }
        long bytesAfter = mine.metadataBytes - (counted ? entry.metadataBytes : 0) + bytes;
        if (bytesAfter > limits.maxMetadataBytesPerKey()) {
            dropIfEmpty(client, mine);
            throw new QuotaExceededException("maxMetadataBytesPerKey", limits.maxMetadataBytesPerKey(), "this key's"
                    + " channels would hold " + bytesAfter + " bytes of metadata, more than one key may");
        }
        String previous = null;
        if (entry == null) {
            entry = new Entry(name);
            channels.put(name, entry);
            channelCount = channels.size();
        } else if (!ours) {
            previous = entry.producer;
            release(entry);
            LOG.warn("channel {} taken over by another key: producer {} (was {}, {})", name, SafeText.keyPrefix(client),
                    SafeText.keyPrefix(previous), entry.state.wireName());
        } else if (counted) {
            mine.metadataBytes -= entry.metadataBytes;
            if (entry.state == ChannelState.ACTIVE) {
                mine.active--;
            }
        }
        entry.kind = kind;
        entry.producer = client;
        entry.endpoint = endpoint;
        entry.serverKey = serverKey;
        entry.metadata = Map.copyOf(metadata);
        entry.schema = schema;
        entry.metadataBytes = bytes;
        entry.state = ChannelState.ACTIVE;
        entry.since = now;
        entry.reservedUntil = null;
        mine.produced.add(name);
        mine.metadataBytes += bytes;
        mine.active++;
        sessionChannels(client, mine);
        ChannelInfo info = publish(entry);
        events.add(new Event(new ChannelEvent(ChannelEvent.Type.REGISTERED, info), previous));
        return info;
    }

    /** The UTF-8 bytes of a channel's metadata as stored: every key and value. */
    static long metadataBytes(Map<String, String> metadata) {
        long n = 0;
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            n += utf8Length(e.getKey()) + utf8Length(e.getValue());
        }
        return n;
    }

    private static long utf8Length(String s) {
        return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
    }

    /** Takes a counted entry off its producer's usage (closed, taken over, or forgotten). */
    private void release(Entry entry) {
        Usage owner = entry.producer == null ? null : usage.get(entry.producer);
        if (owner != null && owner.produced.remove(entry.name)) {
            owner.metadataBytes -= entry.metadataBytes;
            if (entry.state == ChannelState.ACTIVE) {
                owner.active--;
            }
            sessionChannels(entry.producer, owner);
            dropIfEmpty(entry.producer, owner);
        }
    }

    private void dropIfEmpty(String client, Usage u) {
        if (u.isEmpty()) {
            usage.remove(client, u);
        }
    }

    private void sessionChannels(String client, Usage u) {
        Session s = all.get(client);
        if (s != null) {
            s.activeChannels = u.active;
        }
    }

    private ChannelInfo publish(Entry entry) {
        ChannelInfo info = entry.info();
        published.put(entry.name, info);
        return info;
    }

    private void remove(Entry entry) {
        channels.remove(entry.name);
        published.remove(entry.name);
        channelCount = channels.size();
    }

    /**
     * {@code unregister}: the producer closes its channel. The entry stays (state closed) while
     * consumers are attached, so a shm segment can outlive its producer.
     */
    public ChannelInfo unregister(String client, ChannelName name) {
        Entry entry = channels.get(name);
        if (entry == null) {
            throw new ChannelNotFoundException("no channel named '" + name + "'");
        }
        if (!client.equals(entry.producer)) {
            throw new LabHubException(ErrorCode.NOT_OWNER, "the channel '" + name
                    + "' belongs to another client (" + SafeText.keyPrefix(entry.producer) + ")");
        }
        if (entry.state != ChannelState.CLOSED) {
            release(entry);
            entry.state = ChannelState.CLOSED;
            entry.reservedUntil = null;
            events.add(new Event(new ChannelEvent(ChannelEvent.Type.CLOSED, entry.info()), null));
        }
        ChannelInfo info = publish(entry);
        if (entry.consumers.isEmpty()) {
            remove(entry);
        }
        return info;
    }

    /** {@code discover}: only an active channel is returned. */
    public ChannelInfo discover(ChannelName name) {
        Entry entry = channels.get(name);
        if (entry == null) {
            throw new ChannelNotFoundException("no channel named '" + name + "'");
        }
        if (entry.state != ChannelState.ACTIVE) {
            throw new ChannelNotFoundException("the channel '" + name + "' is " + entry.state.wireName());
        }
        return entry.info();
    }

    /** {@code attach}: the client consumes the (active) channel. Idempotent per client. */
    public ChannelInfo attach(String client, ChannelName name) {
        requireSession(client);
        Entry entry = channels.get(name);
        if (entry == null || entry.state != ChannelState.ACTIVE) {
            throw new ChannelNotFoundException(entry == null ? "no channel named '" + name + "'"
                    : "the channel '" + name + "' is " + entry.state.wireName());
        }
        if (entry.consumers.add(client)) {
            usage.computeIfAbsent(client, k -> new Usage()).attached.add(name);
        }
        return publish(entry);
    }

    /** {@code detach}: the client no longer consumes the channel. Idempotent per client. */
    public ChannelInfo detach(String client, ChannelName name) {
        Entry entry = channels.get(name);
        if (entry == null) {
            throw new ChannelNotFoundException("no channel named '" + name + "'");
        }
        if (entry.consumers.remove(client)) {
            Usage u = usage.get(client);
            if (u != null) {
                u.attached.remove(name);
                dropIfEmpty(client, u);
            }
        }
        ChannelInfo info = publish(entry);
        if (entry.consumers.isEmpty()) {
            if (entry.state == ChannelState.CLOSED) {
                remove(entry);
            } else if (entry.state == ChannelState.PRODUCER_LOST) {
                lostChannels.add(new Lost(entry.name, entry.since)); // re-check its retention when due
            }
        }
        return info;
    }

    /**
     * {@code list}: at most {@code limit} channels after the name {@code after} (exclusive; {@code null}:
     * from the first), in name order, and no more than {@code maxBytes} of estimated JSON (at least one
     * channel, so that paging always advances).
     */
    public Page page(ChannelName after, int limit, long maxBytes) {
        NavigableMap<ChannelName, Entry> tail = after == null ? channels : channels.tailMap(after, false);
        List<ChannelInfo> out = new ArrayList<>(Math.min(limit, 64));
        long bytes = 0;
        ChannelName last = null;
        boolean more = false;
        for (Entry e : tail.values()) {
            long size = estimatedJsonBytes(e);
            if (out.size() >= limit || (!out.isEmpty() && bytes + size > maxBytes)) {
                more = true;
                break;
            }
            out.add(e.info());
            bytes += size;
            last = e.name;
        }
        return new Page(out, more ? last.value() : null);
    }

    private static long estimatedJsonBytes(Entry e) {
        // names, keys and fixed fields, plus quoting and separators per metadata entry
        return 256 + e.name.value().length() + (e.endpoint == null ? 0 : e.endpoint.length())
                + e.metadataBytes + 8L * e.metadata.size() + (e.schema == null ? 0 : 128 + 16L * e.schema.fields().size());
    }

    /** @return every channel, by name (a snapshot copy; for tests and small registries) */
    public List<ChannelInfo> list() {
        return snapshot();
    }

    /** @return every channel, by name; thread-safe, costs the caller's thread, not the loop */
    public List<ChannelInfo> snapshot() {
        return List.copyOf(published.values());
    }

    /** @return how many channels are known, any state; thread-safe */
    public int size() {
        return channelCount;
    }

    /** @return how many clients are live; thread-safe */
    public int liveClients() {
        return liveCount;
    }

    /** @return every client the broker knows, live or lost; thread-safe */
    public List<BrokerClientInfo> clients() {
        List<BrokerClientInfo> list = new ArrayList<>(all.size());
        for (Session s : all.values()) {
            boolean alive = s.alive;
            list.add(new BrokerClientInfo(s.key, alive ? s.activeChannels : 0, s.lastSeen, alive));
        }
        list.sort(Comparator.comparing(BrokerClientInfo::clientKey));
        return list;
    }

    // ---------------------------------------------------------------- liveness

    /**
     * Declares lost every client silent for longer than heartbeatInterval &times; missedBeats: its
     * active channels become producer_lost (one event each) and are reserved for its key for the grace
     * period, its attachments are dropped. Forgets lost clients, and lost channels nobody is attached to,
     * after {@link #RETENTION} (or the grace, when longer). Looks only at what is due.
     *
     * @param now the broker loop's clock, which does not count the loop's own stalls (see BrokerLoop)
     */
    public void expire(Instant now) {
        while (!live.isEmpty()) {
            Session oldest = live.values().iterator().next();
            if (!oldest.lastSeen.plus(lostAfter).isBefore(now)) {
                break;
            }
            markLost(oldest, now);
        }
        for (Iterator<Session> it = lost.values().iterator(); it.hasNext(); ) {
            Session s = it.next();
            if (!s.lostAt.plus(RETENTION).isBefore(now)) {
                break;
            }
            it.remove();
            all.remove(s.key, s);
        }
        while (!lostChannels.isEmpty()) {
            Lost head = lostChannels.peekFirst();
            if (!head.since().plus(forgetAfter).isBefore(now)) {
                break;
            }
            lostChannels.pollFirst();
            Entry entry = channels.get(head.name());
            if (entry != null && entry.state == ChannelState.PRODUCER_LOST && entry.consumers.isEmpty()
                    && entry.since.plus(forgetAfter).isBefore(now)) {
                release(entry);
                remove(entry);
            }
        }
    }

    private void markLost(Session session, Instant now) {
        live.remove(session.key);
        liveCount = live.size();
        session.alive = false;
        session.lostAt = now;
        session.connections.clear();
        lost.remove(session.key);
        lost.put(session.key, session);
        declareLost(session.key, now);
    }

    private void declareLost(String client, Instant now) {
        Usage u = usage.get(client);
        if (u == null) {
            return;
        }
        for (ChannelName name : List.copyOf(u.attached)) {
            Entry entry = channels.get(name);
            if (entry == null) {
                continue;
            }
            entry.consumers.remove(client);
            publish(entry);
            if (entry.consumers.isEmpty()) {
                if (entry.state == ChannelState.CLOSED) {
                    remove(entry);
                } else if (entry.state == ChannelState.PRODUCER_LOST) {
                    lostChannels.add(new Lost(entry.name, entry.since));
                }
            }
        }
        u.attached.clear();
        for (ChannelName name : u.produced) {
            Entry entry = channels.get(name);
            if (entry != null && entry.state == ChannelState.ACTIVE) {
                entry.state = ChannelState.PRODUCER_LOST;
                entry.since = now;
                entry.reservedUntil = now.plus(limits.reservationGrace());
                u.active--;
                lostChannels.add(new Lost(entry.name, now));
                events.add(new Event(new ChannelEvent(ChannelEvent.Type.PRODUCER_LOST, publish(entry)), null));
            }
        }
        sessionChannels(client, u);
        dropIfEmpty(client, u);
    }

    /** @return the events produced since the last call, oldest first */
    public List<Event> drain() {
        if (events.isEmpty()) {
            return List.of();
        }
        List<Event> out = List.copyOf(events);
        events.clear();
        return out;
    }

    /** @return the events produced since the last call, oldest first, without the take-over details */
    public List<ChannelEvent> drainEvents() {
        return drain().stream().map(Event::event).toList();
    }

}
