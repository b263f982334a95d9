package io.labhub.web.internal;

import io.labhub.api.ChannelCounters;
import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelState;
import io.labhub.api.Hub;
import io.labhub.api.HubStatus;
import io.labhub.api.LabHubException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The channel list as the console shows it: what the broker knows ({@link Hub#channels()}) with each producer's
 * counters read through {@link Hub#observe} (never a consumer: observing does not change what is observed) and a
 * rate from the difference of two successive readings. Thread-safe; readings closer than {@link #MIN_WINDOW_NANOS}
 * keep the previous rate rather than divide by a tiny interval.
 */
final class ChannelTable {

    static final long MIN_WINDOW_NANOS = 200_000_000L;

    /** One reading of a producer's counters, for the next rate. */
    private record Reading(long messages, long bytes, long nanos, double rate, double bytesRate) {
    }

    private final Hub hub;
    private final Map<String, Reading> last = new HashMap<>();

    ChannelTable(Hub hub) {
        this.hub = hub;
    }

    /** @return the hub's state and every channel, as JSON-ready maps: {@code {hub: {...}, channels: [...]}} */
    synchronized Map<String, Object> read() {
        HubStatus status = hub.status();
        List<ChannelInfo> channels = hub.channels();
        long now = System.nanoTime();
        List<Map<String, Object>> rows = new ArrayList<>(channels.size());
        Map<String, Reading> seen = new HashMap<>();
        for (ChannelInfo c : channels) {
            rows.add(row(c, status, now, seen));
        }
        last.clear();
        last.putAll(seen);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("hub", hub(status));
        out.put("channels", rows);
        return out;
    }

    static Map<String, Object> hub(HubStatus s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("brokerEndpoint", s.brokerEndpoint());
        m.put("brokerConnected", s.brokerConnected());
        m.put("lastBrokerContact", s.lastBrokerContact() == null ? null : s.lastBrokerContact().toString());
        m.put("message", s.message());
        m.put("transports", s.transports().stream().map(k -> k.name().toLowerCase(java.util.Locale.ROOT)).sorted().toList());
        m.put("localChannels", s.localChannels());
        m.put("clientKey", s.clientKey());
        return m;
    }

    /**
     * The producer's counters of a channel as {@link Hub#observe} reads them (never a consumer), or empty where
     * they cannot be reached (a remote zmq producer) or the channel went away meanwhile: the table and the
     * metrics show such a channel without counters rather than failing.
     */
    static Optional<ChannelCounters> observed(Hub hub, String name) {
        try {
            return hub.observe(name);
        } catch (LabHubException e) {
            return Optional.empty();
        }
    }

    private Map<String, Object> row(ChannelInfo c, HubStatus status, long now, Map<String, Reading> seen) {
        String name = c.name().value();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("kind", c.kind().name().toLowerCase(java.util.Locale.ROOT));
        m.put("state", state(c.state(), status));
        m.put("producer", c.producer());
        m.put("consumers", c.consumers());
        m.put("endpoint", c.endpoint());
        m.put("metadata", c.metadata());
        m.put("schema", c.schema() == null ? null : c.schema().toMap());
        Optional<ChannelCounters> counters = observed(hub, name);
        if (counters.isEmpty()) {
            m.put("counters", null);
            m.put("rate", null);
            m.put("bytesRate", null);
            return m;
        }
        ChannelCounters k = counters.get();
        m.put("counters", k);
        Reading before = last.get(name);
        Reading now1;
        if (before == null || k.messagesSent() < before.messages()) {
            now1 = new Reading(k.messagesSent(), k.bytesSent(), now, Double.NaN, Double.NaN);
        } else if (now - before.nanos() < MIN_WINDOW_NANOS) {
            now1 = before; // too close to the previous reading: keep it as the base, and its rate
        } else {
            double dt = (now - before.nanos()) / 1e9;
            now1 = new Reading(k.messagesSent(), k.bytesSent(), now,
                    (k.messagesSent() - before.messages()) / dt, (k.bytesSent() - before.bytes()) / dt);
        }
        seen.put(name, now1);
        m.put("rate", Double.isNaN(now1.rate()) ? null : now1.rate());
        m.put("bytesRate", Double.isNaN(now1.bytesRate()) ? null : now1.bytesRate());
        return m;
    }

    /**
     * The console's state words: the broker's {@code active}, {@code lost} (producer lost) and {@code closed};
     * {@code connecting} while this Hub has no answer from its broker (the list is then what it knew last).
     */
    static String state(ChannelState s, HubStatus status) {
        if (!status.brokerEndpoint().isEmpty() && !status.brokerConnected()) {
            return "connecting";
        }
        return switch (s) {
            case ACTIVE -> "active";
            case PRODUCER_LOST -> "lost";
            case CLOSED -> "closed";
        };
    }
}
