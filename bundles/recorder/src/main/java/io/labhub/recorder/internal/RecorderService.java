package io.labhub.recorder.internal;

import io.labhub.api.Channel;
import io.labhub.api.ChannelClosedException;
import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelTimeoutException;
import io.labhub.api.Hub;
import io.labhub.api.InvalidInputException;
import io.labhub.api.Message;
import io.labhub.api.ShmConsumer;
import io.labhub.api.ShmFrame;
import io.labhub.api.Subscriber;
import io.labhub.recorder.Recorder;
import io.labhub.recorder.RecordingStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@link Recorder}: one thread per channel takes every frame of its shm consumer (or every message of its
 * subscriber, for a pub/sub channel; any other kind is recorded through an shm consumer) into the channel's
 * spool ({@link Spool}); stop closes the consumers, joins the threads and writes the HDF5 file
 * ({@link HdfExport}); the spools are deleted once the file is written.
 */
@Component(service = Recorder.class)
public final class RecorderService implements Recorder {

    private static final Duration POLL = Duration.ofMillis(100);

    private final Hub hub;
    private Run run;
    private RecordingStatus last = new RecordingStatus(false, null, Map.of(), Map.of(), Map.of());

    @org.osgi.service.component.annotations.Activate
    public RecorderService(@Reference Hub hub) {
        this.hub = hub;
    }

    private static final class Lane {
        final String name;
        final ChannelInfo info;
        final Channel consumer;
        final Spool spool;
        final AtomicLong frames = new AtomicLong();
        final AtomicLong gaps = new AtomicLong();
        volatile boolean stopping;
        volatile Exception failure;
        Thread thread;

        Lane(String name, ChannelInfo info, Channel consumer, Spool spool) {
            this.name = name;
            this.info = info;
            this.consumer = consumer;
            this.spool = spool;
        }

        void loop() {
            try {
                while (!stopping) {
                    try {
                        if (consumer instanceof ShmConsumer c) {
                            ShmFrame f = c.next(POLL);
                            try {
                                record(f.sequence(), f.timestampNanos(), f.skipped(), f.segment());
                            } finally {
                                f.release();
                            }
                        } else {
                            Message m = ((Subscriber) consumer).receive(POLL);
                            record(m.sequence(), m.timestampNanos(), m.skipped(), MemorySegment.ofArray(m.payload()));
                        }
                    } catch (ChannelTimeoutException e) {
                        // nothing in this slice: look at stopping again
                    } catch (ChannelClosedException e) {
                        return;
                    }
                }
            } catch (IOException | RuntimeException e) {
                failure = e;
            }
        }

        private void record(long sequence, long timestampNs, long skipped, MemorySegment payload) throws IOException {
            spool.append(sequence, timestampNs, epochNanos(), skipped, payload);
            frames.incrementAndGet();
            gaps.addAndGet(skipped);
        }
    }

    private static long epochNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private record Run(Path file, List<Lane> lanes, Instant start) {
    }

    @Override
    public synchronized RecordingStatus start(List<String> channels, Path file) {
        if (run != null) {
            throw new InvalidInputException("recorder.busy", run.file().toString(), "a recording is already running");
        }
        if (channels == null || channels.isEmpty()) {
            throw new InvalidInputException("recorder.channels", "[]", "name at least one channel");
        }
        if (Files.exists(file)) {
            throw new InvalidInputException("recorder.file", file.toString(), "the file exists");
        }
        List<Lane> lanes = new ArrayList<>();
        try {
            for (String name : channels) {
                ChannelInfo info = hub.find(name).orElse(null);
                Channel consumer = info != null && info.kind() == ChannelKind.PUBSUB
                        ? hub.openSubscriber(name) : hub.openShmConsumer(name);
                Path spoolPath = file.resolveSibling(file.getFileName() + "." + lanes.size() + ".spool");
                lanes.add(new Lane(name, info, consumer, new Spool(spoolPath)));
            }
        } catch (IOException | RuntimeException e) {
            for (Lane l : lanes) {
                l.consumer.close();
                closeQuietly(l);
            }
            if (e instanceof IOException io) {
                throw new UncheckedIOException(io);
            }
            throw (RuntimeException) e;
        }
        for (Lane l : lanes) {
            l.thread = Thread.ofPlatform().name("recorder-" + l.name).daemon().start(l::loop);
        }
        run = new Run(file, lanes, Instant.now());
        return status();
    }

    @Override
    public synchronized RecordingStatus stop() {
        if (run == null) {
            return last;
        }
        Run r = run;
        run = null;
        for (Lane l : r.lanes()) {
            l.stopping = true;
        }
        List<HdfExport.Channel> channels = new ArrayList<>();
        for (Lane l : r.lanes()) {
            try {
                l.thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            l.consumer.close();
            closeQuietly(l);
            channels.add(new HdfExport.Channel(l.name, l.info, l.spool.path()));
        }
        HdfExport.write(r.file(), channels, r.start(), Instant.now(), ManagementFactory.getRuntimeMXBean().getName());
        for (Lane l : r.lanes()) {
            try {
                Files.deleteIfExists(l.spool.path());
            } catch (IOException ignored) {
                // a left spool is harmless; the HDF5 file is written
            }
        }
        last = snapshot(false, r);
        return last;
    }

    @Override
    public synchronized RecordingStatus status() {
        return run == null ? last : snapshot(true, run);
    }

    @Deactivate
    void deactivate() {
        stop();
    }

    private static RecordingStatus snapshot(boolean recording, Run r) {
        Map<String, Long> frames = new LinkedHashMap<>();
        Map<String, Long> gaps = new LinkedHashMap<>();
        Map<String, String> errors = new LinkedHashMap<>();
        for (Lane l : r.lanes()) {
            frames.put(l.name, l.frames.get());
            gaps.put(l.name, l.gaps.get());
            if (l.failure != null) {
                errors.put(l.name, l.failure.toString());
            }
        }
        return new RecordingStatus(recording, r.file(), frames, gaps, errors);
    }

    private static void closeQuietly(Lane l) {
        try {
            l.spool.close();
        } catch (IOException ignored) {
            // the spool's data is flushed or lost with the disk; the export reports what it reads
        }
    }
}
