package io.labhub.broker.internal;

import io.labhub.api.ChannelExistsException;
import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelName;
import io.labhub.api.ChannelNotFoundException;
import io.labhub.api.ChannelState;
import io.labhub.api.ErrorCode;
import io.labhub.api.LabHubException;
import io.labhub.api.spi.ChannelEvent;
import io.labhub.broker.BrokerClientInfo;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The broker's state: client sessions, channels, attachments, and the liveness rules of
 * docs/protocol.md. Pure logic with the clock passed in, so that every rule is unit-tested without
 * sockets or sleeps.
 *
 * <p>Threading: confined to the broker's socket thread. Inputs have already passed the Validator.
 * Events produced by an operation are queued and taken with {@link #drainEvents()}.
 */
public final class Registry {

    /** How long a lost client, and a lost channel nobody is attached to, stay listed. */
    public static final Duration RETENTION = Duration.ofSeconds(60);

    private final Duration lostAfter;
    private final Map<String, Session> sessions = new HashMap<>();
    private final Map<ChannelName, Entry> channels = new TreeMap<>();
    private final List<ChannelEvent> events = new ArrayList<>();

    private static final class Session {
        final String key;
        Instant lastSeen;
        boolean alive = true;
        Instant lostAt;

        Session(String key, Instant now) {
            this.key = key;
            this.lastSeen = now;
        }
    }

    private static final class Entry {
        final ChannelName name;
        ChannelKind kind;
        String producer;
        String endpoint;
        String serverKey;
        Map<String, String> metadata;
        ChannelState state;
        Instant since;
        final Set<String> consumers = new LinkedHashSet<>();

        Entry(ChannelName name) {
            this.name = name;
        }

        ChannelInfo info() {
            return new ChannelInfo(name, kind, producer, endpoint, serverKey, metadata, consumers.size(), state);
        }
    }

    /**
     * @param heartbeatInterval how often clients heartbeat
     * @param missedBeats       how many beats a client may miss before it is declared lost
     */
    public Registry(Duration heartbeatInterval, int missedBeats) {
        this.lostAfter = heartbeatInterval.multipliedBy(missedBeats);
    }

    // ---------------------------------------------------------------- sessions

    /** {@code hello}: opens (or revives) the client's session. Idempotent. */
    public void hello(String client, Instant now) {
        Session session = sessions.get(client);
        if (session == null) {
            sessions.put(client, new Session(client, now));
        } else {
            session.alive = true;
            session.lostAt = null;
            session.lastSeen = now;
        }
    }

    /** Any request from a live client counts as a heartbeat. */
    public void touch(String client, Instant now) {
        Session session = sessions.get(client);
        if (session != null && session.alive) {
            session.lastSeen = now;
        }
    }

    /** {@code heartbeat}, {@code register} and {@code attach} need a live session. */
    public void requireSession(String client) {
        Session session = sessions.get(client);
        if (session == null || !session.alive) {
            throw new LabHubException(ErrorCode.UNKNOWN_CLIENT, session == null
                    ? "the broker does not know this client (it restarted?): send hello, then register again"
                    : "this client was declared lost (missed heartbeats): send hello, then register again");
        }
    }

    /** @return channels the client produces and channels it is attached to, for the heartbeat reply */
    public int channelCount(String client) {
        int n = 0;
        for (Entry e : channels.values()) {
            if (client.equals(e.producer) && e.state == ChannelState.ACTIVE) {
                n++;
            }
        }
        return n;
    }

    public int attachmentCount(String client) {
        int n = 0;
        for (Entry e : channels.values()) {
            if (e.consumers.contains(client)) {
                n++;
            }
        }
        return n;
    }

    // ---------------------------------------------------------------- channels

    /**
     * {@code register}: a producer offers a channel. Idempotent for the same client; refused for another
     * client while the channel is active; a lost or closed channel is taken over (attachments kept).
     *
     * @return the channel as registered
     */
    public ChannelInfo register(String client, ChannelName name, ChannelKind kind, String endpoint,
                                String serverKey, Map<String, String> metadata, Instant now) {
        requireSession(client);
        Entry entry = channels.get(name);
        if (entry != null && entry.state == ChannelState.ACTIVE && !client.equals(entry.producer)) {
            throw new ChannelExistsException("the channel '" + name + "' is already offered by another client ("
                    + abbreviate(entry.producer) + ")");
        }
        if (entry != null && entry.state == ChannelState.ACTIVE && entry.kind == kind
                && Objects.equals(entry.endpoint, endpoint) && Objects.equals(entry.serverKey, serverKey)
                && entry.metadata.equals(metadata)) {
            return entry.info(); // the same offer again: nothing changes, no event
        }
        if (entry == null) {
            entry = new Entry(name);
            channels.put(name, entry);
        }
        entry.kind = kind;
        entry.producer = client;
        entry.endpoint = endpoint;
        entry.serverKey = serverKey;
        entry.metadata = Map.copyOf(metadata);
        entry.state = ChannelState.ACTIVE;
        entry.since = now;
        ChannelInfo info = entry.info();
        events.add(new ChannelEvent(ChannelEvent.Type.REGISTERED, info));
        return info;
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
                    + "' belongs to another client (" + abbreviate(entry.producer) + ")");
        }
        if (entry.state != ChannelState.CLOSED) {
            entry.state = ChannelState.CLOSED;
            events.add(new ChannelEvent(ChannelEvent.Type.CLOSED, entry.info()));
        }
        ChannelInfo info = entry.info();
        if (entry.consumers.isEmpty()) {
            channels.remove(name);
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
        entry.consumers.add(client);
        return entry.info();
    }

    /** {@code detach}: the client no longer consumes the channel. Idempotent per client. */
    public ChannelInfo detach(String client, ChannelName name) {
        Entry entry = channels.get(name);
        if (entry == null) {
            throw new ChannelNotFoundException("no channel named '" + name + "'");
        }
        entry.consumers.remove(client);
        ChannelInfo info = entry.info();
        if (entry.state == ChannelState.CLOSED && entry.consumers.isEmpty()) {
            channels.remove(name);
        }
        return info;
    }

    /** @return every channel, by name */
    public List<ChannelInfo> list() {
        List<ChannelInfo> list = new ArrayList<>(channels.size());
        channels.values().forEach(e -> list.add(e.info()));
        return list;
    }

    /** @return every client the broker knows, live or lost */
    public List<BrokerClientInfo> clients() {
        List<BrokerClientInfo> list = new ArrayList<>(sessions.size());
        sessions.values().stream()
                .sorted((a, b) -> a.key.compareTo(b.key))
                .forEach(s -> list.add(new BrokerClientInfo(s.key, s.alive ? channelCount(s.key) : 0,
                        s.lastSeen, s.alive)));
        return list;
    }

    // ---------------------------------------------------------------- liveness

    /**
     * Declares lost every client silent for longer than heartbeatInterval &times; missedBeats: its
     * active channels become producer_lost (one event each), its attachments are dropped. Forgets lost
     * clients, and lost channels nobody is attached to, after {@link #RETENTION}.
     */
    public void expire(Instant now) {
        for (Session session : sessions.values()) {
            if (session.alive && session.lastSeen.plus(lostAfter).isBefore(now)) {
                session.alive = false;
                session.lostAt = now;
                declareLost(session.key, now);
            }
        }
        sessions.values().removeIf(s -> !s.alive && s.lostAt.plus(RETENTION).isBefore(now));
        channels.values().removeIf(e -> e.state == ChannelState.PRODUCER_LOST && e.consumers.isEmpty()
                && e.since.plus(RETENTION).isBefore(now));
    }

    private void declareLost(String client, Instant now) {
        for (Iterator<Entry> it = channels.values().iterator(); it.hasNext(); ) {
            Entry entry = it.next();
            entry.consumers.remove(client);
            if (client.equals(entry.producer) && entry.state == ChannelState.ACTIVE) {
                entry.state = ChannelState.PRODUCER_LOST;
                entry.since = now;
                events.add(new ChannelEvent(ChannelEvent.Type.PRODUCER_LOST, entry.info()));
            }
            if (entry.state == ChannelState.CLOSED && entry.consumers.isEmpty()) {
                it.remove();
            }
        }
    }

    /** @return the events produced since the last call, oldest first */
    public List<ChannelEvent> drainEvents() {
        if (events.isEmpty()) {
            return List.of();
        }
        List<ChannelEvent> out = List.copyOf(events);
        events.clear();
        return out;
    }

    static String abbreviate(String key) {
        return key == null || key.length() <= 12 ? String.valueOf(key) : key.substring(0, 8) + "...";
    }
}
