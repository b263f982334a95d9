package io.labhub.broker.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.labhub.api.ChannelExistsException;
import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelName;
import io.labhub.api.ChannelTimeoutException;
import io.labhub.api.ErrorCode;
import io.labhub.api.LabHubException;
import io.labhub.api.spi.ChannelEvent;
import io.labhub.broker.protocol.Wire;
import io.labhub.security.CurveSecurity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A client of the LabHub broker (docs/protocol.md): registers what this process offers, discovers what
 * others offer, counts shm attachments, heartbeats, and delivers broker events.
 *
 * <p><b>Never blocks on the broker.</b> {@link #start} returns at once; while the broker is unreachable
 * the client keeps trying with back-off (logged once per change of state, visible in {@link #status()}).
 * What was registered or attached is remembered and sent again whenever a session opens, so that after
 * a broker restart everything is re-registered within a few heartbeats. A client the broker refused
 * (its key not in the allow-list yet) recreates its socket with back-off, so it gets in within seconds
 * of the key being allowed; a client refused with {@code KEY_IN_USE} (another process holds a session
 * with the same key pair) logs one error with the remedy and keeps retrying, never taking over.
 *
 * <p><b>Threading.</b> All methods are thread-safe. Every socket lives on one client thread; calls hand
 * their work to it through a queue. Event listeners run on a second, single thread, one event at a time
 * and never concurrently, so that a slow listener cannot delay heartbeats; a listener may call this
 * client.
 *
 * <p><b>Closing.</b> {@link #close()} unregisters nothing implicitly: the owner unregisters each channel
 * when it closes it. Requests already issued (an {@code unregister} just before close) are still sent;
 * channels left registered become {@code producer_lost} at the broker after its liveness window.
 */
public final class BrokerClient implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerClient.class);

    /**
     * Most {@code list} pages {@link #list} reads (at the broker's default page of 100 channels:
     * 100 000 channels); beyond, it returns what it has and logs a warning.
     */
    static final int MAX_LIST_PAGES = 1000;

    private final BrokerSession session;

    private BrokerClient(BrokerSession session) {
        this.session = session;
    }

    /** @return the client's session with the broker, run by its socket agent (tests in this package read its counters) */
    BrokerSession session() {
        return session;
    }

    /**
     * Starts the client thread and returns at once, whether or not the broker is reachable.
     *
     * @param config   broker endpoint and key, heartbeat interval, request timeout
     * @param security this process's CurveZMQ security (its key pair is the client identity)
     * @return the running client
     * @throws io.labhub.api.InvalidInputException when the broker key is not a valid Z85 key
     */
    public static BrokerClient start(BrokerClientConfig config, CurveSecurity security) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(security, "security");
        return new BrokerClient(BrokerSession.start(config, security));
    }

    /**
     * Offers a channel. It is remembered and sent again after every reconnection.
     * The {@code producer}, {@code consumers} and {@code state} of {@code offer} are ignored (the broker
     * sets them).
     *
     * <p>When a session is open, waits for the broker's answer (at most the request timeout);
     * otherwise returns at once.
     *
     * @throws ChannelExistsException when the broker says another live client offers that name (the
     *                                offer is then forgotten)
     * @throws io.labhub.api.InvalidInputException when the broker refuses a field (also forgotten)
     * @throws LabHubException {@code CHANNEL_RESERVED} when the name is reserved for the key of its lost
     *                         producer, {@code QUOTA_EXCEEDED} when this key holds as many channels or
     *                         metadata bytes as the broker allows (or has too many requests in flight);
     *                         the offer is forgotten, never retried behind the caller's back
     */
    public void register(ChannelInfo offer) {
        Objects.requireNonNull(offer, "offer");
        session.ledger.offers.put(offer.name(), offer);
        session.ledger.pendingUnregisters.remove(offer.name());
        if (!session.isConnected()) {
            session.wake();
            return;
        }
        ObjectNode request = ReplayLedger.registerRequest(offer);
        try {
            session.call(request, session.requestTimeout(), false).get(waitLimit(session.requestTimeout()), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof LabHubException lhe && isRefusal(lhe.code())) {
                session.ledger.offers.remove(offer.name(), offer);
                throw rethrow(lhe);
            }
            // not answered or no session: the offer stays remembered and is sent when a session opens
        } catch (TimeoutException e) {
            // same: remembered, sent again
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Withdraws an offer (best effort: sent now if connected, else when a session opens). Never throws. */
    public void unregister(ChannelName name) {
        Objects.requireNonNull(name, "name");
        session.ledger.offers.remove(name);
        if (session.isConnected()) {
            session.send(ReplayLedger.nameRequest(Wire.UNREGISTER, name));
        } else {
            session.ledger.pendingUnregisters.add(name);
            session.wake();
        }
    }

    /**
     * Asks the broker for a live channel.
     *
     * @param name    the channel
     * @param timeout how long to wait, including waiting for a session to open
     * @return the channel as the broker describes it
     * @throws io.labhub.api.ChannelNotFoundException no active channel has that name
     * @throws LabHubException                        {@code BROKER_UNAVAILABLE} when no session could be opened in time
     * @throws ChannelTimeoutException                when the request was sent but not answered in time
     */
    public ChannelInfo discover(ChannelName name, Duration timeout) {
        Objects.requireNonNull(name, "name");
        JsonNode reply = await(session.call(ReplayLedger.nameRequest(Wire.DISCOVER, name), timeout, true), timeout);
        return Wire.readChannel(reply.get(Wire.CHANNEL));
    }

    /**
     * Counts this process as a consumer of {@code name} (a shm channel: the broker keeps the segment
     * alive while consumers are attached). Counted locally: only the first attach of a name is sent,
     * and it is sent again after every reconnection.
     *
     * @throws io.labhub.api.ChannelNotFoundException when connected and the broker knows no active channel
     *                                                of that name (the attachment is then forgotten)
     */
    public void attach(ChannelName name) {
        Objects.requireNonNull(name, "name");
        int count = session.ledger.attachments.merge(name, 1, Integer::sum);
        session.ledger.pendingDetaches.remove(name);
        if (count > 1) {
            return;
        }
        if (!session.isConnected()) {
            session.wake();
            return;
        }
        try {
            session.call(ReplayLedger.nameRequest(Wire.ATTACH, name), session.requestTimeout(), false)
                    .get(waitLimit(session.requestTimeout()), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof LabHubException lhe && isRefusal(lhe.code())) {
                session.ledger.attachments.computeIfPresent(name, (k, v) -> v <= 1 ? null : v - 1);
                throw rethrow(lhe);
            }
        } catch (TimeoutException e) {
            // remembered: sent again when a session opens
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Undoes one {@link #attach}; the last one is sent to the broker (best effort). Never throws. */
    public void detach(ChannelName name) {
        Objects.requireNonNull(name, "name");
        Integer left = session.ledger.attachments.computeIfPresent(name, (k, v) -> v <= 1 ? null : v - 1);
        if (left != null) {
            return;
        }
        if (session.isConnected()) {
            session.send(ReplayLedger.nameRequest(Wire.DETACH, name));
        } else {
            session.ledger.pendingDetaches.add(name);
            session.wake();
        }
    }

    /**
     * Every channel the broker knows, read page by page ({@code list} with {@code after}, following
     * {@code next} until the last page). Each channel is listed once; a channel registered or removed
     * while the pages are read may be seen or missed. At most {@value #MAX_LIST_PAGES} pages are read:
     * beyond, the channels read so far are returned and a warning says the list was cut.
     *
     * @param timeout how long to wait for all pages, including waiting for a session to open
     * @return every channel the broker knows, by name, in any state
     * @throws LabHubException         {@code BROKER_UNAVAILABLE} when no session could be opened in time
     * @throws ChannelTimeoutException when the pages were not all answered in time
     */
    public List<ChannelInfo> list(Duration timeout) {
        return list(timeout, MAX_LIST_PAGES);
    }

    /** {@link #list(Duration)} reading at most {@code maxPages} pages (tests of the bound). */
    List<ChannelInfo> list(Duration timeout, int maxPages) {
        Objects.requireNonNull(timeout, "timeout");
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<ChannelName, ChannelInfo> seen = new LinkedHashMap<>();
        String after = null;
        for (int page = 0; page < maxPages; page++) {
            ObjectNode request = Wire.request(Wire.LIST, null);
            if (after != null) {
                request.put(Wire.AFTER, after);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new ChannelTimeoutException("the broker did not answer all list pages within "
                        + timeout.toMillis() + " ms (" + seen.size() + " channels in " + page + " pages)");
            }
            Duration wait = Duration.ofNanos(left);
            JsonNode reply = await(session.call(request, wait, true), wait);
            JsonNode channels = reply.get(Wire.CHANNELS);
            if (channels != null && channels.isArray()) {
                channels.forEach(node -> {
                    ChannelInfo info = Wire.readChannel(node);
                    seen.putIfAbsent(info.name(), info);
                });
            }
            JsonNode next = reply.get(Wire.NEXT);
            if (next == null || !next.isTextual()) {
                return List.copyOf(seen.values()); // the last page
            }
            if (next.textValue().equals(after)) {
                LOG.warn("the broker at {} answered list page {} with the same next '{}': stopping at {} channels",
                        session.status().brokerEndpoint(), page + 1, after, seen.size());
                return List.copyOf(seen.values());
            }
            after = next.textValue();
        }
        LOG.warn("list of the broker at {} cut after {} pages ({} channels): the broker holds more; the rest is "
                + "not shown", session.status().brokerEndpoint(), maxPages, seen.size());
        return List.copyOf(seen.values());
    }

    /**
     * Delivers every broker event from now on. Events are best effort (ZeroMQ PUB/SUB): one published
     * while the subscription is being set up or while the broker is unreachable is not replayed; use
     * {@link #discover} or {@link #list} for the current state.
     *
     * @param listener called on the client's event thread, one event at a time; must not block for long
     * @return closing it stops delivery to this listener
     */
    public AutoCloseable subscribe(Consumer<ChannelEvent> listener) {
        Objects.requireNonNull(listener, "listener");
        session.events.listeners.add(listener);
        session.wake();
        return () -> session.events.listeners.remove(listener);
    }

    /** @return the connection state, for logs, the shell and {@code HubStatus} */
    public BrokerClientStatus status() {
        return session.status();
    }

    /** Stops the client thread, after sending what was already asked for. Idempotent. */
    @Override
    public void close() {
        session.close();
    }

    private static boolean isRefusal(ErrorCode code) {
        return code == ErrorCode.CHANNEL_EXISTS || code == ErrorCode.INVALID_ARGUMENT
                || code == ErrorCode.CHANNEL_NOT_FOUND || code == ErrorCode.NOT_OWNER
                || code == ErrorCode.CHANNEL_RESERVED || code == ErrorCode.QUOTA_EXCEEDED;
    }

    private static LabHubException rethrow(LabHubException e) {
        // a fresh exception so that the caller's stack shows where it called from
        LabHubException copy = LabHubException.of(e.code(), e.getMessage());
        copy.addSuppressed(e);
        return copy;
    }

    private static long waitLimit(Duration timeout) {
        return timeout.toMillis() + 1000;
    }

    private static JsonNode await(CompletableFuture<ObjectNode> future, Duration timeout) {
        try {
            return future.get(waitLimit(timeout), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof LabHubException lhe) {
                throw rethrow(lhe);
            }
            throw new LabHubException(ErrorCode.INTERNAL, "broker request failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            future.cancel(false);
            throw new ChannelTimeoutException("the broker did not answer within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(false);
            throw new LabHubException(ErrorCode.INTERNAL, "interrupted while waiting for the broker", e);
        }
    }
}
