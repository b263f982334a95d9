package io.labhub.recorder.internal;

import io.labhub.api.Channel;
import io.labhub.api.ChannelClosedException;
import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.Hub;
import io.labhub.api.InvalidInputException;
import io.labhub.api.Publisher;
import io.labhub.api.ShmClaim;
import io.labhub.api.ShmOptions;
import io.labhub.api.ShmPolicy;
import io.labhub.api.ShmProducer;
import io.labhub.api.ZmqOptions;
import io.labhub.recorder.Replayer;
import io.labhub.validation.Validator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Replayer}: {@link HdfReplay} checks the file's channels, then one thread per channel reads each entry
 * from the file (a window of entries at a time) and publishes it at its recorded time (relative to the earliest first entry of the channels started
 * together, divided by the rate) through a producer of the recorded kind, options and schema. A replay that
 * published its last entry keeps its producer open ({@code done}, as an instrument that stopped acquiring:
 * consumers read what is in the ring) until {@link #stop}; deactivation stops every replay.
 */
@Component(service = Replayer.class)
public final class ReplayService implements Replayer {

    private static final Logger LOG = LoggerFactory.getLogger(ReplayService.class);
    /** Longest single park: how soon a waiting replay sees {@link #stop}. */
    private static final long PARK_NS = TimeUnit.MILLISECONDS.toNanos(50);
    /** How long stop waits for a replay thread (a reliable shm publish may wait its timeout first). */
    private static final Duration JOIN = Duration.ofSeconds(5);
    /** Metadata key prefixes the transports write themselves: never copied from the recording. */
    private static final List<String> TRANSPORT_KEYS = List.of("shm.", "zmq.");

    private final Hub hub;
    private final Validator validator;
    private final Map<String, Lane> lanes = new LinkedHashMap<>();

    @Activate
    public ReplayService(@Reference Hub hub, @Reference Validator validator) {
        this.hub = hub;
        this.validator = validator;
    }

    @Override
    public synchronized List<Status> start(Path file, Options options) {
        List<HdfReplay.Track> tracks = HdfReplay.read(file, options.channel(), validator);
        List<Lane> started = new ArrayList<>();
        try {
            if (options.as() != null && tracks.size() != 1) {
                throw new InvalidInputException("replay.as", options.as(),
                        "--as names one channel: the file has " + tracks.size() + ", choose one with --channel");
            }
            Clock clock = Clock.of(tracks, options.rate());
            for (HdfReplay.Track t : tracks) {
                String name = options.as() != null ? options.as() : t.channel();
                started.add(new Lane(name, t, file.toAbsolutePath(), open(name, t, file), clock, options));
            }
        } catch (RuntimeException e) { // the Hub's own error (the name exists, a bad option): nothing stays open
            for (Lane l : started) {
                l.producer.close();
            }
            tracks.forEach(HdfReplay.Track::close);
            throw e;
        }
        List<Status> out = new ArrayList<>();
        for (Lane l : started) {
            lanes.put(l.name, l); // replaces an ended replay of that name: the Hub let the name be taken again
            l.thread = Thread.ofPlatform().name("replay-" + l.name).daemon().start(l::run);
            out.add(l.status());
        }
        return out;
    }

    @Override
    public List<Status> stop(String name) {
        List<Lane> stopping;
        synchronized (this) {
            if (name != null && !lanes.containsKey(name)) {
                throw new InvalidInputException("replay.name", name, "no replay of that name; running: " + lanes.keySet());
            }
            stopping = name == null ? new ArrayList<>(lanes.values()) : List.of(lanes.get(name));
            for (Lane l : stopping) {
                lanes.remove(l.name);
            }
        }
        List<Status> out = new ArrayList<>();
        for (Lane l : stopping) {
            out.add(l.stop());
        }
        return out;
    }

    @Override
    public synchronized List<Status> status() {
        return lanes.values().stream().map(Lane::status).toList();
    }

    @Deactivate
    void deactivate() {
        stop(null);
    }

    private Channel open(String name, HdfReplay.Track t, Path file) {
        Map<String, String> recorded = t.metadata();
        Map<String, String> metadata = new LinkedHashMap<>();
        recorded.forEach((k, v) -> {
            if (TRANSPORT_KEYS.stream().noneMatch(k::startsWith)) {
                metadata.put(k, v);
            }
        });
        metadata.put("replay", "true");
        metadata.put("source", file.toAbsolutePath().toString());
        if (t.kind() == ChannelKind.PUBSUB) {
            ZmqOptions o = ZmqOptions.DEFAULTS.withMetadata(metadata).withSchema(t.schema());
            int max = intOf(recorded, "zmq.maxMessageSize", o.maxMessageSize());
            return hub.createPublisher(name, o.withMaxMessageSize(Math.max(max, t.maxPayload())));
        }
        ShmOptions d = ShmOptions.DEFAULTS;
        // the recorded ring and policy: a reliable instrument replays as a reliable producer
        ShmPolicy policy = "reliable".equals(recorded.get("shm.policy")) ? ShmPolicy.RELIABLE
                : "latest".equals(recorded.get("shm.policy")) ? ShmPolicy.LATEST : d.policy();
        ShmOptions o = d.withSlots(Math.max(Math.max(1, t.maxPayload()), intOf(recorded, "shm.slotSize", 0)),
                        intOf(recorded, "shm.slotCount", d.slotCount()))
                .withPolicy(policy)
                .withCrc32c(Boolean.parseBoolean(recorded.getOrDefault("shm.crc32c", "false")))
                .withMetadata(metadata)
                .withSchema(t.schema());
        return hub.createShmProducer(name, o);
    }

    private static int intOf(Map<String, String> m, String key, int otherwise) {
        try {
            return m.containsKey(key) ? Integer.parseInt(m.get(key).trim()) : otherwise;
        } catch (NumberFormatException e) {
            return otherwise; // recorded metadata is a description, not an order: a bad number falls back
        }
    }

    /**
     * When entry k of pass p is due: {@code (p * period + ts[k] - t0) / rate} after the lane's start, where t0 is
     * the earliest first timestamp of the channels started together (so they keep their recorded offsets) and
     * the period the span of all of them plus the longest mean interval of one (so a loop's first entry does not
     * land on the previous pass's last).
     */
    private record Clock(long t0, long period, double rate) {

        static Clock of(List<HdfReplay.Track> tracks, double rate) {
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            long interval = 0;
            for (HdfReplay.Track t : tracks) {
                int n = t.entries();
                if (n > 0) {
                    first = Math.min(first, t.firstTimestampNs());
                    last = Math.max(last, t.lastTimestampNs());
                    if (n > 1) {
                        interval = Math.max(interval, Math.max(0, t.lastTimestampNs() - t.firstTimestampNs()) / (n - 1));
                    }
                }
            }
            return first == Long.MAX_VALUE ? new Clock(0, 0, rate) : new Clock(first, Math.max(0, last - first) + interval, rate);
        }

        /** @return nanoseconds after the lane's start, or 0 at {@link Replayer#MAX} */
        long due(long pass, long timestampNs) {
            if (rate == Replayer.MAX) {
                return 0;
            }
            return (long) ((pass * (double) period + (timestampNs - t0)) / rate);
        }
    }

    /** One replayed channel and its thread. */
    private final class Lane {
        final String name;
        final HdfReplay.Track track;
        final Path file;
        final Channel producer;
        final Clock clock;
        final Options options;
        final AtomicLong frames = new AtomicLong();
        final AtomicLong passes = new AtomicLong();
        volatile String state;
        volatile String error;
        volatile boolean stopping;
        Thread thread;

        Lane(String name, HdfReplay.Track track, Path file, Channel producer, Clock clock, Options options) {
            this.name = name;
            this.track = track;
            this.file = file;
            this.producer = producer;
            this.clock = clock;
            this.options = options;
            this.state = waitsForConsumers() ? "waiting" : "running";
        }

        private boolean waitsForConsumers() {
            return options.consumers() > 0 && track.kind() == ChannelKind.SHM; // only shm attaches are counted
        }

        void run() {
            try {
                if (waitsForConsumers() && !awaitConsumers()) {
                    return;
                }
                state = "running";
                long start = System.nanoTime();
                int n = track.entries();
                for (long pass = 0; !stopping && n > 0; pass++) {
                    passes.incrementAndGet();
                    for (int k = 0; k < n; k++) {
                        if (!waitUntil(start + clock.due(pass, track.timestampNs(k)))) {
                            return;
                        }
                        publish(k);
                        frames.incrementAndGet();
                    }
                    if (!options.loop()) {
                        break;
                    }
                }
                if (!stopping) {
                    state = "done";
                }
            } catch (ChannelClosedException e) {
                if (!stopping) {
                    fail(e);
                }
            } catch (RuntimeException e) { // a replay never takes the runtime down: it fails alone
                fail(e);
            } finally {
                track.close(); // nothing more is read: the file is let go of, a done replay holds no descriptor
            }
        }

        private void fail(RuntimeException e) {
            error = e.toString();
            state = "failed";
            LOG.warn("replay {} of {} failed", name, file, e);
            producer.close();
        }

        private boolean awaitConsumers() {
            while (!stopping) {
                int attached = hub.find(name).map(ChannelInfo::consumers).orElse(0);
                if (attached >= options.consumers()) {
                    return true;
                }
                LockSupport.parkNanos(PARK_NS / 5);
            }
            return false;
        }

        /** @return false when stopped while waiting */
        private boolean waitUntil(long dueNanos) {
            while (!stopping) {
                long left = dueNanos - System.nanoTime();
                if (left <= 0) {
                    return true;
                }
                LockSupport.parkNanos(Math.min(left, PARK_NS));
            }
            return false;
        }

        /** shm: the entry is built in the claimed slot (no copy); pub/sub: in an array the publisher sends. */
        private void publish(int entry) {
            HdfReplay.Payloads payloads = track.payloads();
            if (producer instanceof ShmProducer p) {
                int length = payloads.length(entry);
                try (ShmClaim claim = p.claim(length)) {
                    payloads.write(entry, claim.segment());
                    claim.commit(length);
                }
            } else {
                ((Publisher) producer).publish(payloads.payload(entry));
            }
        }

        Status stop() {
            stopping = true;
            LockSupport.unpark(thread);
            try {
                thread.join(JOIN);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            producer.close();
            if (!"failed".equals(state)) {
                state = "stopped";
            }
            return status();
        }

        Status status() {
            return new Status(name, track.channel(), file, state, frames.get(), passes.get(), error);
        }
    }
}
