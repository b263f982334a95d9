package io.labhub.broker.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.labhub.agent.Agent;
import io.labhub.agent.AgentRunner;
import io.labhub.agent.SocketIdleStrategy;
import io.labhub.api.ChannelTimeoutException;
import io.labhub.api.ErrorCode;
import io.labhub.api.LabHubException;
import io.labhub.broker.client.CommandQueue.Command;
import io.labhub.broker.client.RequestCorrelation.Pending;
import io.labhub.broker.protocol.Wire;
import io.labhub.security.CurveSecurity;
import io.labhub.validation.Validators;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZMQException;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client's session with the broker, as a state machine run by the client's socket agent, over the
 * parts named for their jobs: {@link BrokerConnection} (the DEALER, its refusals and dropped
 * connections), {@link CommandQueue} (what API threads ask),
 * {@link RequestCorrelation} (requests in flight and their replies), {@link ReplayLedger} (what is
 * replayed when a session opens) and {@link EventFeed} (the SUB to the broker's events). API threads
 * share only the ledger's concurrent collections, the listeners and the command queue; a command wakes
 * the agent through its {@link SocketIdleStrategy#wake()}.
 *
 * <p>Each {@link #doWork()}: take the API threads' commands, run the state machine's timers
 * ({@link #tick}), read the broker's replies, read events; with nothing to do the agent idles in the
 * sockets' selector for a quarter of the heartbeat (50 ms at most).
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
final class BrokerSession implements Agent {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerSession.class);
    private static final long MAX_POLL_MS = 50;
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    /** First and longest pause before a refused (or never handshaken) DEALER is recreated. */
    static final long READMIT_FIRST_MS = 200, READMIT_MAX_MS = 2000;
    /** The {@code hello} field that tells this client process from another with the same key. */
    static final String SESSION = "session";

    final ReplayLedger ledger = new ReplayLedger();
    final EventFeed events;

    private final BrokerClientConfig config;
    private final CurveSecurity security;
    private final SocketIdleStrategy idle = new SocketIdleStrategy(MAX_POLL_MS);
    private final AgentRunner runner;
    private final CommandQueue commands = new CommandQueue(idle::wake);
    private final RequestCorrelation requests = new RequestCorrelation();
    private final long silenceNanos;
    private final long backoffCapNanos;

    private volatile boolean running = true;
    private volatile boolean connected;
    private volatile Instant lastContact;
    private volatile String message = "starting";
    private final String session = newSession();
    /** Hellos sent, and sessions re-opened after a dropped connection or a stale KEY_IN_USE (tests, logs). */
    private final AtomicLong hellosSent = new AtomicLong();
    private final AtomicLong reopened = new AtomicLong();
    private final AtomicLong keyInUseRefusals = new AtomicLong();

    // socket-thread state
    private final BrokerConnection connection;
    private boolean sessionOpen;
    private String helloId;
    private long helloDeadline;
    private long nextAttempt;
    private long backoffNanos;
    private long heartbeatNanos;
    private long nextHeartbeat;
    private long lastContactNanos;
    private String eventsEndpoint;
    private boolean reportedUnreachable;
    private boolean reportedRefusal;
    private boolean reportedKeyInUse;
    /** The connection's drops when the last hello was sent: more means that hello's connection is gone. */
    private int helloDisconnects;
    /** A KEY_IN_USE to a non-hello message made us say hello again; cleared by the next accepted message. */
    private boolean rehelloedForKeyInUse;
    private long readmitNanos = TimeUnit.MILLISECONDS.toNanos(READMIT_FIRST_MS);
    private long nextRecreate;


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

    private BrokerSession(BrokerClientConfig config, CurveSecurity security) {
        this.config = config;
        this.security = security;
        this.heartbeatNanos = config.heartbeatInterval().toNanos();
        this.silenceNanos = Math.max(config.requestTimeout().toNanos(), 3 * heartbeatNanos);
        this.backoffCapNanos = Math.max(heartbeatNanos, Math.min(MAX_BACKOFF.toNanos(), 10 * heartbeatNanos));
        this.backoffNanos = heartbeatNanos;
        this.events = new EventFeed(security, config.brokerPublicKey(), idle);
        this.connection = new BrokerConnection(security, config, idle, backoffCapNanos / 1_000_000L);
        idle.timeout(() -> Math.max(1, Math.min(MAX_POLL_MS, heartbeatNanos / 4_000_000L)));
        this.runner = new AgentRunner(this, idle);
    }

    static BrokerSession start(BrokerClientConfig config, CurveSecurity security) {
        // Refuse a bad broker key now, before any socket exists (the key rule needs no configured limits).
        Validators.defaults().publicKey(config.brokerPublicKey());
        BrokerSession session = new BrokerSession(config, security);
        session.runner.start();
        return session;
    }

    @Override
    public String roleName() {
        return "labhub-broker-client";
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

    /** Sends a request and completes the future with the ok reply, or exceptionally with the error. */
    CompletableFuture<ObjectNode> call(ObjectNode request, Duration timeout, boolean waitForSession) {
        CompletableFuture<ObjectNode> future = new CompletableFuture<>();
        if (!running) {
            future.completeExceptionally(new LabHubException(ErrorCode.BROKER_UNAVAILABLE, "the broker client is closed"));
            return future;
        }
        commands.add(new Command(request, future, System.nanoTime() + timeout.toNanos(), waitForSession));
        return future;
    }

    /** Sends a request whose answer nobody waits for (errors are logged). */
    void send(ObjectNode request) {
        commands.add(new Command(request, null, System.nanoTime() + config.requestTimeout().toNanos(), false));
    }

    /** Any thread: the socket thread looks at the remembered state now (one coalesced selector wake-up). */
    void wake() {
        idle.wake();
    }

    void close() {
        if (!running) {
            return;
        }
        running = false;
        runner.close();
        events.shutdown();
    }

    // ---------------------------------------------------------------- socket thread

    @Override
    public void onStart() {
        newDealer();
    }

    @Override
    public int doWork() {
        if (!running) {
            runner.stop();
            return 0;
        }
        long now = System.nanoTime();
        int work = drainCommands(now);
        tick(now);
        try {
            work += readReplies();
            work += events.read();
        } catch (ZMQException e) {
            if (running) {
                throw e;
            }
        }
        return work;
    }

    @Override
    public void onClose() {
        if (!runner.failed()) {
            // Send what API threads asked for just before close (e.g. unregister), then stop.
            drainCommands(System.nanoTime());
        }
        running = false;
        connected = false;
        message = "closed";
        LabHubException closed = new LabHubException(ErrorCode.BROKER_UNAVAILABLE, "the broker client is closed");
        failPending(closed);
        commands.failAll(closed);
        closeSockets(true);
    }

    private void tick(long now) {
        String refused = connection.takeRefusal();
        if (refused != null && !sessionOpen) {
            onHandshakeRefused(refused, now);
        }
        if (!sessionOpen) {
            if (nextRecreate != 0 && now - nextRecreate >= 0) {
                nextRecreate = 0;
                newDealer();
                helloId = null;
            } else if (nextRecreate == 0 && helloId == null && !connection.handshaken()
                    && now - connection.createdNanos() > config.requestTimeout().toNanos()) {
                // Not one hello could be sent on this DEALER: no connection completed its handshake
                // (a refusal the hook did not see, a broker that is down). Recreate it, with back-off.
                scheduleRecreate(now);
            }
            if (helloId != null && connection.drops() != helloDisconnects) {
                requests.forget(helloId); // its connection dropped: say it again on the next one
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
            if (connection.drops() != helloDisconnects) {
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
                long deadline = now + config.requestTimeout().toNanos();
                ledger.onHeartbeat(request -> sendTracked(request, null, deadline));
            }
            if (!events.open() && events.wanted() && eventsEndpoint != null) {
                events.subscribe(eventsEndpoint);
            }
        }
        expirePending(now);
    }

    /** The broker refused the CURVE handshake (our key is not allowed, or a wrong broker key). */
    private void onHandshakeRefused(String refused, long now) {
        String text = "refused by the broker at " + config.endpoint() + " (" + refused
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
        for (Pending p : requests.clear()) {
            if (Wire.HELLO.equals(p.type())) {
                continue;
            }
            if (p.future() != null && !p.future().isDone() && now - p.deadline() < 0) {
                p.request().remove(Wire.ID);
                commands.waitForSession(new Command(p.request(), p.future(), p.deadline(), true));
            } else if (p.future() == null) {
                ledger.requeueWithdrawal(p.request());
            }
        }
    }

    private void sendHello(long now) {
        ObjectNode hello = Wire.request(Wire.HELLO, null);
        String id = requests.nextId();
        hello.put(Wire.ID, id);
        hello.put(SESSION, session);
        int drops = connection.drops();
        if (connection.send(Wire.write(hello))) {
            hellosSent.incrementAndGet();
            helloDisconnects = drops;
            helloId = id;
            helloDeadline = now + config.requestTimeout().toNanos();
            requests.add(id, hello, null, helloDeadline);
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
        JsonNode endpointNode = reply.get(Wire.EVENTS_ENDPOINT);
        eventsEndpoint = endpointNode != null && endpointNode.isTextual()
                ? EventFeed.connectable(endpointNode.textValue(), config.endpoint()) : null;
        message = "connected to " + config.endpoint()
                + (ledger.offers.isEmpty() ? "" : ", " + ledger.offers.size() + " channel(s) registered");
        LOG.info("{} broker {} ({} offer(s), {} attachment(s) to restore)", wasReported ? "reconnected to" : "connected to",
                config.endpoint(), ledger.offers.size(), ledger.attachments.size());
        // Replay: what was withdrawn while away, then everything remembered.
        long deadline = now + config.requestTimeout().toNanos();
        ledger.replay(request -> sendTracked(request, null, deadline));
        if (events.wanted()) {
            events.subscribe(eventsEndpoint); // re-subscribe: the broker (and its PUB socket) may be a new one
        }
        for (Command command : commands.takeWaiting()) {
            sendCommand(command, now);
        }
    }

    /** @return how many commands were taken */
    private int drainCommands(long now) {
        int n = 0;
        Command command;
        while ((command = commands.poll()) != null) {
            n++;
            if (command.future() != null && command.future().isDone()) {
                continue; // cancelled by a caller who stopped waiting
            }
            if (!sessionOpen && command.waitForSession() && running) {
                commands.waitForSession(command);
            } else if (!sessionOpen) {
                if (command.future() != null) {
                    command.future().completeExceptionally(new LabHubException(ErrorCode.BROKER_UNAVAILABLE,
                            "no session with the broker at " + config.endpoint()));
                } else {
                    ledger.requeueWithdrawal(command.request());
                }
            } else {
                sendCommand(command, now);
            }
        }
        return n;
    }

    private void sendCommand(Command command, long now) {
        if (!sendTracked(command.request(), command.future(), command.deadline())) {
            if (command.future() != null) {
                command.future().completeExceptionally(new LabHubException(ErrorCode.BROKER_UNAVAILABLE,
                        "cannot send to the broker at " + config.endpoint()));
            } else {
                ledger.requeueWithdrawal(command.request());
            }
        }
    }

    private boolean sendTracked(ObjectNode request, CompletableFuture<ObjectNode> future, long deadline) {
        String id = requests.nextId();
        request.put(Wire.ID, id);
        if (!connection.send(Wire.write(request))) {
            return false;
        }
        requests.add(id, request, future, deadline);
        return true;
    }

    private void expirePending(long now) {
        for (Pending p : requests.expire(now)) {
            if (p.future() != null) {
                p.future().completeExceptionally(new ChannelTimeoutException(
                        "the broker did not answer the " + p.type() + " request in time"));
            }
        }
        commands.expireWaiting(now, () -> new LabHubException(ErrorCode.BROKER_UNAVAILABLE,
                "the broker at " + config.endpoint() + " is unavailable: " + message));
    }

    /** Reads what the broker sent (at most 1000 replies). @return replies read */
    private int readReplies() {
        long now = System.nanoTime();
        int i = 0;
        for (; i < 1000; i++) {
            byte[] frame = connection.receive();
            if (frame == null) {
                return i;
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
        return i;
    }

    private void onReply(ObjectNode reply, long now) {
        String id = reply.path(Wire.ID).asText(null);
        Pending p = requests.answered(id);
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
            ledger.accepted(p.type(), p.name());
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
                commands.waitForSession(new Command(p.request(), p.future(), p.deadline(), true));
            } else if (p.future() == null) {
                ledger.requeueWithdrawal(p.request());
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
        ledger.refused(p.type(), p.name(), code, text, reply);
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

    private void failPending(LabHubException e) {
        for (Pending p : requests.clear()) {
            if (p.future() != null) {
                p.future().completeExceptionally(e);
            }
        }
        helloId = null;
    }

    private void newDealer() {
        connection.recreate();
        helloDisconnects = 0;
    }

    private void closeSockets(boolean flush) {
        connection.close(flush); // flush: let a last unregister reach the broker
        events.closeSocket();
    }
}
