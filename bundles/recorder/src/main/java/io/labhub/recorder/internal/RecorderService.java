package io.labhub.recorder.internal;

import io.labhub.api.Channel;
import io.labhub.api.ChannelClosedException;
import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelNotFoundException;
import io.labhub.api.ChannelTimeoutException;
import io.labhub.api.Hub;
import io.labhub.api.InvalidInputException;
import io.labhub.api.Message;
import io.labhub.api.ShmConsumer;
import io.labhub.api.ShmFrame;
import io.labhub.api.Subscriber;
import io.labhub.recorder.Recorder;
import io.labhub.recorder.RecordingStatus;
import io.labhub.api.schema.Schema;
import io.labhub.validation.Validator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;
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
    private static final Duration FIND_POLL = Duration.ofMillis(100);

    private final Hub hub;
    private final Validator validator;
    private Run run;
    private RecordingStatus last = new RecordingStatus(false, null, Map.of(), Map.of(), Map.of(), null);

    /** @param validator parses the schema a spool carries back into a Schema at export (stop and recover) */
    @org.osgi.service.component.annotations.Activate
    public RecorderService(@Reference Hub hub, @Reference Validator validator) {
        this.hub = hub;
        this.validator = validator;
    }

    /** {@code skipped} of the first entry after a producer restart: how many frames were lost is unknown. */
    static final long RESTARTED = -1;

    private static final class Lane {
        final String name;
        final ChannelInfo info;
        final Spool spool;
        final AtomicLong frames = new AtomicLong();
        final AtomicLong gaps = new AtomicLong();
        /** the shm consumer or subscriber; null for a request/reply log */
        final Channel consumer;
        /** a request/reply channel's exchanges, and what closing the observation takes; else null */
        final RequestLog log;
        final AutoCloseable observation;
        private long reconnects;
        volatile boolean stopping;
        volatile String failure; // RecorderFailures text
        Thread thread;

        Lane(String name, ChannelInfo info, Channel consumer, RequestLog log, AutoCloseable observation, Spool spool) {
            this.name = name;
            this.info = info;
            this.consumer = consumer;
            this.log = log;
            this.observation = observation;
            this.spool = spool;
            this.reconnects = consumer == null ? 0 : consumer.counters().reconnects();
        }

        /** Lets go of the channel: closes the consumer, or ends the observation of the request server. */
        void release() {
            if (consumer != null) {
                consumer.close();
            } else {
                closeObservation(observation);
            }
        }

        void loop() {
            try {
                while (!stopping) {
                    try {
                        if (log != null) {
                            RequestLog.Exchange x = log.take(POLL);
                            if (x != null) {
                                record(x.sequence(), x.receivedNanos(), x.lostBefore(), MemorySegment.ofArray(x.payload()));
                            }
                        } else if (consumer instanceof ShmConsumer c) {
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
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = RecorderFailures.of(name, spool.path(), e);
                release();
            } catch (IOException | RuntimeException e) {
                failure = RecorderFailures.of(name, spool.path(), e);
                // let go of the channel now, not at stop: a reliable producer waits for every consumer it has,
                // and a channel that can no longer be recorded must not slow its producer (issue 18)
                release();
                closeQuietly(this);
            }
        }

        /**
         * A shm consumer follows a restarted producer by itself (it switches to the new segment and counts a
         * reconnect; pub/sub reconnects too): the first entry after a reconnect is marked {@link #RESTARTED},
         * since how many frames the producer made meanwhile is unknown.
         */
        private void record(long sequence, long timestampNs, long skipped, MemorySegment payload) throws IOException {
            long r = consumer == null ? 0 : consumer.counters().reconnects();
            boolean restarted = r > reconnects;
            reconnects = r;
            spool.append(sequence, timestampNs, epochNanos(), restarted ? RESTARTED : skipped, payload);
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
    public RecordingStatus start(List<String> channels, Path file) {
        return start(channels, file, Duration.ZERO);
    }

    @Override
    public RecordingStatus start(List<String> channels, Path file, Duration waitForChannels) {
        if (channels == null || channels.isEmpty()) {
            throw new InvalidInputException("recorder.channels", "[]", "name at least one channel");
        }
        // outside the lock: status and stop answer while a start waits for its channels
        Map<String, ChannelInfo> infos = new LinkedHashMap<>();
        long deadline = System.nanoTime() + waitForChannels.toNanos();
        for (String name : channels) {
            ChannelInfo info = hub.find(name).orElse(null);
            while (info == null && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(FIND_POLL.toMillis()); // the directory has no "wait for a name": ask again
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ChannelNotFoundException("interrupted waiting for channel " + name);
                }
                info = hub.find(name).orElse(null);
            }
            infos.put(name, info);
        }
        return startNow(infos, file);
    }

    private synchronized RecordingStatus startNow(Map<String, ChannelInfo> infos, Path file) {
        if (run != null) {
            throw new InvalidInputException("recorder.busy", run.file().toString(), "a recording is already running");
        }
        if (Files.exists(file)) {
            throw new InvalidInputException("recorder.file", file.toString(), "the file exists");
        }
        if (!spools(file).isEmpty()) {
            throw new InvalidInputException("recorder.file", file.toString(), "spools of an earlier run of this file"
                    + " are beside it: hub:record recover " + file + ", or remove them");
        }
        List<Lane> lanes = new ArrayList<>();
        Instant started = Instant.now();
        try {
            for (Map.Entry<String, ChannelInfo> c : infos.entrySet()) {
                String name = c.getKey();
                ChannelInfo info = c.getValue();
                boolean reqrep = info != null && info.kind() == ChannelKind.REQREP;
                RequestLog log = reqrep ? new RequestLog() : null;
                AutoCloseable observation = reqrep ? hub.observeRequests(name, log) : null;
                Channel consumer = reqrep ? null : info != null && info.kind() == ChannelKind.PUBSUB
                        ? hub.openSubscriber(name) : hub.openShmConsumer(name);
                Path spoolPath = spoolOf(file, lanes.size());
                Spool spool;
                try {
                    spool = new Spool(spoolPath, header(name, info, started));
                } catch (IOException | RuntimeException e) {
                    if (consumer != null) {
                        consumer.close();
                    }
                    closeObservation(observation);
                    throw e;
                }
                lanes.add(new Lane(name, info, consumer, log, observation, spool));
            }
        } catch (IOException | RuntimeException e) {
            for (Lane l : lanes) {
                l.release();
                closeQuietly(l);
                try {
                    Files.deleteIfExists(l.spool.path()); // nothing recorded yet; a left spool would block a retry
                } catch (IOException ignored) {
                    // start's own failure is what the caller needs to see
                }
            }
            if (e instanceof IOException io) {
                throw new UncheckedIOException(io);
            }
            throw (RuntimeException) e;
        }
        for (Lane l : lanes) {
            l.thread = Thread.ofPlatform().name("recorder-" + l.name).daemon().start(l::loop);
        }
        run = new Run(file, lanes, started);
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
        for (Lane l : r.lanes()) {
            try {
                l.thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            l.release();
            try {
                l.spool.close();
            } catch (IOException | RuntimeException e) {
                if (l.failure == null) {
                    l.failure = RecorderFailures.of(l.name, l.spool.path(), e);
                }
            }
        }
        String fileError = export(r.file(), r.lanes().stream().map(l -> l.spool.path()).toList(), Instant.now(), false,
                new LinkedHashMap<>(), false);
        last = snapshot(false, r, fileError);
        return last;
    }

    @Override
    public synchronized RecordingStatus recover(Path file) {
        if (run != null && run.file().equals(file)) {
            throw new InvalidInputException("recorder.busy", file.toString(), "this file is being recorded: stop it");
        }
        if (Files.exists(file)) {
            throw new InvalidInputException("recorder.file", file.toString(), "the file exists");
        }
        List<Path> spools = spools(file);
        if (spools.isEmpty()) {
            throw new InvalidInputException("recorder.recover", file.toString(), "no spool beside it ("
                    + file.getFileName() + ".N.spool): nothing to recover");
        }
        Instant stop = Instant.EPOCH;
        for (Path p : spools) {
            try {
                Instant t = Files.getLastModifiedTime(p).toInstant();
                stop = t.isAfter(stop) ? t : stop;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Map<String, Long> frames = new LinkedHashMap<>();
        String fileError = export(file, spools, stop, true, frames, true);
        return new RecordingStatus(false, file, frames, Map.of(), Map.of(), fileError);
    }

    @Override
    public synchronized RecordingStatus status() {
        return run == null ? last : snapshot(true, run, null);
    }

    @Deactivate
    void deactivate() {
        stop();
    }

    private static RecordingStatus snapshot(boolean recording, Run r, String fileError) {
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
        return new RecordingStatus(recording, r.file(), frames, gaps, errors, fileError);
    }

    /**
     * Writes the HDF5 file from the spools and deletes them. When the file cannot be written (a full disk, a damaged
     * spool) nothing is left at {@code file} ({@link HdfExport} writes {@code FILE.part} and moves it into place
     * only when complete) and the spools are kept.
     *
     * @param refuse whether a damaged spool is thrown ({@code recover}: its input is refused) or, for {@code stop},
     *               whose run has ended either way, reported in the returned text with the rest of the status
     * @return null when written, else why not (the spools are kept for {@code recover})
     * @throws InvalidInputException rule {@code recorder.spool} for a damaged spool, when {@code refuse}
     */
    private String export(Path file, List<Path> spools, Instant stop, boolean recovered, Map<String, Long> written,
                          boolean refuse) {
        try {
            written.putAll(HdfExport.write(file, spools, this::schemaOf, stop, recovered));
        } catch (InvalidInputException e) {
            if (refuse) {
                throw e; // a damaged spool: nothing written, nothing deleted
            }
            return e.rule() + ": " + e.getMessage() + " (" + e.value() + "); no file was written, the spools are kept"
                    + " beside " + file;
        } catch (RuntimeException e) { // UncheckedIOException (full disk), jhdf's HdfException around an IOException
            return RecorderFailures.of(null, file, e) + "; the spools are kept: hub:record recover " + file
                    + (RecorderFailures.diskFull(e) ? " once there is room" : " once that is fixed");
        }
        for (Path p : spools) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a left spool is harmless; the HDF5 file is written
            }
        }
        return null;
    }

    private Schema schemaOf(Spool.Header h) {
        Map<String, ?> json = SchemaJson.map(h.schema(),
                why -> new InvalidInputException("recorder.spool", h.channel(), "the spool's schema " + why));
        return validator.schema(h.kind() == null ? null : ChannelKind.fromWireName(h.kind()).orElse(null), json);
    }

    private Spool.Header header(String name, ChannelInfo info, Instant started) {
        ChannelInfo i = info != null ? info : hub.find(name).orElse(null);
        return new Spool.Header(name, i == null ? null : i.kind().wireName(),
                i == null || i.schema() == null ? null : i.schema().toJson(),
                i == null ? Map.of() : i.metadata(), started.toString(),
                ManagementFactory.getRuntimeMXBean().getName());
    }

    private static void closeObservation(AutoCloseable observation) {
        if (observation == null) {
            return;
        }
        try {
            observation.close();
        } catch (Exception e) {
            // ending an observation only removes a listener; nothing is left to undo
        }
    }

    static Path spoolOf(Path file, int index) {
        return file.resolveSibling(file.getFileName() + "." + index + ".spool");
    }

    /** @return the spools beside {@code file} ({@code FILE.N.spool}), in channel order */
    static List<Path> spools(Path file) {
        List<Path> out = new ArrayList<>();
        for (int i = 0; Files.exists(spoolOf(file, i)); i++) {
            out.add(spoolOf(file, i));
        }
        return out;
    }

    private static void closeQuietly(Lane l) {
        try {
            l.spool.close();
        } catch (IOException ignored) {
            // the spool's data is flushed or lost with the disk; the export reports what it reads
        }
    }
}
