package io.labhub.broker.internal;

import io.labhub.api.ChannelInfo;
import io.labhub.api.ErrorCode;
import io.labhub.api.LabHubException;
import io.labhub.api.spi.ChannelEvent;
import io.labhub.api.text.SafeText;
import io.labhub.broker.BrokerClientInfo;
import io.labhub.broker.BrokerConfig;
import io.labhub.broker.BrokerStatus;
import io.labhub.broker.protocol.Wire;
import io.labhub.agent.Agent;
import io.labhub.agent.AgentRunner;
import io.labhub.agent.SocketIdleStrategy;
import io.labhub.security.CurveSecurity;
import io.labhub.validation.Validator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;
import zmq.ZError;
import zmq.Msg;
import zmq.io.Metadata;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * The broker's socket thread: one ROUTER for requests, one PUB for events, both CURVE servers in the
 * security service's context (so its ZAP handler authenticates every peer). Everything the sockets and
 * the {@link Registry} touch stays on this thread; other threads read immutable snapshots.
 *
 * <p>Client identity: the {@code User-Id} property ZAP attached to the connection, which the LabHub
 * ZAP handler sets to the client's CURVE public key in Z85 (the CZMQ/JeroMQ {@code zauth} convention).
 * This reads {@link Msg#getMetadata()}, the one place where the {@code zmq} package is needed, because
 * {@code org.zeromq} does not expose message properties.
 *
 * <p>The thread is an {@link AgentRunner}: each {@link #doWork()} reads a bounded batch, handles it,
 * expires liveness and publishes events; with nothing read it idles in the ROUTER's selector for at most
 * a quarter of the heartbeat interval (100 ms at most), which bounds how late expiry and close are.
 */
public final class BrokerLoop implements Agent {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerLoop.class);

    /** Messages above this many times the maximum size make ZeroMQ drop the connection unread. */
    static final int HARD_LIMIT_FACTOR = 16;
    /** Longest a loop iteration waits for a message: bounds how late liveness expiry and close() are. */
    private static final long MAX_POLL_MS = 100;
    private static final int MAX_FRAMES = 16;
    /** Most messages read (and then handled) in one loop iteration. */
    private static final int READ_BATCH = 1024;
    /** How long a bind is retried while its address is still in use (see {@link #bind}). */
    private static final long BIND_RETRY_MS = 1000;

    private final BrokerConfig config;
    private final CurveSecurity security;
    private final Validator validator;
    private final Clock clock = Clock.systemUTC();
    private final CompletableFuture<Void> bound = new CompletableFuture<>();
    private final SocketIdleStrategy idle;
    private final AgentRunner runner;
    private final Instant started = Instant.now();

    private volatile boolean running = true;
    private volatile String endpoint;
    private volatile String eventsEndpoint;
    private volatile Registry registry;
    private volatile BrokerStatus status;
    private volatile Duration stall;
    private volatile boolean stalling;
    private long eventSequence;
    private boolean warnedNoUserId;

    // agent-thread state, from onStart to onClose
    private ZContext context;
    private ZMQ.Socket router;
    private ZMQ.Socket pub;
    private Dispatcher dispatcher;
    private LoopClock loopClock;
    private final List<Received> batch = new ArrayList<>();
    private final Map<String, Integer> inFlight = new HashMap<>();

    private BrokerLoop(BrokerConfig config, CurveSecurity security, Validator validator) {
        this.config = config;
        this.security = security;
        this.validator = validator;
        this.idle = new SocketIdleStrategy(pollMillis(config));
        this.runner = new AgentRunner(this, idle);
    }

    private static long pollMillis(BrokerConfig config) {
        return Math.max(1, Math.min(MAX_POLL_MS, config.heartbeatInterval().toMillis() / 4));
    }

    @Override
    public String roleName() {
        return "labhub-broker";
    }

    /**
     * @throws io.labhub.api.InvalidInputException {@code zmq.endpoint} when an endpoint is not one to bind
     *         (the Validator's rule), before any thread or socket exists
     */
    public static BrokerLoop start(BrokerConfig config, CurveSecurity security, Validator validator) {
        validator.bindEndpoint(config.endpoint());
        validator.bindEndpoint(config.eventsEndpoint());
        BrokerLoop loop = new BrokerLoop(config, security, validator);
        loop.runner.start();
        try {
            loop.bound.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            loop.close();
            Throwable cause = e.getCause();
            if (cause instanceof LabHubException lhe) {
                throw lhe;
            }
            throw new LabHubException(ErrorCode.INTERNAL, "the broker did not start: " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            loop.close();
            throw new LabHubException(ErrorCode.INTERNAL, "interrupted while the broker was starting", e);
        } catch (TimeoutException e) {
            loop.close();
            throw new LabHubException(ErrorCode.INTERNAL, "the broker did not bind within 30 s", e);
        }
        return loop;
    }

    public String endpoint() {
        return endpoint;
    }

    public String eventsEndpoint() {
        return eventsEndpoint;
    }

    public String publicKey() {
        return security.publicKey();
    }

    public List<ChannelInfo> channels() {
        Registry r = registry;
        return r == null ? List.of() : r.snapshot();
    }

    public List<BrokerClientInfo> clients() {
        Registry r = registry;
        return r == null ? List.of() : r.clients();
    }

    public BrokerStatus status() {
        BrokerStatus s = status;
        if (s == null || s.running() != running) {
            s = new BrokerStatus(running && runner.isRunning(), endpoint, eventsEndpoint, publicKey(), started,
                    s == null ? 0 : s.channels(), s == null ? 0 : s.liveClients(), s == null ? 0 : s.requests(),
                    s == null ? 0 : s.refused(), s == null ? 0 : s.events());
        }
        return s;
    }

    public void close() {
        running = false;
        runner.close();
    }

    /**
     * Test hook: the next loop iteration stalls this long after reading its messages, as a slow handler
     * would (a stall of the loop itself, not of any client). For tests of the liveness rule only.
     */
    public void stallOnceForTest(Duration stall) {
        this.stall = stall;
    }

    /** Test hook: whether the loop is inside a stall asked for by {@link #stallOnceForTest}. */
    public boolean stallingForTest() {
        return stalling;
    }

    @Override
    public void onStart() {
        context = security.context();
        try {
            router = context.createSocket(SocketType.ROUTER);
            router.setLinger(0);
            router.setMaxMsgSize((long) config.maxMessageSize() * HARD_LIMIT_FACTOR);
            security.secureServer(router);
            pub = context.createSocket(SocketType.PUB);
            pub.setLinger(0);
            security.secureServer(pub);
            endpoint = bind(router, config.endpoint(), "request");
            eventsEndpoint = bind(pub, config.eventsEndpoint(), "events");
            idle.watch(router);
        } catch (RuntimeException e) {
            closeSockets();
            running = false;
            runner.stop(); // no doWork; start() rethrows the cause
            bound.completeExceptionally(e);
            return;
        }
        registry = new Registry(config.heartbeatInterval(), config.missedBeats(), Registry.Limits.of(config));
        dispatcher = new Dispatcher(registry, validator, config.maxMessageSize(),
                new Dispatcher.SessionInfo(security.publicKey(), eventsEndpoint,
                        config.heartbeatInterval().toMillis(), config.missedBeats(), config.maxMessageSize()));
        publishStatus(dispatcher);
        LOG.info("broker listening on {} (events on {}), heartbeat {} ms x {} beats, quotas per key: {} channels, "
                        + "{} metadata bytes, {} in flight; names of a lost producer reserved {} ms; key {}", endpoint,
                eventsEndpoint, config.heartbeatInterval().toMillis(), config.missedBeats(), config.maxChannelsPerKey(),
                config.maxMetadataBytesPerKey(), config.maxInFlightPerKey(), config.reservationGrace().toMillis(),
                security.publicKey());
        loopClock = new LoopClock(clock.instant(), TimeUnit.MILLISECONDS.toNanos(pollMillis(config))
                + Math.max(TimeUnit.MILLISECONDS.toNanos(50), config.heartbeatInterval().toNanos() / 2));
        bound.complete(null);
    }

    @Override
    public int doWork() {
        if (!running) {
            runner.stop();
            return 0;
        }
        try {
            return pass();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the runner stops
            return 0;
        } catch (ZMQException e) {
            if (running) {
                throw e;
            }
            return 0;
        }
    }

    /** One pass: read a bounded batch, handle it, expire, publish events, send the replies. */
    private int pass() throws InterruptedException {
        loopClock.tick();
        batch.clear();
        inFlight.clear();
        // Read what is there (bounded), then handle it: a key's messages beyond its in-flight
        // quota are refused unhandled, so no key can make one pass long for everyone.
        for (int i = 0; i < READ_BATCH; i++) {
            Received r = receiveOne(router);
            if (r == null) {
                break;
            }
            batch.add(r);
        }
        Duration stalled = stall;
        if (stalled != null) {
            stall = null;
            LOG.warn("test hook: stalling the broker loop for {} ms", stalled.toMillis());
            stalling = true;
            try {
                Thread.sleep(stalled.toMillis()); // the stall under test, not a synchronisation
            } finally {
                stalling = false;
            }
        }
        List<Dispatcher.Reply> replies = new ArrayList<>(batch.size());
        int limit = config.maxInFlightPerKey();
        for (Received r : batch) {
            int n = inFlight.merge(r.client(), 1, Integer::sum);
            Dispatcher.Reply reply = n > limit ? dispatcher.refuseInFlight(r.client(), r.frames(), limit)
                    : dispatcher.handle(r.client(), r.frames(), loopClock.tick());
            if (reply != null) {
                replies.add(reply);
            }
        }
        registry.expire(loopClock.tick());
        publishStatus(dispatcher);
        int events = 0;
        for (Registry.Event event : registry.drain()) {
            publish(pub, event);
            events++;
        }
        for (Dispatcher.Reply reply : replies) {
            send(router, reply);
        }
        return batch.size() + events;
    }

    @Override
    public void onClose() {
        running = false;
        if (dispatcher == null) {
            return; // never bound: onStart closed the sockets
        }
        closeSockets();
        publishStatus(dispatcher);
        LOG.info("broker on {} stopped", endpoint);
    }

    private void closeSockets() {
        if (router != null) {
            idle.unwatch(router);
        }
        close(context, router, pub);
        router = null;
        pub = null;
    }

    /**
     * The clock liveness is judged by: wall time, except that one step of the loop counts for at most
     * {@code maxStepNanos}. When the loop itself was late (a stall, a long iteration), the clients it
     * could not read meanwhile are not blamed for it: their silence is measured in the loop's own
     * progress, and their queued heartbeats are read before anyone is declared lost.
     */
    static final class LoopClock {
        private final Instant base;
        private final long maxStepNanos;
        private long lastReal = System.nanoTime();
        private long elapsed;

        LoopClock(Instant base, long maxStepNanos) {
            this.base = base;
            this.maxStepNanos = maxStepNanos;
        }

        Instant tick() {
            long real = System.nanoTime();
            long step = real - lastReal;
            lastReal = real;
            elapsed += Math.max(0, Math.min(step, maxStepNanos));
            return base.plusNanos(elapsed);
        }
    }

    /** One message as read: the client key (ZAP User-Id) and its frames, routing id first. */
    private record Received(String client, List<byte[]> frames) {
    }

    /** Reads one whole message (all its frames), or returns {@code null} when none is waiting. */
    private Received receiveOne(ZMQ.Socket router) {
        Msg first = router.recvMsg(ZMQ.DONTWAIT);
        if (first == null) {
            return null;
        }
        List<byte[]> frames = new ArrayList<>();
        frames.add(first.data());
        String userId = userId(first);
        Msg msg = first;
        int dropped = 0;
        while (msg.hasMore()) {
            msg = router.recvMsg(0);
            if (msg == null) {
                break;
            }
            if (userId == null) {
                userId = userId(msg);
            }
            if (frames.size() < MAX_FRAMES) {
                frames.add(msg.data() == null ? new byte[0] : msg.data());
            } else {
                dropped++;
            }
        }
        if (dropped > 0) {
            frames.add(new byte[0]); // still more than one body frame: refused as multi-frame
        }
        String client = userId;
        if (client == null || client.isEmpty()) {
            if (!warnedNoUserId) {
                warnedNoUserId = true;
                LOG.warn("ZAP reported no User-Id for a client: identifying clients by connection instead "
                        + "(check that the ZAP handler sets User-Id to the client key)");
            }
            client = "peer:" + HexFormat.of().formatHex(frames.get(0));
        }
        return new Received(client, frames);
    }

    private static String userId(Msg msg) {
        Metadata metadata = msg.getMetadata();
        return metadata == null ? null : metadata.get(Metadata.USER_ID);
    }

    private void send(ZMQ.Socket router, Dispatcher.Reply reply) {
        for (byte[] frame : reply.envelope()) {
            if (!router.send(frame, ZMQ.SNDMORE | ZMQ.DONTWAIT)) {
                return; // the peer is gone (ROUTER drops silently): nothing to do
            }
        }
        router.send(reply.body(), ZMQ.DONTWAIT);
    }

    private void publish(ZMQ.Socket pub, Registry.Event brokerEvent) {
        ChannelEvent event = brokerEvent.event();
        long sequence = ++eventSequence;
        pub.send(Wire.topic(event).getBytes(StandardCharsets.UTF_8), ZMQ.SNDMORE | ZMQ.DONTWAIT);
        pub.send(Wire.write(Wire.event(sequence, event, brokerEvent.previousProducer())), ZMQ.DONTWAIT);
        if (brokerEvent.previousProducer() != null) {
            LOG.warn("event {} {} (producer {}, previously {}: the producer key changed)", Wire.eventType(event.type()),
                    event.info().name(), SafeText.keyPrefix(event.info().producer()),
                    SafeText.keyPrefix(brokerEvent.previousProducer()));
        } else {
            LOG.info("event {} {} (producer {})", Wire.eventType(event.type()), event.info().name(),
                    SafeText.keyPrefix(event.info().producer()));
        }
    }

    /** Counters only: O(1). The channel and client lists are read from the registry by the caller's thread. */
    private void publishStatus(Dispatcher dispatcher) {
        Registry r = registry;
        status = new BrokerStatus(running, endpoint, eventsEndpoint, security.publicKey(), started,
                r == null ? 0 : r.size(), r == null ? 0 : r.liveClients(), dispatcher.okCount(),
                dispatcher.refusedCount(), eventSequence);
    }

    /**
     * Binds, retrying for up to {@value #BIND_RETRY_MS} ms while the address is in use: ZeroMQ closes a
     * socket's listener on its I/O thread after {@code close()} returned, so a broker restarted at once on
     * the same port (in the same process) can find the previous listener still open for a moment.
     */
    private static String bind(ZMQ.Socket socket, String endpoint, String what) {
        String address = endpoint.endsWith(":0") ? endpoint.substring(0, endpoint.length() - 1) + "*" : endpoint;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BIND_RETRY_MS);
        while (true) {
            try {
                socket.bind(address);
                break;
            } catch (ZMQException e) {
                if (e.getErrorCode() != ZError.EADDRINUSE || System.nanoTime() - deadline > 0) {
                    throw new LabHubException(ErrorCode.INTERNAL, "cannot bind the broker " + what + " endpoint "
                            + endpoint + ": " + e.getMessage(), e);
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // the retry interval of the bind
            }
        }
        String last = socket.getLastEndpoint();
        return last == null ? endpoint : last;
    }

    private static void close(ZContext context, ZMQ.Socket... sockets) {
        for (ZMQ.Socket socket : sockets) {
            if (socket != null) {
                try {
                    context.destroySocket(socket);
                } catch (RuntimeException e) {
                    LOG.debug("closing a broker socket", e);
                }
            }
        }
    }
}
