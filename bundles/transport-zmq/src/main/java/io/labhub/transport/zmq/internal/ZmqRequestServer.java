package io.labhub.transport.zmq.internal;

import io.labhub.api.ChannelKind;
import io.labhub.api.ErrorCode;
import io.labhub.api.InvalidInputException;
import io.labhub.api.LabHubException;
import io.labhub.api.RequestHandler;
import io.labhub.api.RequestServer;
import io.labhub.api.ZmqOptions;
import io.labhub.api.spi.ChannelContext;
import io.labhub.api.text.SafeText;
import io.labhub.security.CurveSecurity;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * A ROUTER socket on its own I/O thread, and {@code workerThreads} threads that run the handler.
 *
 * <p>The I/O thread reads a request, hands it to a worker and goes on reading; the worker sends the
 * reply (or typed error) to the routing id it came from itself when the socket is free (the I/O thread
 * asleep, see {@link IoLoop#tryRun}), else hands it back to the I/O thread, which sends it.
 *
 * <p>Bounded: requests received and not yet answered are counted, in number and in payload bytes, for
 * the server and per client connection (routing id). A request beyond any of the four bounds
 * ({@link ZmqSettings#maxQueuedRequests()}, {@link ZmqSettings#maxQueuedBytes()} and their per-client
 * twins) is answered at once by the I/O thread with a {@code BUSY} error and never queued, so memory
 * held for requests stays under the byte bounds plus one message, and every request gets an answer.
 * (A request is admitted into an empty queue whatever its size, up to {@code maxMessageSize}.) The I/O
 * thread therefore always reads. A request that waited longer than its client's timeout is not handled
 * (nobody waits for the answer) and is counted in {@code timeouts}. A reply to a client that is gone is
 * dropped and counted in {@code dropped} ({@code ZMQ_ROUTER_MANDATORY} makes that visible).
 */
final class ZmqRequestServer extends ZmqChannel implements RequestServer {

    private static final Logger LOG = LoggerFactory.getLogger(ZmqRequestServer.class);
    private static final int BATCH = 256;
    private static final byte[] EMPTY = new byte[0];

    /** What one client connection has queued. Owner of the loop's sockets only. */
    private static final class Queued {
        int requests;
        long bytes;
    }

    private final RequestHandler handler;
    private final int highWaterMark;
    private final int maxMessageSize;
    private final int maxQueuedRequests;
    private final long maxQueuedBytes;
    private final int maxQueuedRequestsPerClient;
    private final long maxQueuedBytesPerClient;
    private final ExecutorService workers;
    // Owner of the loop's sockets only (loop thread or an IoLoop.tryRun task):
    private int queuedRequests;
    private long queuedBytes;
    private final Map<ByteBuffer, Queued> perClient = new HashMap<>();
    // Written by the owner, read by anyone (tests, diagnostics):
    private volatile long peakQueuedBytes;
    private volatile int peakQueuedRequests;
    private volatile long queuedBytesNow;
    private volatile int queuedRequestsNow;
    private ZMQ.Socket router;
    private final String endpoint;

    ZmqRequestServer(ChannelContext context, CurveSecurity security, ZmqSettings settings, RequestHandler handler,
                     ZmqOptions options) {
        super(context, security, settings, ChannelKind.REQREP, "server");
        if (handler == null) {
            abandon();
            throw new InvalidInputException("handler.null", "null", "a request server needs a handler");
        }
        this.handler = handler;
        this.highWaterMark = settings.hwm(options.highWaterMark());
        this.maxMessageSize = settings.maxMessage(options.maxMessageSize());
        this.maxQueuedRequests = settings.maxQueuedRequests();
        this.maxQueuedBytes = settings.maxQueuedBytes();
        this.maxQueuedRequestsPerClient = settings.maxQueuedRequestsPerClient();
        this.maxQueuedBytesPerClient = settings.maxQueuedBytesPerClient();
        int threads = Math.max(1, options.workerThreads());
        AtomicInteger n = new AtomicInteger();
        String prefix = "labhub-worker-" + context.name().value() + "-";
        this.workers = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        String bindTo = settings.bindEndpoint(options.endpoint());
        try {
            String bound = loop.call(() -> bind(bindTo), 10_000);
            this.endpoint = settings.advertise(bound);
            Map<String, String> metadata = new HashMap<>(options.metadata());
            metadata.put(Metadata.MAX_MESSAGE_SIZE, Integer.toString(maxMessageSize));
            metadata.put(Metadata.WIRE_VERSION, Integer.toString(WireFormat.VERSION));
            context.offer(endpoint, security.publicKey(), metadata);
        } catch (RuntimeException e) {
            workers.shutdownNow();
            abandon();
            throw e;
        }
        LOG.debug("server {} bound at {} with {} worker(s)", name(), endpoint, threads);
    }

    private String bind(String bindTo) {
        router = loop.socket(SocketType.ROUTER);
        router.setRouterMandatory(true);
        router.setSndHWM(highWaterMark);
        // No receive high-water mark: JeroMQ 0.6.0 garbles a CURVE connection whose receive queue reaches it
        // (upstream issue 1009; seen here as a raw CURVE MESSAGE command delivered as the 1000th request of a
        // burst). The bound is ours instead: this server always reads, answering BUSY beyond its queue
        // bounds, so ZeroMQ's queue holds only what arrived since the last read.
        router.setRcvHWM(0);
        router.setMaxMsgSize(WireFormat.frameLimit(maxMessageSize));
        security.secureServer(router);
        try {
            router.bind(bindTo);
        } catch (ZMQException e) {
            throw new InvalidInputException("zmq.endpoint", SafeText.display(bindTo),
                    "cannot bind the server of " + name() + " to " + bindTo + ": " + e.getMessage());
        }
        loop.watch(router, this::readAll, () -> true);
        return router.getLastEndpoint();
    }

    /** The endpoint announced to the broker. */
    String endpoint() {
        return endpoint;
    }

    /** Payload bytes of requests received and not yet answered, now and at most so far. */
    long queuedBytes() {
        return queuedBytesNow;
    }

    /** Requests received and not yet answered, now. */
    int queuedRequests() {
        return queuedRequestsNow;
    }

    long peakQueuedBytes() {
        return peakQueuedBytes;
    }

    int peakQueuedRequests() {
        return peakQueuedRequests;
    }

    private void readAll() {
        for (int i = 0; i < BATCH; i++) {
            byte[] routingId = router.recv(ZMQ.DONTWAIT);
            if (routingId == null) {
                return;
            }
            byte[] frame = null;
            int frames = 0;
            while (router.hasReceiveMore()) {
                byte[] part = router.recv(0);
                if (frame == null) {
                    frame = part;
                }
                frames++;
            }
            accept(routingId, frame, frames);
        }
    }

    private void accept(byte[] routingId, byte[] frame, int frames) {
        WireFormat.Header h = WireFormat.decode(frame);
        WireFormat.Check check = WireFormat.check(h, frame, frames);
        switch (check) {
            case NOT_A_HEADER -> {
                refused(check, h, frames);
                return; // no id to answer to
            }
            case VERSION_1, UNKNOWN_VERSION -> {
                refused(check, h, frames);
                reply(routingId, h.id(), ErrorCode.UNSUPPORTED_VERSION, "", "wire version " + h.version()
                        + " is not supported; this server speaks wire version " + WireFormat.VERSION
                        + " (one frame per message, docs/zmq-channels.md)");
                return;
            }
            case MALFORMED -> {
                refused(check, h, frames);
                reply(routingId, h.id(), ErrorCode.INVALID_MESSAGE, "", "expected one frame (header length "
                        + WireFormat.HEADER_LENGTH + " or more, then the payload), got " + frames
                        + " frame(s) with header length " + h.headerLength());
                return;
            }
            case OK -> {
            }
        }
        if (h.type() == WireFormat.PING) {
            send(routingId, WireFormat.encode(WireFormat.PONG, h.id()), false);
            return;
        }
        if (h.type() != WireFormat.REQUEST) {
            counters.errors.increment();
            reply(routingId, h.id(), ErrorCode.INVALID_MESSAGE, "", "expected a REQUEST (type 2), got type " + h.type());
            return;
        }
        int length = WireFormat.payloadLength(frame, h);
        if (length > maxMessageSize) {
            counters.errors.increment();
            reply(routingId, h.id(), ErrorCode.MESSAGE_TOO_LARGE, "", "request of " + length
                    + " bytes exceeds the maximum of " + maxMessageSize + " bytes of reqrep channel " + name());
            return;
        }
        ByteBuffer client = ByteBuffer.wrap(routingId);
        Queued mine = perClient.get(client);
        String busy = busy(mine, length);
        if (busy != null) {
            counters.busy.increment();
            reply(routingId, h.id(), ErrorCode.BUSY, "", busy);
            return;
        }
        if (mine == null) {
            mine = new Queued();
            perClient.put(client, mine);
        }
        mine.requests++;
        mine.bytes += length;
        queuedRequests++;
        queuedBytes += length;
        published();
        counters.received(length);
        byte[] payload = WireFormat.payload(frame, h); // the one copy: the handler gets its own array
        Queued q = mine;
        long arrived = System.nanoTime();
        try {
            workers.execute(() -> work(routingId, client, q, h, payload, length, arrived));
        } catch (RuntimeException rejected) {
            release(client, q, length);
            LOG.debug("{}: worker pool refused a request: {}", name(), rejected.toString());
        }
    }

    /** Why a request of {@code length} bytes cannot be queued now, or {@code null} when it can. */
    private String busy(Queued mine, int length) {
        int mineRequests = mine == null ? 0 : mine.requests;
        long mineBytes = mine == null ? 0 : mine.bytes;
        if (queuedRequests >= maxQueuedRequests) {
            return "server " + name() + " is busy: " + queuedRequests + " requests queued (maxQueuedRequests "
                    + maxQueuedRequests + ")";
        }
        if (queuedRequests > 0 && queuedBytes + length > maxQueuedBytes) {
            return "server " + name() + " is busy: " + queuedBytes + " bytes queued, " + length + " more would exceed "
                    + "maxQueuedBytes " + maxQueuedBytes;
        }
        if (mineRequests >= maxQueuedRequestsPerClient) {
            return "server " + name() + " is busy: this client has " + mineRequests + " requests queued "
                    + "(maxQueuedRequestsPerClient " + maxQueuedRequestsPerClient + ")";
        }
        if (mineRequests > 0 && mineBytes + length > maxQueuedBytesPerClient) {
            return "server " + name() + " is busy: this client has " + mineBytes + " bytes queued, " + length
                    + " more would exceed maxQueuedBytesPerClient " + maxQueuedBytesPerClient;
        }
        return null;
    }

    /** Owner: a queued request was answered (or dropped). */
    private void release(ByteBuffer client, Queued q, int length) {
        q.requests--;
        q.bytes -= length;
        queuedRequests--;
        queuedBytes -= length;
        if (q.requests == 0 && perClient.get(client) == q) {
            perClient.remove(client);
        }
        queuedBytesNow = queuedBytes;
        queuedRequestsNow = queuedRequests;
    }

    private void published() {
        queuedBytesNow = queuedBytes;
        queuedRequestsNow = queuedRequests;
        if (queuedBytes > peakQueuedBytes) {
            peakQueuedBytes = queuedBytes;
        }
        if (queuedRequests > peakQueuedRequests) {
            peakQueuedRequests = queuedRequests;
        }
    }

    private void work(byte[] routingId, ByteBuffer client, Queued q, WireFormat.Header h, byte[] payload, int length,
                      long arrived) {
        long waitedMillis = (System.nanoTime() - arrived) / 1_000_000;
        if (h.timeoutMillis() > 0 && waitedMillis > h.timeoutMillis()) {
            counters.timeouts.increment();
            LOG.debug("{}: request #{} waited {} ms, longer than its client's {} ms; not handled", name(), h.id(),
                    waitedMillis, h.timeoutMillis());
            if (!loop.tryRun(() -> release(client, q, length))) {
                loop.execute(() -> release(client, q, length));
            }
            return;
        }
        byte[] message;
        try {
            byte[] result = handler.handle(payload);
            byte[] body = result == null ? EMPTY : result;
            long limit = h.param() > 0 ? Math.min(maxMessageSize, h.param()) : maxMessageSize;
            if (body.length > limit) {
                counters.errors.increment();
                message = error(h.id(), ErrorCode.MESSAGE_TOO_LARGE, "", "reply of " + body.length
                        + " bytes exceeds the maximum of " + limit + " bytes of reqrep channel " + name());
            } else {
                message = WireFormat.encode(WireFormat.REPLY_OK, 0, h.id(), WireFormat.nowEpochNanos(), 0, body);
            }
        } catch (Throwable t) {
            counters.errors.increment();
            ErrorCode code = t instanceof LabHubException le ? le.code() : ErrorCode.REMOTE_ERROR;
            LOG.debug("{}: handler failed on request #{}", name(), h.id(), t);
            message = error(h.id(), code, t.getClass().getName(), t.getMessage() == null ? t.toString() : t.getMessage());
            if (t instanceof VirtualMachineError vme) {
                sendFromWorker(routingId, client, q, length, message);
                throw vme;
            }
        }
        sendFromWorker(routingId, client, q, length, message);
    }

    /** Sends on the worker's thread when the socket is free (no hop to the I/O thread), else hands it over. */
    private void sendFromWorker(byte[] routingId, ByteBuffer client, Queued q, int length, byte[] message) {
        Runnable answer = () -> {
            release(client, q, length);
            send(routingId, message, true);
        };
        if (!loop.tryRun(answer)) {
            loop.execute(answer);
        }
    }

    private static byte[] error(long id, ErrorCode code, String remoteType, String message) {
        return WireFormat.encode(WireFormat.REPLY_ERROR, 0, id, WireFormat.nowEpochNanos(), 0,
                WireFormat.errorBody(code, remoteType, message));
    }

    private void reply(byte[] routingId, long id, ErrorCode code, String remoteType, String message) {
        send(routingId, error(id, code, remoteType, message), true);
    }

    private void send(byte[] routingId, byte[] message, boolean counted) {
        boolean sent;
        try {
            sent = router.send(routingId, ZMQ.SNDMORE | ZMQ.DONTWAIT) && router.send(message, ZMQ.DONTWAIT);
        } catch (ZMQException e) {
            // EHOSTUNREACH (ROUTER_MANDATORY): the client is gone
            sent = false;
        }
        if (!counted) {
            return;
        }
        if (sent) {
            counters.sent(message.length - WireFormat.HEADER_LENGTH);
        } else {
            counters.dropped.increment();
            LOG.debug("{}: reply dropped, its client is gone or not reading", name());
        }
    }

    @Override
    protected void afterStop() {
        workers.shutdownNow();
    }
}
