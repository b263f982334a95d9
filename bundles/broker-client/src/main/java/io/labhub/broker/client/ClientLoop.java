package io.labhub.broker.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelName;
import io.labhub.api.ChannelTimeoutException;
import io.labhub.api.ErrorCode;
import io.labhub.api.LabHubException;
import io.labhub.api.spi.ChannelEvent;
import io.labhub.broker.protocol.Wire;
import io.labhub.security.CurveSecurity;
import io.labhub.validation.Validators;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZEvent;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The client's socket thread: a DEALER to the broker and, when someone listens, a SUB to its events.
 * API threads share only the remembered state (concurrent maps) and a command queue; a {@link Pipe}
 * registered in the ZeroMQ poller wakes this thread when a command arrives.
 *
 * <p>States: <i>no session</i> (hello not answered yet: retried with back-off, the socket recreated at
 * each failed attempt) and <i>session open</i> (heartbeats; silence for the request timeout, or
 * {@code UNKNOWN_CLIENT}, closes the session). Opening a session replays every remembered offer and
 * attachment and every withdrawal made while disconnected.
 *
 * <p><b>Admission.</b> ZeroMQ never retries a CURVE handshake the broker refused (our key not in its
 * allow-list yet): the DEALER stays connected to nothing for good. An event hook on the DEALER sees the
 * refusal ({@code HANDSHAKE_FAILED_*}) and the loop recreates the socket with back-off
 * ({@value #READMIT_FIRST_MS} ms doubling to {@value #READMIT_MAX_MS} ms), so a key allowed later is admitted
 * within seconds of the broker's allow-list reload. A DEALER that could not send a {@code hello} for a
 * request timeout (no connection ever completed its handshake) is recreated the same way.
 *
 * <p><b>Identity.</b> Every {@code hello} carries {@code session}, 32 random hex characters chosen when
 * this client starts: the broker tells a re-hello of this client (same session) from another process
 * using the same key pair (a copied runtime), which it refuses with {@code KEY_IN_USE}. This client
 * then logs one error naming its key and the remedy, and keeps retrying with back-off, so it gets in
 * once the other process is gone; it never takes the key over.
 *
 * <p><b>Reconnections.</b> The broker accepts messages only on connections that said {@code hello} with
 * the live session, and a DEALER that reconnects (ZeroMQ does so by itself after a dropped TCP
 * connection) is a new connection to it. So whenever the connection the session was opened on drops
 * (the DEALER's {@code DISCONNECTED} event) or the DEALER is recreated, the session counts as closed
 * here and the first message on the new connection is {@code hello} with the same session, then the
 * replay. A {@code KEY_IN_USE} answer to any other message (a message that raced the event) is taken
 * the same way, once: a second one before any message was accepted again is the "another process has
 * this key" case and is logged and retried with back-off. Requests whose answer a caller waits for and
 * that were sent on the dropped connection are sent again after the new {@code hello}.
 */
final class ClientLoop implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(ClientLoop.class);
    private static final long MAX_POLL_MS = 50;
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    /** A replayed register refused with CHANNEL_EXISTS, or a replayed attach whose channel is not back yet
     *  (its producer has not re-registered after a broker restart), is retried this often. */
    private static final int RETRY_EVERY_BEATS = 2;
    /** First and longest pause before a refused (or never handshaken) DEALER is recreated. */
    static final long READMIT_FIRST_MS = 200, READMIT_MAX_MS = 2000;
    /** The {@code hello} field that tells this client process from another with the same key. */
    static final String SESSION = "session";
    /** ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | _PROTOCOL | _AUTH (libzmq's values; org.zeromq.ZMQ 0.6.0 lacks them). */
    private static final int REFUSAL_EVENTS = 2048 | 8192 | 16384;
    /** ZMQ_EVENT_DISCONNECTED: an established connection of the DEALER dropped (ZeroMQ will reconnect). */
    private static final int DISCONNECTED_EVENT = 512;

    final Map<ChannelName, ChannelInfo> offers = new ConcurrentHashMap<>();
    final Map<ChannelName, Integer> attachments = new ConcurrentHashMap<>();
    final Set<ChannelName> pendingUnregisters = ConcurrentHashMap.newKeySet();
    final Set<ChannelName> pendingDetaches = ConcurrentHashMap.newKeySet();
    final List<Consumer<ChannelEvent>> listeners = new CopyOnWriteArrayList<>();

    private final BrokerClientConfig config;
    private final CurveSecurity security;
    private final ZContext context;
    private final Thread thread;
    private final ExecutorService eventThread;
    private final ConcurrentLinkedQueue<Command> commands = new ConcurrentLinkedQueue<>();
    private final Pipe wakePipe;
    private final long silenceNanos;
    private final long backoffCapNanos;

    private volatile boolean running = true;
    private volatile boolean connected;
    private volatile Instant lastContact;
    private volatile String message = "starting";
    private final String session = newSession();
    /** Set by the DEALER's event hook (a JeroMQ I/O thread) when the broker refused our handshake. */
    private final AtomicReference<Refusal> refusal = new AtomicReference<>();
    /** Connections of the current DEALER that dropped, counted by its event hook (one counter per DEALER). */
    private AtomicInteger disconnects = new AtomicInteger();
    /** Hellos sent, and sessions re-opened after a dropped connection or a stale KEY_IN_USE (tests, logs). */
    private final AtomicLong hellosSent = new AtomicLong();
    private final AtomicLong reopened = new AtomicLong();
    private final AtomicLong keyInUseRefusals = new AtomicLong();

    // socket-thread state
    private ZMQ.Socket dealer;
    private ZMQ.Socket sub;
    private ZMQ.Poller poller;
    private boolean pollerDirty = true;
    private boolean sessionOpen;
    private String helloId;
    private long helloDeadline;
    private long nextAttempt;
    private long backoffNanos;
    private long heartbeatNanos;
    private long nextHeartbeat;
    private long lastContactNanos;
    private long counter;
    private int beatsSinceRetry;
    private String eventsEndpoint;
    private boolean reportedUnreachable;
    private boolean reportedRefusal;
    private boolean reportedKeyInUse;
    /** {@link #disconnects} when the last hello was sent: more means that hello's connection is gone. */
    private int helloDisconnects;
    /** A KEY_IN_USE to a non-hello message made us say hello again; cleared by the next accepted message. */
    private boolean rehelloedForKeyInUse;
    private int dealerGeneration;
    private long dealerCreated;
    private boolean dealerHandshaken;
    private long readmitNanos = TimeUnit.MILLISECONDS.toNanos(READMIT_FIRST_MS);
    private long nextRecreate;
    private final Map<String, Pending> pending = new HashMap<>();
    private final List<Command> waitingForSession = new ArrayList<>();
    private final Set<ChannelName> conflicts = new java.util.HashSet<>();
    private final Set<ChannelName> unattached = new java.util.HashSet<>();

    /** A request from an API thread: send it, complete {@code future} (if any) with the reply. */
    private record Command(ObjectNode request, CompletableFuture<ObjectNode> future, long deadline,
                           boolean waitForSession) {
    }

    private record Pending(String type, ChannelName name, CompletableFuture<ObjectNode> future, long deadline,
                           ObjectNode request) {
    }

    /** A handshake failure the DEALER's event hook saw, for the socket of {@code generation}. */
    private record Refusal(int generation, String what) {
    }

    private static String newSession() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        StringBuilder hex = new StringBuilder(32);
        for (byte b : bytes) {
            hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return hex.toString();
    }

    /** @return the session id this client sends in every {@code hello} (tests) */
    String session() {
        return session;
    }

    /** @return how many {@code hello} messages this client has sent (tests) */
    long hellosSent() {
        return hellosSent.get();
    }

    /** @return how often an open session was re-opened on a new connection (tests) */
    long sessionsReopened() {
        return reopened.get();
    }

    /** @return how many KEY_IN_USE refusals were taken as "another process has this key" (tests) */
    long keyInUseRefusals() {
        return keyInUseRefusals.get();
    }

    private ClientLoop(BrokerClientConfig config, CurveSecurity security) {
        this.config = config;
        this.security = security;
        this.context = security.context();
        this.heartbeatNanos = config.heartbeatInterval().toNanos();
        this.silenceNanos = Math.max(config.requestTimeout().toNanos(), 3 * heartbeatNanos);
        this.backoffCapNanos = Math.max(heartbeatNanos, Math.min(MAX_BACKOFF.toNanos(), 10 * heartbeatNanos));
        this.backoffNanos = heartbeatNanos;
        try {
            this.wakePipe = Pipe.open();
            wakePipe.source().configureBlocking(false);
            wakePipe.sink().configureBlocking(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the broker client's wake-up pipe", e);
        }
        this.thread = new Thread(this, "labhub-broker-client");
        this.thread.setDaemon(true);
        this.eventThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "labhub-broker-client-events");
            t.setDaemon(true);
            return t;
        });
    }

    static ClientLoop start(BrokerClientConfig config, CurveSecurity security) {
        // Refuse a bad broker key now, before any socket exists (the key rule needs no configured limits).
        Validators.defaults().publicKey(config.brokerPublicKey());
        ClientLoop loop = new ClientLoop(config, security);
        loop.thread.start();
        return loop;
    }

    // ---------------------------------------------------------------- API side (any thread)

    boolean isConnected() {
        return connected;
    }

    Duration requestTimeout() {
        return config.requestTimeout();
    }

    BrokerClientStatus status() {
        return new BrokerClientStatus(connected, lastContact, message, config.endpoint(), security.publicKey());
    }

    ObjectNode registerRequest(ChannelInfo offer) {
        ObjectNode request = Wire.request(Wire.REGISTER, null);
        request.put(Wire.NAME, offer.name().value());
        request.put(Wire.KIND, offer.kind().wireName());
        request.put(Wire.ENDPOINT, offer.endpoint());
        if (offer.serverKey() != null) {
            request.put(Wire.SERVER_KEY, offer.serverKey());
        }
        ObjectNode metadata = request.putObject(Wire.METADATA);
        offer.metadata().forEach(metadata::put);
        return request;
    }

    ObjectNode nameRequest(String type, ChannelName name) {
        ObjectNode request = Wire.request(type, null);
        request.put(Wire.NAME, name.value());
        return request;
    }

    /** Sends a request and completes the future with the ok reply, or exceptionally with the error. */
    CompletableFuture<ObjectNode> call(ObjectNode request, Duration timeout, boolean waitForSession) {
        CompletableFuture<ObjectNode> future = new CompletableFuture<>();
        if (!running) {
            future.completeExceptionally(new LabHubException(ErrorCode.BROKER_UNAVAILABLE, "the broker client is closed"));
            return future;
        }
        commands.add(new Command(request, future, System.nanoTime() + timeout.toNanos(), waitForSession));
        wake();
        return future;
    }

    /** Sends a request whose answer nobody waits for (errors are logged). */
    void send(ObjectNode request) {
        commands.add(new Command(request, null, System.nanoTime() + config.requestTimeout().toNanos(), false));
        wake();
    }

    void wake() {
        try {
            synchronized (wakePipe) {
                wakePipe.sink().write(ByteBuffer.wrap(new byte[]{1}));
            }
        } catch (IOException e) {
            // closed: the loop is stopping anyway
        }
    }

    void close() {
        if (!running) {
            return;
        }
        running = false;
        wake();
        if (Thread.currentThread() != thread) {
            boolean interrupted = false;
            while (thread.isAlive()) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        eventThread.shutdown();
        try {
            if (!eventThread.awaitTermination(5, TimeUnit.SECONDS)) {
                eventThread.shutdownNow();
            }
        } catch (InterruptedException e) {
            eventThread.shutdownNow();
            Thread.currentThread().interrupt();
        }
        try {
            wakePipe.sink().close();
            wakePipe.source().close();
        } catch (IOException e) {
            LOG.debug("closing the wake-up pipe", e);
        }
    }

    // ---------------------------------------------------------------- socket thread

    @Override
    public void run() {
        try {
            newDealer();
            while (running) {
                long now = System.nanoTime();
                drainCommands(now);
                tick(now);
                poll();
            }
            // Send what API threads asked for just before close (e.g. unregister), then stop.
            drainCommands(System.nanoTime());
        } catch (RuntimeException | Error e) {
            LOG.error("broker client loop failed", e);
        } finally {
            running = false;
            connected = false;
            message = "closed";
            failAll(new LabHubException(ErrorCode.BROKER_UNAVAILABLE, "the broker client is closed"));
            closeSockets(true);
        }
    }

    private void tick(long now) {
        Refusal refused = refusal.getAndSet(null);
        if (refused != null && refused.generation() == dealerGeneration && !sessionOpen) {
            onHandshakeRefused(refused, now);
        }
        if (!sessionOpen) {
            if (nextRecreate != 0 && now - nextRecreate >= 0) {
                nextRecreate = 0;
                newDealer();
                helloId = null;
            } else if (nextRecreate == 0 && helloId == null && !dealerHandshaken
                    && now - dealerCreated > config.requestTimeout().toNanos()) {
                // Not one hello could be sent on this DEALER: no connection completed its handshake
                // (a refusal the hook did not see, a broker that is down). Recreate it, with back-off.
                scheduleRecreate(now);
            }
            if (helloId != null && disconnects.get() != helloDisconnects) {
                pending.remove(helloId); // its connection dropped: say it again on the next one
                helloId = null;
                nextAttempt = now;
            }
            if (helloId != null && now - helloDeadline > 0) {
                helloId = null;
                unreachable("broker " + config.endpoint() + " does not answer (down, or our key is not in its allow-list)");
                newDealer();
                nextAttempt = now + backoffNanos;
                backoffNanos = Math.min(backoffCapNanos, backoffNanos * 2);
            }
            if (helloId == null && now - nextAttempt >= 0) {
                sendHello(now);
            }
        } else {
            if (disconnects.get() != helloDisconnects) {
                // The connection our hello went on dropped; ZeroMQ reconnects, as a new connection the
                // broker has not heard hello on: say hello (same session) before anything else.
                reopen("the connection to the broker dropped", now);
            } else if (now - lastContactNanos > silenceNanos) {
                sessionOpen = false;
                connected = false;
                unreachable("broker " + config.endpoint() + " stopped answering");
                failPending(new LabHubException(ErrorCode.BROKER_UNAVAILABLE, "the broker stopped answering"));
                newDealer();
                nextAttempt = now;
                backoffNanos = heartbeatNanos;
            } else if (now - nextHeartbeat >= 0) {
                nextHeartbeat = now + heartbeatNanos;
                sendTracked(Wire.request(Wire.HEARTBEAT, null), null, now + silenceNanos);
                if ((!conflicts.isEmpty() || !unattached.isEmpty()) && ++beatsSinceRetry >= RETRY_EVERY_BEATS) {
                    beatsSinceRetry = 0;
                    retryRefusedReplays(now + config.requestTimeout().toNanos());
                }
            }
            if (sub == null && !listeners.isEmpty() && eventsEndpoint != null) {
                newSub();
            }
        }
        expirePending(now);
    }

    private void retryRefusedReplays(long deadline) {
        for (ChannelName name : List.copyOf(conflicts)) {
            conflicts.remove(name);
            ChannelInfo offer = offers.get(name);
            if (offer != null) {
                sendTracked(registerRequest(offer), null, deadline);
            }
        }
        for (ChannelName name : List.copyOf(unattached)) {
            unattached.remove(name);
            if (attachments.containsKey(name)) {
                sendTracked(nameRequest(Wire.ATTACH, name), null, deadline);
            }
        }
    }

    /** The broker refused the CURVE handshake (our key is not allowed, or a wrong broker key). */
    private void onHandshakeRefused(Refusal refused, long now) {
        String text = "refused by the broker at " + config.endpoint() + " (" + refused.what()
                + "): is this runtime's key " + security.publicKey() + " in the broker's allow-list?";
        message = text;
        if (!reportedRefusal) {
            reportedRefusal = true;
            reportedUnreachable = true; // this says more than 'does not answer'
            LOG.warn("{} Allow it there (hub:allow '{}' on the broker's runtime, or add it to its allow-list file); "
                    + "retrying every {} ms at most", text, security.publicKey(), READMIT_MAX_MS);
        }
        failPending(new LabHubException(ErrorCode.BROKER_UNAVAILABLE, text));
        scheduleRecreate(now);
    }

    private void scheduleRecreate(long now) {
        if (nextRecreate == 0) {
            nextRecreate = now + readmitNanos;
            readmitNanos = Math.min(TimeUnit.MILLISECONDS.toNanos(READMIT_MAX_MS), readmitNanos * 2);
        }
    }

    /**
     * The session's connection is gone (dropped, or the broker no longer knows it): close the session
     * here and say hello again at once, with the same session; what callers wait for is sent again
     * after it, the rest is replayed.
     */
    private void reopen(String why, long now) {
        LOG.info("{} ({}): saying hello again with the same session", why, config.endpoint());
        reopened.incrementAndGet();
        sessionOpen = false;
        connected = false;
        message = "re-opening the session with " + config.endpoint();
        requeuePending(now);
        helloId = null;
        nextAttempt = now;
        sendHello(now);
    }

    /** Requests sent on a connection that is gone: callers' requests wait for the next session, withdrawals are kept. */
    private void requeuePending(long now) {
        for (Pending p : List.copyOf(pending.values())) {
            if (Wire.HELLO.equals(p.type())) {
                continue;
            }
            if (p.future() != null && !p.future().isDone() && now - p.deadline() < 0) {
                p.request().remove(Wire.ID);
                waitingForSession.add(new Command(p.request(), p.future(), p.deadline(), true));
            } else if (p.future() == null) {
                requeueWithdrawal(p.request());
            }
        }
        pending.clear();
    }

    private void sendHello(long now) {
        ObjectNode hello = Wire.request(Wire.HELLO, null);
        String id = nextId();
        hello.put(Wire.ID, id);
        hello.put(SESSION, session);
        int drops = disconnects.get();
        if (dealer.send(Wire.write(hello), ZMQ.DONTWAIT)) {
            dealerHandshaken = true; // ZMQ_IMMEDIATE: a send succeeds only on a connection that completed its handshake
            hellosSent.incrementAndGet();
            helloDisconnects = drops;
            helloId = id;
            helloDeadline = now + config.requestTimeout().toNanos();
            pending.put(id, new Pending(Wire.HELLO, null, null, helloDeadline, hello));
        } else if (!reportedUnreachable && now - nextAttempt > silenceNanos) {
            // No connection at all yet (ZMQ_IMMEDIATE): libzmq keeps reconnecting with its own back-off.
            unreachable("broker " + config.endpoint() + " unreachable, retrying");
        }
    }

    private void unreachable(String text) {
        message = text;
        if (!reportedUnreachable) {
            reportedUnreachable = true;
            LOG.warn("{}; retrying with back-off up to {} ms", text, backoffCapNanos / 1_000_000);
        }
    }

    private void onSessionOpened(ObjectNode reply, long now) {
        boolean wasReported = reportedUnreachable;
        sessionOpen = true;
        connected = true;
        reportedUnreachable = false;
        reportedRefusal = false;
        if (reportedKeyInUse) {
            LOG.info("the broker at {} admits key {} again: the other client that used it is gone",
                    config.endpoint(), security.publicKey());
        }
        reportedKeyInUse = false;
        backoffNanos = heartbeatNanos;
        readmitNanos = TimeUnit.MILLISECONDS.toNanos(READMIT_FIRST_MS);
        nextRecreate = 0;
        JsonNode interval = reply.get(Wire.HEARTBEAT_INTERVAL_MS);
        if (interval != null && interval.canConvertToLong() && interval.longValue() > 0) {
            heartbeatNanos = Math.min(config.heartbeatInterval().toNanos(), interval.longValue() * 1_000_000L);
        }
        nextHeartbeat = now + heartbeatNanos;
        JsonNode events = reply.get(Wire.EVENTS_ENDPOINT);
        eventsEndpoint = events != null && events.isTextual() ? connectable(events.textValue(), config.endpoint()) : null;
        message = "connected to " + config.endpoint() + (offers.isEmpty() ? "" : ", " + offers.size() + " channel(s) registered");
        LOG.info("{} broker {} ({} offer(s), {} attachment(s) to restore)", wasReported ? "reconnected to" : "connected to",
                config.endpoint(), offers.size(), attachments.size());
        // Replay: what was withdrawn while away, then everything remembered.
        long deadline = now + config.requestTimeout().toNanos();
        for (ChannelName name : List.copyOf(pendingUnregisters)) {
            pendingUnregisters.remove(name);
            sendTracked(nameRequest(Wire.UNREGISTER, name), null, deadline);
        }
        for (ChannelName name : List.copyOf(pendingDetaches)) {
            pendingDetaches.remove(name);
            sendTracked(nameRequest(Wire.DETACH, name), null, deadline);
        }
        conflicts.clear();
        unattached.clear();
        offers.values().forEach(offer -> sendTracked(registerRequest(offer), null, deadline));
        attachments.keySet().forEach(name -> sendTracked(nameRequest(Wire.ATTACH, name), null, deadline));
        if (!listeners.isEmpty()) {
            newSub(); // re-subscribe: the broker (and its PUB socket) may be a new one
        }
        for (Command command : List.copyOf(waitingForSession)) {
            waitingForSession.remove(command);
            sendCommand(command, now);
        }
    }

    /** Replaces a wildcard host in the events endpoint by the host we reach the broker at. */
    static String connectable(String events, String brokerEndpoint) {
        int scheme = events.indexOf("://");
        int colon = events.lastIndexOf(':');
        if (scheme < 0 || colon <= scheme + 2) {
            return events;
        }
        String host = events.substring(scheme + 3, colon);
        if (!(host.equals("*") || host.equals("0.0.0.0") || host.equals("[::]") || host.equals("::")
                || host.isEmpty())) {
            return events;
        }
        int bScheme = brokerEndpoint.indexOf("://");
        int bColon = brokerEndpoint.lastIndexOf(':');
        if (bScheme < 0 || bColon <= bScheme + 2) {
            return events;
        }
        return events.substring(0, scheme + 3) + brokerEndpoint.substring(bScheme + 3, bColon) + events.substring(colon);
    }

    private void drainCommands(long now) {
        Command command;
        while ((command = commands.poll()) != null) {
            if (command.future() != null && command.future().isDone()) {
                continue; // cancelled by a caller who stopped waiting
            }
            if (!sessionOpen && command.waitForSession() && running) {
                waitingForSession.add(command);
            } else if (!sessionOpen) {
                if (command.future() != null) {
                    command.future().completeExceptionally(new LabHubException(ErrorCode.BROKER_UNAVAILABLE,
                            "no session with the broker at " + config.endpoint()));
                } else {
                    requeueWithdrawal(command.request());
                }
            } else {
                sendCommand(command, now);
            }
        }
    }

    /** A fire-and-forget withdrawal that could not be sent: keep it for the next session. */
    private void requeueWithdrawal(ObjectNode request) {
        String type = request.path(Wire.TYPE).asText();
        if (!Wire.UNREGISTER.equals(type) && !Wire.DETACH.equals(type)) {
            return; // heartbeats and replays are sent again by the next session anyway
        }
        ChannelName name = new ChannelName(request.path(Wire.NAME).asText());
        if (Wire.UNREGISTER.equals(type) && !offers.containsKey(name)) {
            pendingUnregisters.add(name);
        } else if (Wire.DETACH.equals(type) && !attachments.containsKey(name)) {
            pendingDetaches.add(name);
        }
    }

    private void sendCommand(Command command, long now) {
        if (!sendTracked(command.request(), command.future(), command.deadline())) {
            if (command.future() != null) {
                command.future().completeExceptionally(new LabHubException(ErrorCode.BROKER_UNAVAILABLE,
                        "cannot send to the broker at " + config.endpoint()));
            } else {
                requeueWithdrawal(command.request());
            }
        }
    }

    private boolean sendTracked(ObjectNode request, CompletableFuture<ObjectNode> future, long deadline) {
        String id = nextId();
        request.put(Wire.ID, id);
        String type = request.path(Wire.TYPE).asText();
        JsonNode nameNode = request.get(Wire.NAME);
        ChannelName name = nameNode != null && nameNode.isTextual() ? new ChannelName(nameNode.textValue()) : null;
        if (!dealer.send(Wire.write(request), ZMQ.DONTWAIT)) {
            return false;
        }
        pending.put(id, new Pending(type, name, future, deadline, request));
        return true;
    }

    private String nextId() {
        return "c" + (++counter);
    }

    private void expirePending(long now) {
        for (Iterator<Map.Entry<String, Pending>> it = pending.entrySet().iterator(); it.hasNext(); ) {
            Pending p = it.next().getValue();
            if (now - p.deadline() > 0) {
                it.remove();
                if (p.future() != null) {
                    p.future().completeExceptionally(new ChannelTimeoutException(
                            "the broker did not answer the " + p.type() + " request in time"));
                }
            }
        }
        for (Iterator<Command> it = waitingForSession.iterator(); it.hasNext(); ) {
            Command c = it.next();
            if (now - c.deadline() > 0 || c.future().isDone()) {
                it.remove();
                c.future().completeExceptionally(new LabHubException(ErrorCode.BROKER_UNAVAILABLE,
                        "the broker at " + config.endpoint() + " is unavailable: " + message));
            }
        }
    }

    private void poll() {
        if (pollerDirty) {
            if (poller != null) {
                poller.close();
            }
            poller = context.createPoller(3);
            poller.register(wakePipe.source(), ZMQ.Poller.POLLIN);
            poller.register(dealer, ZMQ.Poller.POLLIN);
            if (sub != null) {
                poller.register(sub, ZMQ.Poller.POLLIN);
            }
            pollerDirty = false;
        }
        long timeout = Math.max(1, Math.min(MAX_POLL_MS, heartbeatNanos / 4_000_000L));
        int ready;
        try {
            ready = poller.poll(timeout);
        } catch (ZMQException e) {
            if (!running) {
                return;
            }
            throw e;
        }
        if (ready <= 0) {
            return;
        }
        if (poller.pollin(0)) {
            drainWakePipe();
        }
        if (poller.pollin(1)) {
            readReplies();
        }
        if (sub != null && poller.getSize() > 2 && poller.pollin(2)) {
            readEvents();
        }
    }

    private void drainWakePipe() {
        ByteBuffer buffer = ByteBuffer.allocate(64);
        try {
            while (wakePipe.source().read(buffer) > 0) {
                buffer.clear();
            }
        } catch (IOException e) {
            LOG.debug("reading the wake-up pipe", e);
        }
    }

    private void readReplies() {
        long now = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            byte[] frame = dealer.recv(ZMQ.DONTWAIT);
            if (frame == null) {
                return;
            }
            while (dealer.hasReceiveMore()) {
                dealer.recv(0);
            }
            ObjectNode reply;
            try {
                reply = Wire.parseObject(frame);
            } catch (LabHubException e) {
                LOG.warn("ignored a malformed reply from the broker: {}", e.getMessage());
                continue;
            }
            lastContactNanos = now;
            lastContact = Instant.now();
            onReply(reply, now);
        }
    }

    private void onReply(ObjectNode reply, long now) {
        String id = reply.path(Wire.ID).asText(null);
        Pending p = id == null ? null : pending.remove(id);
        if (p == null) {
            return; // late reply to something already given up
        }
        boolean ok = Wire.OK.equals(reply.path(Wire.STATUS).asText());
        if (Wire.HELLO.equals(p.type())) {
            if (id.equals(helloId)) {
                helloId = null;
                if (ok) {
                    onSessionOpened(reply, now);
                } else if (ErrorCode.KEY_IN_USE.name().equals(reply.path(Wire.CODE).asText())) {
                    keyInUse(reply.path(Wire.MESSAGE).asText(""), now);
                } else {
                    unreachable("broker refused hello: " + reply.path(Wire.MESSAGE).asText());
                    nextAttempt = now + backoffNanos;
                    backoffNanos = Math.min(backoffCapNanos, backoffNanos * 2);
                }
            }
            return;
        }
        if (ok) {
            rehelloedForKeyInUse = false; // this connection is the session's: a later KEY_IN_USE is news
            if (Wire.REGISTER.equals(p.type()) && p.name() != null) {
                conflicts.remove(p.name());
            }
            if (Wire.ATTACH.equals(p.type()) && p.name() != null) {
                unattached.remove(p.name());
            }
            if (p.future() != null) {
                p.future().complete(reply);
            }
            return;
        }
        ErrorCode code = errorCode(reply.path(Wire.CODE).asText());
        String text = reply.path(Wire.MESSAGE).asText(code.name());
        if (code == ErrorCode.KEY_IN_USE && !rehelloedForKeyInUse && (sessionOpen || helloId != null)) {
            // The broker has not heard hello on this connection (it reconnected before we saw the event):
            // say hello again with our session, once; the request is sent again after it.
            rehelloedForKeyInUse = true;
            if (p.future() != null && !p.future().isDone()) {
                p.request().remove(Wire.ID);
                waitingForSession.add(new Command(p.request(), p.future(), p.deadline(), true));
            } else if (p.future() == null) {
                requeueWithdrawal(p.request());
            }
            if (sessionOpen) {
                reopen("the broker does not know this connection (KEY_IN_USE to " + p.type() + ")", now);
            }
            return;
        }
        if (code == ErrorCode.KEY_IN_USE) {
            // Another process holds a session with our key: leave, and knock again later.
            keyInUseRefusals.incrementAndGet();
            if (sessionOpen) {
                sessionOpen = false;
                connected = false;
                helloId = null;
            }
            keyInUse(text, now);
            if (p.future() != null) {
                p.future().completeExceptionally(LabHubException.of(code, text));
            }
            return;
        }
        if (code == ErrorCode.UNKNOWN_CLIENT) {
            // The broker restarted or declared us lost: open a new session, which replays everything.
            if (sessionOpen) {
                LOG.info("broker {} does not know this client any more ({}): registering again", config.endpoint(), text);
                sessionOpen = false;
                connected = false;
                message = "re-registering with " + config.endpoint();
                nextAttempt = now;
                helloId = null;
            }
            if (p.future() != null) {
                p.future().completeExceptionally(new LabHubException(ErrorCode.BROKER_UNAVAILABLE,
                        "the broker lost this client's session; it is being re-opened"));
            }
            return;
        }
        if (p.future() != null) {
            p.future().completeExceptionally(LabHubException.of(code, text));
            return;
        }
        if (Wire.REGISTER.equals(p.type()) && p.name() != null && offers.containsKey(p.name())) {
            // A replayed offer: taken again later when the refusal can pass (another live producer, a
            // reservation, too many requests at once), forgotten when it cannot (a bad field, a full quota).
            boolean transient_ = code == ErrorCode.CHANNEL_EXISTS || code == ErrorCode.CHANNEL_RESERVED
                    || (code == ErrorCode.QUOTA_EXCEEDED && "maxInFlightPerKey".equals(reply.path(Wire.QUOTA).asText()));
            if (transient_) {
                conflicts.add(p.name());
            }
            LOG.warn("the broker refused to register {} again: {} {}{}", p.name(), code, text,
                    transient_ ? " (retrying every " + RETRY_EVERY_BEATS + " heartbeats)" : " (offer forgotten)");
            if (!transient_) {
                offers.remove(p.name());
            }
        } else if (Wire.ATTACH.equals(p.type()) && p.name() != null && attachments.containsKey(p.name())
                && code == ErrorCode.CHANNEL_NOT_FOUND) {
            unattached.add(p.name()); // its producer may not have re-registered yet: try again shortly
        } else if (code != ErrorCode.CHANNEL_NOT_FOUND) {
            LOG.warn("the broker refused {} {}: {} {}", p.type(), p.name() == null ? "" : p.name(), code, text);
        }
    }

    /**
     * The broker refuses our key because another live client uses it (a copy of this runtime with the
     * same key pair): one ERROR with the remedy, then retries with back-off; never a take-over.
     */
    private void keyInUse(String text, long now) {
        message = "the broker at " + config.endpoint() + " refuses key " + security.publicKey()
                + ": KEY_IN_USE (another LabHub with the same key pair is connected)";
        if (!reportedKeyInUse) {
            reportedKeyInUse = true;
            reportedUnreachable = true;
            LOG.error("The broker at {} refuses this runtime's key {}: KEY_IN_USE ({}). Another LabHub runtime uses "
                    + "the same key pair, e.g. a copy of this runtime's folder. To give this runtime its own identity, "
                    + "stop it, delete its conf/keys/ directory (a new key pair is created at the next start) and "
                    + "allow the new key on the broker. Retrying with back-off up to {} ms until the other one is gone.",
                    config.endpoint(), security.publicKey(), text, backoffCapNanos / 1_000_000);
        }
        nextAttempt = now + backoffNanos;
        backoffNanos = Math.min(backoffCapNanos, backoffNanos * 2);
    }

    private static ErrorCode errorCode(String text) {
        try {
            return ErrorCode.valueOf(text);
        } catch (IllegalArgumentException e) {
            return ErrorCode.REMOTE_ERROR;
        }
    }

    private void readEvents() {
        for (int i = 0; i < 1000; i++) {
            byte[] topic = sub.recv(ZMQ.DONTWAIT);
            if (topic == null) {
                return;
            }
            byte[] body = sub.hasReceiveMore() ? sub.recv(0) : null;
            while (sub.hasReceiveMore()) {
                sub.recv(0);
            }
            if (body == null) {
                continue;
            }
            try {
                ObjectNode node = Wire.parseObject(body);
                ChannelEvent.Type type = Wire.eventType(node.path(Wire.TYPE).asText());
                if (type == null) {
                    continue; // an event type newer than this client: ignored
                }
                ChannelEvent event = new ChannelEvent(type, Wire.readChannel(node.get(Wire.CHANNEL)));
                eventThread.execute(() -> deliver(event));
            } catch (LabHubException e) {
                LOG.warn("ignored a malformed event from the broker: {}", e.getMessage());
            } catch (java.util.concurrent.RejectedExecutionException e) {
                return; // closing
            }
        }
    }

    private void deliver(ChannelEvent event) {
        for (Consumer<ChannelEvent> listener : listeners) {
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                LOG.warn("a broker event listener failed on {} {}", event.type(), event.info().name(), e);
            }
        }
    }

    private void failPending(LabHubException e) {
        for (Pending p : pending.values()) {
            if (p.future() != null) {
                p.future().completeExceptionally(e);
            }
        }
        pending.clear();
        helloId = null;
    }

    private void failAll(LabHubException e) {
        failPending(e);
        waitingForSession.forEach(c -> c.future().completeExceptionally(e));
        waitingForSession.clear();
        Command c;
        while ((c = commands.poll()) != null) {
            if (c.future() != null) {
                c.future().completeExceptionally(e);
            }
        }
    }

    private void newDealer() {
        if (dealer != null) {
            context.destroySocket(dealer);
        }
        int generation = ++dealerGeneration;
        dealerCreated = System.nanoTime();
        dealerHandshaken = false;
        refusal.set(null);
        AtomicInteger drops = new AtomicInteger();
        disconnects = drops;
        helloDisconnects = 0;
        dealer = context.createSocket(SocketType.DEALER);
        // Runs on a JeroMQ I/O thread: only records what happened and wakes the client thread.
        dealer.setEventHook(event -> onDealerEvent(generation, drops, event), REFUSAL_EVENTS | DISCONNECTED_EVENT);
        dealer.setLinger(0);
        dealer.setImmediate(true); // no queueing for a broker that is not there: a send fails instead
        dealer.setReconnectIVL(100);
        dealer.setReconnectIVLMax(backoffCapNanos / 1_000_000L);
        security.secureClient(dealer, config.brokerPublicKey());
        dealer.connect(config.endpoint());
        pollerDirty = true;
    }

    private void onDealerEvent(int generation, AtomicInteger drops, ZEvent event) {
        if (event.getEvent() == org.zeromq.ZMonitor.Event.DISCONNECTED) {
            drops.incrementAndGet();
            wake();
            return;
        }
        Object value = event.getValue();
        refusal.set(new Refusal(generation, switch (event.getEvent()) {
            case HANDSHAKE_FAILED_AUTH -> "CURVE handshake refused, ZAP status " + value;
            case HANDSHAKE_FAILED_PROTOCOL -> "CURVE handshake failed: " + value + " (is the broker key right?)";
            default -> "handshake failed";
        }));
        wake();
    }

    private void newSub() {
        if (sub != null) {
            context.destroySocket(sub);
            sub = null;
        }
        if (eventsEndpoint == null) {
            return;
        }
        sub = context.createSocket(SocketType.SUB);
        sub.setLinger(0);
        security.secureClient(sub, config.brokerPublicKey());
        sub.subscribe(new byte[0]);
        sub.connect(eventsEndpoint);
        pollerDirty = true;
    }

    private void closeSockets(boolean flush) {
        if (poller != null) {
            poller.close();
            poller = null;
        }
        if (dealer != null) {
            if (flush) {
                dealer.setLinger(200); // let a last unregister reach the broker
            }
            context.destroySocket(dealer);
            dealer = null;
        }
        if (sub != null) {
            context.destroySocket(sub);
            sub = null;
        }
    }
}
