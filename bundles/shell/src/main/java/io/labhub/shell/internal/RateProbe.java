package io.labhub.shell.internal;

import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ConsumerOptions;
import io.labhub.api.Hub;
import io.labhub.api.LabHubException;
import io.labhub.api.Message;
import io.labhub.api.ShmConsumer;
import io.labhub.api.ShmFrame;
import io.labhub.api.Subscriber;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Measures what a channel really carries by consuming it for a short window, as any consumer would.
 *
 * <p>Why measure here: the Hub API exposes counters only for the channels a bundle holds itself, and
 * the broker knows no data rates (it is not on the data path). So the shell opens a consumer (shm or
 * subscriber) for the window and computes the producer's rate from the first and last sequence numbers
 * and timestamps it sees: {@code (seqLast - seqFirst) / (tLast - tFirst)}, which also counts messages the
 * probe itself skipped. Fewer than two messages in the window: no rate ({@code -}). Request/reply
 * channels carry no stream: no rate.
 */
final class RateProbe {

    /** What one window showed. {@code rate} is NaN when not measurable. */
    record Sample(long messages, long bytes, long skipped, double rate, String note) {
        static Sample none(String note) {
            return new Sample(0, 0, 0, Double.NaN, note);
        }
    }

    private RateProbe() {
    }

    /** Probes every channel at once (one thread each), so the whole table costs one window. */
    static Map<String, Sample> probeAll(Hub hub, List<ChannelInfo> channels, Duration window) {
        Map<String, CompletableFuture<Sample>> futures = new LinkedHashMap<>();
        List<ChannelInfo> streams = new ArrayList<>();
        for (ChannelInfo c : channels) {
            if (c.kind() != ChannelKind.REQREP && c.state() == io.labhub.api.ChannelState.ACTIVE) {
                streams.add(c);
            }
        }
        if (streams.isEmpty()) {
            return Map.of();
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(streams.size(), 16), r -> {
            Thread t = new Thread(r, "hub-shell-probe");
            t.setDaemon(true);
            return t;
        });
        try {
            for (ChannelInfo c : streams) {
                futures.put(c.name().value(), CompletableFuture.supplyAsync(() -> probe(hub, c, window), pool));
            }
            Map<String, Sample> out = new LinkedHashMap<>();
            futures.forEach((name, f) -> out.put(name, f.join()));
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    static Sample probe(Hub hub, ChannelInfo channel, Duration window) {
        try {
            return switch (channel.kind()) {
                case SHM -> probeShm(hub, channel.name().value(), window);
                case PUBSUB -> probePubSub(hub, channel.name().value(), window);
                case REQREP -> Sample.none("request/reply: no stream");
            };
        } catch (LabHubException e) {
            return Sample.none(e.getMessage());
        }
    }

    private static Sample probeShm(Hub hub, String name, Duration window) {
        long deadline = System.nanoTime() + window.toNanos();
        Acc acc = new Acc();
        try (ShmConsumer c = hub.openShmConsumer(name, ConsumerOptions.DEFAULTS)) {
            long left;
            while ((left = deadline - System.nanoTime()) > 0) {
                ShmFrame f;
                try {
                    f = c.next(Duration.ofNanos(left));
                } catch (io.labhub.api.ChannelTimeoutException e) {
                    break;
                }
                try (f) {
                    acc.add(f.sequence(), f.timestampNanos(), f.segment().byteSize(), f.skipped());
                }
            }
        }
        return acc.sample();
    }

    private static Sample probePubSub(Hub hub, String name, Duration window) {
        long deadline = System.nanoTime() + window.toNanos();
        Acc acc = new Acc();
        try (Subscriber s = hub.openSubscriber(name, ConsumerOptions.DEFAULTS)) {
            long left;
            while ((left = deadline - System.nanoTime()) > 0) {
                Message m;
                try {
                    m = s.receive(Duration.ofNanos(left));
                } catch (io.labhub.api.ChannelTimeoutException e) {
                    break;
                }
                acc.add(m.sequence(), m.timestampNanos(), m.payload().length, m.skipped());
            }
        }
        return acc.sample();
    }

    /** First and last (sequence, timestamp) plus totals. */
    private static final class Acc {
        long messages;
        long bytes;
        long skipped;
        long firstSeq;
        long firstTs;
        long lastSeq;
        long lastTs;

        void add(long seq, long ts, long size, long skip) {
            if (messages == 0) {
                firstSeq = seq;
                firstTs = ts;
            } else {
                skipped += skip;
            }
            lastSeq = seq;
            lastTs = ts;
            messages++;
            bytes += size;
        }

        Sample sample() {
            if (messages < 2 || lastTs <= firstTs) {
                return new Sample(messages, bytes, skipped, Double.NaN, messages + " message(s) in the window: too few for a rate");
            }
            double rate = (lastSeq - firstSeq) * 1e9 / (lastTs - firstTs);
            return new Sample(messages, bytes, skipped, rate, "");
        }
    }
}
