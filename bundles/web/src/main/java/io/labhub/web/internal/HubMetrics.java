package io.labhub.web.internal;

import io.labhub.api.ChannelCounters;
import io.labhub.api.ChannelInfo;
import io.labhub.api.Hub;
import io.labhub.api.HubStatus;
import io.labhub.core.status.StatusModel;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.ToLongFunction;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.runtime.ServiceComponentRuntime;

/**
 * The hub's metrics, read at scrape time (docs/web.md "Metrics"): one counter family per {@link ChannelCounters}
 * field with labels {@code channel} and {@code kind} (from {@link Hub#observe}: nothing joined), the consumers
 * the broker counts, whether the broker answers, how many components are ONLINE / OFFLINE / FAILED, and, where
 * the broker runs in this runtime, its clients and registrations ({@link BrokerView}), and where the recorder
 * runs, its run ({@link RecorderView}).
 */
final class HubMetrics implements MultiCollector {

    private record Family(String name, String help, ToLongFunction<ChannelCounters> value) {
    }

    private static final List<Family> FAMILIES = List.of(
            new Family("labhub_channel_messages_sent", "Messages (frames) the channel's producer sent", ChannelCounters::messagesSent),
            new Family("labhub_channel_bytes_sent", "Payload bytes the channel's producer sent", ChannelCounters::bytesSent),
            new Family("labhub_channel_messages_received", "Messages the channel's producer received (requests)", ChannelCounters::messagesReceived),
            new Family("labhub_channel_bytes_received", "Payload bytes the channel's producer received", ChannelCounters::bytesReceived),
            new Family("labhub_channel_dropped", "Messages the transport dropped", ChannelCounters::dropped),
            new Family("labhub_channel_gaps", "Messages known missed from sequence numbers", ChannelCounters::gaps),
            new Family("labhub_channel_reconnects", "Reconnections to a restarted producer", ChannelCounters::reconnects),
            new Family("labhub_channel_timeouts", "Requests or waits that ran out of time", ChannelCounters::timeouts),
            new Family("labhub_channel_errors", "Refused or malformed messages", ChannelCounters::errors));

    private final Hub hub;
    private final BundleContext context;
    private final ServiceComponentRuntime scr;
    private final BrokerView broker;
    private final RecorderView recorder;

    /**
     * @param broker   this runtime's broker, or null where its API is not wired
     * @param recorder this runtime's recorder, or null where its API is not wired
     */
    HubMetrics(Hub hub, BundleContext context, ServiceComponentRuntime scr, BrokerView broker, RecorderView recorder) {
        this.hub = hub;
        this.context = context;
        this.scr = scr;
        this.broker = broker;
        this.recorder = recorder;
    }

    @Override
    public MetricSnapshots collect() {
        List<ChannelInfo> channels = hub.channels();
        List<CounterSnapshot.Builder> counters = new ArrayList<>();
        for (Family f : FAMILIES) {
            counters.add(CounterSnapshot.builder().name(f.name()).help(f.help()));
        }
        GaugeSnapshot.Builder consumers = GaugeSnapshot.builder().name("labhub_channel_consumers")
                .help("Consumers the broker counts on the channel");
        for (ChannelInfo c : channels) {
            String name = c.name().value();
            Labels labels = Labels.of("channel", name, "kind", c.kind().name().toLowerCase(Locale.ROOT));
            consumers.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(c.consumers()).build());
            Optional<ChannelCounters> seen = ChannelTable.observed(hub, name);
            if (seen.isEmpty()) {
                continue; // a remote zmq producer: its counters are not reachable from here
            }
            for (int i = 0; i < FAMILIES.size(); i++) {
                counters.get(i).dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels)
                        .value(FAMILIES.get(i).value().applyAsLong(seen.get())).build());
            }
        }
        List<MetricSnapshot> out = new ArrayList<>();
        for (CounterSnapshot.Builder b : counters) {
            out.add(b.build());
        }
        out.add(consumers.build());
        HubStatus status = hub.status();
        out.add(GaugeSnapshot.builder().name("labhub_broker_connected").help("1 when the broker answered the last heartbeat")
                .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(status.brokerConnected() ? 1 : 0).build()).build());
        out.add(GaugeSnapshot.builder().name("labhub_local_channels").help("Channels created through this runtime's Hub and open")
                .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(status.localChannels()).build()).build());
        int[] counts = StatusModel.counts(StatusModel.rows(context.getBundles(), scr));
        GaugeSnapshot.Builder components = GaugeSnapshot.builder().name("labhub_components")
                .help("Driver bundles and components by status (hub:status)");
        for (StatusModel.Status s : StatusModel.Status.values()) {
            components.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(Labels.of("status", s.name()))
                    .value(counts[s.ordinal()]).build());
        }
        out.add(components.build());
        if (broker != null) {
            broker.metrics(out);
        }
        if (recorder != null) {
            recorder.metrics(out);
        }
        return new MetricSnapshots(out);
    }
}
