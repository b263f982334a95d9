package io.labhub.web.internal;

import io.labhub.recorder.Recorder;
import io.labhub.recorder.RecordingStatus;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The recorder of this runtime, where it runs here (the {@code recorder} feature): whether a run is being recorded,
 * to which file, each channel's frames, lost frames and why it stopped early, for {@code /api/status} and
 * {@code /metrics}. Loaded only once {@link #available} knows the recorder's API is wired (the bundle imports it
 * optionally), as {@link BrokerView} is for the broker.
 */
final class RecorderView implements AutoCloseable {

    static final String API = "io.labhub.recorder.Recorder";

    private final ServiceTracker<Recorder, Recorder> tracker;

    RecorderView(BundleContext context) {
        tracker = new ServiceTracker<>(context, Recorder.class, null);
        tracker.open();
    }

    /** Whether the recorder's API is wired to this bundle. */
    static boolean available() {
        return WebConsole.wired(API);
    }

    /**
     * @return {@code recording}, {@code file} (the run's, or the last run's), {@code fileError} and per channel its
     *         frames, lost frames and error; null when no recorder runs here now
     */
    Map<String, Object> json() {
        RecordingStatus s = status();
        if (s == null) {
            return null;
        }
        List<Map<String, Object>> channels = new ArrayList<>();
        for (String name : new TreeSet<>(s.frames().keySet())) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", name);
            row.put("frames", s.frames().get(name));
            row.put("lost", s.gaps().getOrDefault(name, 0L));
            row.put("error", s.errors().get(name));
            channels.add(row);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("recording", s.recording());
        out.put("file", s.file() == null ? null : s.file().toString());
        out.put("fileError", s.fileError());
        out.put("channels", channels);
        return out;
    }

    /** Adds the recorder's families to a scrape; nothing when no recorder runs here now. */
    void metrics(List<MetricSnapshot> out) {
        RecordingStatus s = status();
        if (s == null) {
            return;
        }
        out.add(GaugeSnapshot.builder().name("labhub_recorder_recording").help("1 while a run is being recorded")
                .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(s.recording() ? 1 : 0).build()).build());
        // gauges, not counters: each run starts again at 0
        GaugeSnapshot.Builder frames = GaugeSnapshot.builder().name("labhub_recorder_frames")
                .help("Frames recorded per channel in the current (or last) run");
        GaugeSnapshot.Builder lost = GaugeSnapshot.builder().name("labhub_recorder_lost")
                .help("Frames lost before the recorder read them, per channel, in the current (or last) run");
        for (String name : new TreeSet<>(s.frames().keySet())) {
            frames.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(Labels.of("channel", name))
                    .value(s.frames().get(name)).build());
            lost.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(Labels.of("channel", name))
                    .value(s.gaps().getOrDefault(name, 0L)).build());
        }
        out.add(frames.build());
        out.add(lost.build());
    }

    private RecordingStatus status() {
        Recorder r = tracker.getService();
        return r == null ? null : r.status();
    }

    @Override
    public void close() {
        tracker.close();
    }
}
