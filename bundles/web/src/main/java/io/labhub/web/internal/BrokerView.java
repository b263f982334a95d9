package io.labhub.web.internal;

import io.labhub.broker.Broker;
import io.labhub.broker.BrokerClientInfo;
import io.labhub.broker.BrokerStatus;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The broker of this runtime, where one runs here (the {@code broker} feature): its registrations and clients for
 * {@code /api/status} and {@code /metrics}. A class of its own: {@link WebConsole} loads it only once
 * {@link #available} knows the broker's API is wired (the bundle imports it optionally), so a runtime without the
 * broker never touches these types. A runtime whose broker runs elsewhere shows its clients on that runtime's
 * console.
 */
final class BrokerView implements AutoCloseable {

    static final String API = "io.labhub.broker.Broker";

    private final ServiceTracker<Broker, Broker> tracker;

    BrokerView(BundleContext context) {
        tracker = new ServiceTracker<>(context, Broker.class, null);
        tracker.open();
    }

    /** Whether the broker's API is wired to this bundle. */
    static boolean available() {
        return WebConsole.wired(API);
    }

    /** @return the broker's endpoint, counts and clients (live first, then by key), or null when none runs here now */
    Map<String, Object> json() {
        Broker b = tracker.getService();
        if (b == null) {
            return null;
        }
        BrokerStatus s = b.status();
        List<Map<String, Object>> clients = new ArrayList<>();
        for (BrokerClientInfo c : b.clients().stream().sorted(Comparator.comparing((BrokerClientInfo c) -> !c.alive())
                .thenComparing(BrokerClientInfo::clientKey)).toList()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("key", c.clientKey());
            row.put("channels", c.channels());
            row.put("lastHeartbeat", c.lastHeartbeat() == null ? null : c.lastHeartbeat().toString());
            row.put("alive", c.alive());
            clients.add(row);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("endpoint", s.endpoint());
        out.put("running", s.running());
        out.put("registrations", s.channels());
        out.put("liveClients", s.liveClients());
        out.put("requests", s.requests());
        out.put("refused", s.refused());
        out.put("clients", clients);
        return out;
    }

    /** Adds the broker's families to a scrape; nothing when no broker runs here now. */
    void metrics(List<MetricSnapshot> out) {
        Broker b = tracker.getService();
        if (b == null) {
            return;
        }
        BrokerStatus s = b.status();
        List<BrokerClientInfo> clients = b.clients();
        long live = clients.stream().filter(BrokerClientInfo::alive).count();
        out.add(GaugeSnapshot.builder().name("labhub_broker_clients").help("Clients this runtime's broker knows, by state")
                .dataPoint(gauge(Labels.of("state", "live"), live))
                .dataPoint(gauge(Labels.of("state", "lost"), clients.size() - live)).build());
        out.add(GaugeSnapshot.builder().name("labhub_broker_registrations").help("Channels this runtime's broker knows, any state")
                .dataPoint(gauge(Labels.EMPTY, s.channels())).build());
        out.add(counter("labhub_broker_requests", "Requests this runtime's broker answered with ok", s.requests()));
        out.add(counter("labhub_broker_refused", "Messages this runtime's broker refused", s.refused()));
        out.add(counter("labhub_broker_events", "Events this runtime's broker published", s.events()));
    }

    private static GaugeSnapshot.GaugeDataPointSnapshot gauge(Labels labels, double value) {
        return GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
    }

    private static CounterSnapshot counter(String name, String help, long value) {
        return CounterSnapshot.builder().name(name).help(help)
                .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(value).build()).build();
    }

    @Override
    public void close() {
        tracker.close();
    }
}
