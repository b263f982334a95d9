package io.labhub.transport.zmq.internal;

import io.labhub.api.ChannelKind;
import io.labhub.api.ErrorCode;
import io.labhub.api.InvalidInputException;
import io.labhub.api.LabHubException;
import io.labhub.api.RequestHandler;
import io.labhub.api.RequestServer;
import io.labhub.api.ZmqOptions;
import io.labhub.api.spi.ChannelContext;
import io.labhub.security.CurveSecurity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
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
 * asleep, see {@link IoLoop#tryRun}), else hands it back to the I/O thread, which sends it. At most
 * {@code highWaterMark} requests are in the workers' hands: beyond that the I/O thread stops reading, so
 * ZeroMQ's own queues push back on the clients. A request that waited longer than its client's timeout
 * is not handled (nobody waits for the answer) and is counted in {@code timeouts}. A reply to a client
 * that is gone is dropped and counted in {@code dropped} ({@code ZMQ_ROUTER_MANDATORY} makes that visible).
 */
final class ZmqRequestServer extends ZmqChannel implements RequestServer {

    private static final Logger LOG = LoggerFactory.getLogger(ZmqRequestServer.class);
    private static final int BATCH = 256;

    private final RequestHandler handler;
    private final int highWaterMark;
    private final int maxMessageSize;
    private final ExecutorService workers;
    /** Owner of the loop's sockets only (loop thread or an {@link IoLoop#tryRun} task). */
    private int inFlight;
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
        router.setRcvHWM(highWaterMark);
        router.setMaxMsgSize(WireFormat.frameLimit(maxMessageSize));
        security.secureServer(router);
        try {
            router.bind(bindTo);
        } catch (ZMQException e) {
            throw new InvalidInputException("zmq.endpoint", Text.printable(bindTo),
                    "cannot bind the server of " + name() + " to " + bindTo + ": " + e.getMessage());
        }
        loop.watch(router, this::readAll, () -> inFlight < highWaterMark);
        return router.getLastEndpoint();
    }

    /** The endpoint announced to the broker. */
    String endpoint() {
        return endpoint;
    }

    private void readAll() {
        for (int i = 0; i < BATCH && inFlight < highWaterMark; i++) {
            byte[] routingId = router.recv(ZMQ.DONTWAIT);
            if (routingId == null) {
                return;
            }
            List<byte[]> frames = new ArrayList<>(2);
            while (router.hasReceiveMore()) {
                frames.add(router.recv(0));
            }
            accept(routingId, frames);
        }
    }

    private void accept(byte[] routingId, List<byte[]> frames) {
        WireFormat.Header h = frames.isEmpty() ? null : WireFormat.decode(frames.get(0));
        if (h == null) {
            counters.errors.increment();
            LOG.debug("{}: message without a LabHub header ignored", name());
            return;
        }
        if (h.version() != WireFormat.VERSION) {
            counters.errors.increment();
            reply(routingId, h.id(), ErrorCode.UNSUPPORTED_VERSION, "",
                    "wire version " + h.version() + " is not supported; this server speaks " + WireFormat.VERSION);
            return;
        }
        if (h.type() == WireFormat.PING) {
            send(routingId, WireFormat.encode(WireFormat.PONG, 0, h.id(), WireFormat.nowEpochNanos(), 0), new byte[0], false);
            return;
        }
        if (h.type() != WireFormat.REQUEST || frames.size() != 2) {
            counters.errors.increment();
            reply(routingId, h.id(), ErrorCode.INVALID_MESSAGE, "",
                    "expected a REQUEST header and one payload frame, got type " + h.type() + " and " + frames.size() + " frame(s)");
            return;
        }
        byte[] payload = frames.get(1);
        if (payload.length > maxMessageSize) {
            counters.errors.increment();
            reply(routingId, h.id(), ErrorCode.MESSAGE_TOO_LARGE, "", "request of " + payload.length
                    + " bytes exceeds the maximum of " + maxMessageSize + " bytes of reqrep channel " + name());
            return;
        }
        counters.received(payload.length);
        inFlight++;
        long arrived = System.nanoTime();
        try {
            workers.execute(() -> work(routingId, h, payload, arrived));
        } catch (RuntimeException rejected) {
            inFlight--;
            LOG.debug("{}: worker pool refused a request: {}", name(), rejected.toString());
        }
    }

    private void work(byte[] routingId, WireFormat.Header h, byte[] payload, long arrived) {
        long waitedMillis = (System.nanoTime() - arrived) / 1_000_000;
        if (h.timeoutMillis() > 0 && waitedMillis > h.timeoutMillis()) {
            counters.timeouts.increment();
            LOG.debug("{}: request #{} waited {} ms, longer than its client's {} ms; not handled", name(), h.id(),
                    waitedMillis, h.timeoutMillis());
            loop.execute(() -> inFlight--);
            return;
        }
        byte[] header;
        byte[] body;
        try {
            byte[] result = handler.handle(payload);
            body = result == null ? new byte[0] : result;
            long limit = h.param() > 0 ? Math.min(maxMessageSize, h.param()) : maxMessageSize;
            if (body.length > limit) {
                counters.errors.increment();
                header = WireFormat.encode(WireFormat.REPLY_ERROR, 0, h.id(), WireFormat.nowEpochNanos(), 0);
                body = WireFormat.errorBody(ErrorCode.MESSAGE_TOO_LARGE, "", "reply of " + body.length
                        + " bytes exceeds the maximum of " + limit + " bytes of reqrep channel " + name());
            } else {
                header = WireFormat.encode(WireFormat.REPLY_OK, 0, h.id(), WireFormat.nowEpochNanos(), 0);
            }
        } catch (Throwable t) {
            counters.errors.increment();
            ErrorCode code = t instanceof LabHubException le ? le.code() : ErrorCode.REMOTE_ERROR;
            LOG.debug("{}: handler failed on request #{}", name(), h.id(), t);
            header = WireFormat.encode(WireFormat.REPLY_ERROR, 0, h.id(), WireFormat.nowEpochNanos(), 0);
            body = WireFormat.errorBody(code, t.getClass().getName(), t.getMessage() == null ? t.toString() : t.getMessage());
            if (t instanceof VirtualMachineError vme) {
                sendFromWorker(routingId, header, body);
                throw vme;
            }
        }
        sendFromWorker(routingId, header, body);
    }

    /** Sends on the worker's thread when the socket is free (no hop to the I/O thread), else hands it over. */
    private void sendFromWorker(byte[] routingId, byte[] header, byte[] body) {
        if (loop.tryRun(() -> {
            boolean wasFull = inFlight >= highWaterMark;
            inFlight--;
            send(routingId, header, body);
            if (wasFull) {
                loop.wakeIfAsleepPast(System.nanoTime()); // reading was paused: the loop resumes it
            }
        })) {
            return;
        }
        loop.execute(() -> {
            inFlight--;
            send(routingId, header, body);
        });
    }

    private void reply(byte[] routingId, long id, ErrorCode code, String remoteType, String message) {
        send(routingId, WireFormat.encode(WireFormat.REPLY_ERROR, 0, id, WireFormat.nowEpochNanos(), 0),
                WireFormat.errorBody(code, remoteType, message));
    }

    private void send(byte[] routingId, byte[] header, byte[] body) {
        send(routingId, header, body, true);
    }

    private void send(byte[] routingId, byte[] header, byte[] body, boolean counted) {
        boolean sent;
        try {
            sent = router.send(routingId, ZMQ.SNDMORE | ZMQ.DONTWAIT)
                    && router.send(header, ZMQ.SNDMORE | ZMQ.DONTWAIT)
                    && router.send(body, ZMQ.DONTWAIT);
        } catch (ZMQException e) {
            // EHOSTUNREACH (ROUTER_MANDATORY): the client is gone
            sent = false;
        }
        if (!counted) {
            return;
        }
        if (sent) {
            counters.sent(body.length);
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
