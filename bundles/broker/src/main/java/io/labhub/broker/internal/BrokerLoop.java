package io.labhub.broker.internal;

import io.labhub.api.ChannelInfo;
import io.labhub.api.ErrorCode;
import io.labhub.api.LabHubException;
import io.labhub.api.spi.ChannelEvent;
import io.labhub.broker.BrokerClientInfo;
import io.labhub.broker.BrokerConfig;
import io.labhub.broker.BrokerStatus;
import io.labhub.security.CurveSecurity;
import io.labhub.validation.Validator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;
import zmq.Msg;
import zmq.io.Metadata;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The broker's socket thread: one ROUTER for requests, one PUB for events, both CURVE servers in the
 * security service's context (so its ZAP handler authenticates every peer). Everything the sockets and
 * the {@link Registry} touch stays on this thread; other threads read immutable snapshots.
 *
 * <p>Client identity: the {@code User-Id} property ZAP attached to the connection, which the LabHub
 * ZAP handler sets to the client's CURVE public key in Z85 (the CZMQ/JeroMQ {@code zauth} convention).
 * This reads {@link Msg#getMetadata()}, the one place where the {@code zmq} package is needed, because
 * {@code org.zeromq} does not expose message properties.
 */
public final class BrokerLoop implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerLoop.class);

    /** Messages above this many times the maximum size make ZeroMQ drop the connection unread. */
    static final int HARD_LIMIT_FACTOR = 16;
    /** Longest a loop iteration waits for a message: bounds how late liveness expiry and close() are. */
    private static final long MAX_POLL_MS = 100;
    private static final int MAX_FRAMES = 16;
    private static final int BATCH = 256;

    private final BrokerConfig config;
    private final CurveSecurity security;
    private final Validator validator;
    private final Clock clock = Clock.systemUTC();
    private final Wire wire = new Wire();
    private final CompletableFuture<Void> bound = new CompletableFuture<>();
    private final Thread thread;
    private final Instant started = Instant.now();

    private volatile boolean running = true;
    private volatile String endpoint;
    private volatile String eventsEndpoint;
    private volatile List<ChannelInfo> channels = List.of();
    private volatile List<BrokerClientInfo> clients = List.of();
    private volatile BrokerStatus status;
    private long eventSequence;
    private boolean warnedNoUserId;

    private BrokerLoop(BrokerConfig config, CurveSecurity security, Validator validator) {
        this.config = config;
        this.security = security;
        this.validator = validator;
        this.thread = new Thread(this, "labhub-broker");
        this.thread.setDaemon(true);
    }

    public static BrokerLoop start(BrokerConfig config, CurveSecurity security, Validator validator) {
        BrokerLoop loop = new BrokerLoop(config, security, validator);
        loop.thread.start();
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
        return channels;
    }

    public List<BrokerClientInfo> clients() {
        return clients;
    }

    public BrokerStatus status() {
        BrokerStatus s = status;
        if (s == null || s.running() != running) {
            s = new BrokerStatus(running && thread.isAlive(), endpoint, eventsEndpoint, publicKey(), started,
                    s == null ? 0 : s.channels(), s == null ? 0 : s.liveClients(), s == null ? 0 : s.requests(),
                    s == null ? 0 : s.refused(), s == null ? 0 : s.events());
        }
        return s;
    }

    public void close() {
        running = false;
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
    }

    @Override
    public void run() {
        ZContext context = security.context();
        ZMQ.Socket router = null;
        ZMQ.Socket pub = null;
        ZMQ.Poller poller = null;
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
            poller = context.createPoller(1);
            poller.register(router, ZMQ.Poller.POLLIN);
        } catch (RuntimeException e) {
            close(context, router, pub, poller);
            bound.completeExceptionally(e);
            return;
        }
        Registry registry = new Registry(config.heartbeatInterval(), config.missedBeats());
        Dispatcher dispatcher = new Dispatcher(registry, validator, wire, config.maxMessageSize(),
                new Dispatcher.SessionInfo(security.publicKey(), eventsEndpoint,
                        config.heartbeatInterval().toMillis(), config.missedBeats(), config.maxMessageSize()));
        publishSnapshot(registry, dispatcher);
        LOG.info("broker listening on {} (events on {}), heartbeat {} ms x {} beats, key {}", endpoint,
                eventsEndpoint, config.heartbeatInterval().toMillis(), config.missedBeats(), security.publicKey());
        bound.complete(null);

        long pollMs = Math.max(1, Math.min(MAX_POLL_MS, config.heartbeatInterval().toMillis() / 4));
        try {
            while (running && !Thread.currentThread().isInterrupted()) {
                int ready = poller.poll(pollMs);
                List<Dispatcher.Reply> replies = new ArrayList<>();
                if (ready > 0 && poller.pollin(0)) {
                    for (int i = 0; i < BATCH; i++) {
                        Dispatcher.Reply reply = receiveOne(router, dispatcher);
                        if (reply == RECEIVED_NOTHING) {
                            break;
                        }
                        if (reply != null) {
                            replies.add(reply);
                        }
                    }
                }
                registry.expire(clock.instant());
                // Snapshot before replying, so a caller that got its reply sees its change in channels().
                publishSnapshot(registry, dispatcher);
                for (ChannelEvent event : registry.drainEvents()) {
                    publish(pub, event);
                }
                for (Dispatcher.Reply reply : replies) {
                    send(router, reply);
                }
            }
        } catch (ZMQException e) {
            if (running) {
                LOG.error("broker socket loop failed", e);
            }
        } catch (RuntimeException | Error e) {
            LOG.error("broker socket loop failed", e);
        } finally {
            running = false;
            close(context, router, pub, poller);
            publishSnapshot(registry, dispatcher);
            LOG.info("broker on {} stopped", endpoint);
        }
    }

    private static final Dispatcher.Reply RECEIVED_NOTHING = new Dispatcher.Reply(List.of(), new byte[0]);

    /** Reads one whole message (all its frames) and hands it to the dispatcher. */
    private Dispatcher.Reply receiveOne(ZMQ.Socket router, Dispatcher dispatcher) {
        Msg first = router.recvMsg(ZMQ.DONTWAIT);
        if (first == null) {
            return RECEIVED_NOTHING;
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
        return dispatcher.handle(client, frames, clock.instant());
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

    private void publish(ZMQ.Socket pub, ChannelEvent event) {
        long sequence = ++eventSequence;
        pub.send(Wire.topic(event).getBytes(StandardCharsets.UTF_8), ZMQ.SNDMORE | ZMQ.DONTWAIT);
        pub.send(wire.write(wire.event(sequence, event)), ZMQ.DONTWAIT);
        LOG.info("event {} {} (producer {})", Wire.eventType(event.type()), event.info().name(),
                Registry.abbreviate(event.info().producer()));
    }

    private void publishSnapshot(Registry registry, Dispatcher dispatcher) {
        List<ChannelInfo> list = List.copyOf(registry.list());
        List<BrokerClientInfo> clientList = List.copyOf(registry.clients());
        channels = list;
        clients = clientList;
        int live = (int) clientList.stream().filter(BrokerClientInfo::alive).count();
        status = new BrokerStatus(running, endpoint, eventsEndpoint, security.publicKey(), started, list.size(),
                live, dispatcher.okCount(), dispatcher.refusedCount(), eventSequence);
    }

    private static String bind(ZMQ.Socket socket, String endpoint, String what) {
        String address = endpoint.endsWith(":0") ? endpoint.substring(0, endpoint.length() - 1) + "*" : endpoint;
        try {
            socket.bind(address);
        } catch (ZMQException e) {
            throw new LabHubException(ErrorCode.INTERNAL, "cannot bind the broker " + what + " endpoint "
                    + endpoint + ": " + e.getMessage(), e);
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

    private static void close(ZContext context, ZMQ.Socket router, ZMQ.Socket pub, ZMQ.Poller poller) {
        if (poller != null) {
            poller.close();
        }
        close(context, router, pub);
    }
}
