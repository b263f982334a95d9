package io.labhub.shell.internal;

import io.labhub.api.ChannelCounters;
import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelTimeoutException;
import io.labhub.api.Hub;
import io.labhub.api.LabHubException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

/**
 * Rates from the producers' own counters, read twice a short window apart. Observing never joins a
 * channel ({@link Hub#observe}: no shm consumer-table entry, no attach at the broker), so a
 * {@code reliable} producer never waits for the shell, the broker's consumer counts stay those of the
 * real consumers, and the answer takes one window for the whole table.
 *
 * <p>Where counters come from: a producer in this runtime (any kind) through the Hub; a shm producer in
 * another process on this host from its segment header. A zmq producer in another process keeps its
 * counters to itself (the broker is not on the data path and its protocol carries none): shown as
 * remote, with no rate, rather than measured by subscribing.
 */
final class CounterWindow {

    /** One channel's two readings; {@code before}/{@code after} null when its counters are not reachable. */
    record Reading(ChannelInfo channel, String source, ChannelCounters before, ChannelCounters after, long nanos) {

        boolean measured() {
            return before != null && after != null && nanos > 0;
        }

        /** Messages the producer sent in the window (replies, for a request server); 0 when not measured. */
        long messages() {
            return measured() ? after.messagesSent() - before.messagesSent() : 0;
        }

        /** Messages per second over the window, NaN when not measured. */
        double rate() {
            return measured() ? messages() * 1e9 / nanos : Double.NaN;
        }

        /** Payload bytes per second over the window, NaN when not measured. */
        double bytesPerSecond() {
            return measured() ? (after.bytesSent() - before.bytesSent()) * 1e9 / nanos : Double.NaN;
        }
    }

    static final String LOCAL = "producer in this runtime";
    static final String SEGMENT = "shm segment header";

    private CounterWindow() {
    }

    /**
     * Reads every channel's producer counters, waits until {@code window} has passed since the first
     * reading, reads them again. No wait when no channel's counters are reachable.
     */
    static List<Reading> observe(Hub hub, List<ChannelInfo> channels, Duration window) {
        int n = channels.size();
        String[] source = new String[n];
        ChannelCounters[] before = new ChannelCounters[n];
        long[] at = new long[n];
        boolean any = false;
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            ChannelInfo c = channels.get(i);
            try {
                String name = c.name().value();
                Optional<ChannelCounters> local = hub.producerCounters(name);
                Optional<ChannelCounters> seen = local.isPresent() ? local : hub.observe(name);
                at[i] = System.nanoTime();
                if (seen.isPresent()) {
                    source[i] = local.isPresent() ? LOCAL : SEGMENT;
                    before[i] = seen.get();
                    any = true;
                } else {
                    source[i] = unreachable(c);
                }
            } catch (LabHubException e) {
                source[i] = String.valueOf(e.getMessage());
            }
        }
        if (any) {
            pause(start + window.toNanos());
        }
        List<Reading> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ChannelInfo c = channels.get(i);
            ChannelCounters after = null;
            long nanos = 0;
            if (before[i] != null) {
                try {
                    Optional<ChannelCounters> seen = source[i].equals(LOCAL)
                            ? hub.producerCounters(c.name().value()) : hub.observe(c.name().value());
                    nanos = System.nanoTime() - at[i];
                    after = seen.orElse(null);
                    if (after == null) {
                        source[i] = "producer gone during the window";
                    }
                } catch (LabHubException e) {
                    source[i] = String.valueOf(e.getMessage());
                }
            }
            out.add(new Reading(c, source[i], after == null ? null : before[i], after, nanos));
        }
        return out;
    }

    /** Why a channel's producer counters cannot be read from here. */
    private static String unreachable(ChannelInfo c) {
        return c.kind() == ChannelKind.SHM
                ? "no segment of it on this host"
                : "remote producer: its counters are not reachable from here";
    }

    /**
     * Waits for the end of the measuring window. This is the measurement's interval, not a stand-in for
     * synchronisation: nothing is waited for but the clock.
     */
    private static void pause(long deadline) {
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new ChannelTimeoutException("interrupted while reading the producers' counters");
            }
        }
    }
}
