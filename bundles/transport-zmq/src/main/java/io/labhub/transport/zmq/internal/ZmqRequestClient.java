package io.labhub.transport.zmq.internal;

import io.labhub.api.ChannelClosedException;
import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelTimeoutException;
import io.labhub.api.ConsumerOptions;
import io.labhub.api.ErrorCode;
import io.labhub.api.InvalidInputException;
import io.labhub.api.LabHubException;
import io.labhub.api.MessageTooLargeException;
import io.labhub.api.RequestClient;
import io.labhub.api.spi.ChannelContext;
import io.labhub.security.CurveSecurity;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * A DEALER socket on its own I/O thread; every request carries an id that its reply echoes, so replies
 * find their callers in any order and a lost reply costs one timeout, never a wedged socket (the fault
 * of lock-step REQ).
 *
 * <p>Requests enter the socket only while the client is <em>ready</em>: after a {@code PONG} answered one
 * of its {@code PING}s on the current connection, which proves the CURVE handshake and the ZAP check are
 * done. Until then (and again after the socket reports a disconnect) requests wait here, and the client
 * pings every {@value #PING_MILLIS} ms. Why: a request handed to ZeroMQ while its connection is still
 * handshaking is lost with that connection if the handshake stalls and ZeroMQ reconnects (seen with
 * JeroMQ 0.6.0 under load); and a queue that survives reconnects would deliver requests to a restarted
 * server long after their callers gave up. A request that was sent and whose connection then broke ends
 * in a timeout; it is never sent twice. A reply whose request is unknown (timed out already) is dropped
 * and counted in {@code dropped}.
 *
 * <p>{@code requestAsync} futures complete on the channel's I/O thread: dependent actions must not
 * block (use the {@code *Async} variants for slow work).
 */
final class ZmqRequestClient extends ZmqConsumerChannel implements RequestClient {

    private static final Logger LOG = LoggerFactory.getLogger(ZmqRequestClient.class);
    private static final int BATCH = 1024;
    /** How often a client that is not ready pings its server, in milliseconds. */
    static final long PING_MILLIS = 100;
    /** Guard on top of a request's own deadline, in case the I/O thread itself is gone. */
    private static final long GUARD_MILLIS = 5000;

    private final int highWaterMark;
    private final int maxMessageSize;
    private final AtomicLong ids = new AtomicLong();
    private final int maxInFlight;
    private final long maxInFlightBytes;
    /** Requests (and their payload bytes) not yet answered: reserved by the caller, released on completion. */
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong inFlightBytes = new AtomicLong();
    private volatile int requestLimit;
    // Owner of the loop's sockets only (loop thread or an IoLoop.tryRun task):
    private final PendingRequests pending = new PendingRequests();
    private boolean ready;
    private long nextPingNanos;
    private long pings;

    ZmqRequestClient(ChannelContext context, CurveSecurity security, ZmqSettings settings, ConsumerOptions options) {
        super(context, security, settings, ChannelKind.REQREP, "client");
        this.highWaterMark = settings.hwm(options.highWaterMark());
        this.maxMessageSize = settings.maxMessage(options.maxMessageSize());
        this.requestLimit = maxMessageSize;
        this.maxInFlight = settings.maxInFlight();
        this.maxInFlightBytes = settings.maxInFlightBytes();
        loop.call(() -> {
            loop.timer(this::pollTimeout, this::tick);
            return null;
        }, 10_000);
        connect(options);
        LOG.debug("client {} connected to {}", name(), target().endpoint());
    }

    @Override
    protected ZMQ.Socket open(ChannelInfo info) {
        ZMQ.Socket dealer = securedSocket(SocketType.DEALER, info.serverKey());
        // JeroMQ's flag is the inverse of libzmq's ZMQ_IMMEDIATE: false here means "attach a pipe only
        // once a connection exists", so nothing queues inside ZeroMQ while the server is down.
        dealer.setImmediate(false);
        dealer.setSndHWM(highWaterMark);
        // No receive high-water mark (JeroMQ 0.6.0 issue 1009, see ZmqRequestServer): replies are read as they
        // come, and they answer at most maxInFlight requests.
        dealer.setRcvHWM(0);
        dealer.setMaxMsgSize(WireFormat.frameLimit(maxMessageSize));
        monitor(dealer, ZMQ.EVENT_DISCONNECTED);
        dealer.connect(info.endpoint());
        loop.watch(dealer, () -> readBatch(dealer), () -> true);
        requestLimit = Math.min(maxMessageSize, Metadata.maxMessageSize(info.metadata(), maxMessageSize));
        notReady();
        return dealer;
    }

    @Override
    public byte[] request(byte[] payload, Duration timeout) {
        CompletableFuture<byte[]> reply = requestAsync(payload, timeout);
        try {
            return reply.get(timeout.toMillis() + GUARD_MILLIS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof LabHubException le) {
                throw le;
            }
            throw new LabHubException(ErrorCode.INTERNAL, "request on " + name() + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            counters.timeouts.increment();
            throw new ChannelTimeoutException("no reply on channel " + name() + " within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChannelTimeoutException("interrupted while waiting for a reply on channel " + name());
        }
    }

    @Override
    public CompletableFuture<byte[]> requestAsync(byte[] payload, Duration timeout) {
        if (payload == null) {
            throw new InvalidInputException("payload.null", "null", "payload must not be null (send an empty array instead)");
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new InvalidInputException("timeout.positive", String.valueOf(timeout), "a request timeout must be positive");
        }
        if (!isOpen()) {
            return CompletableFuture.failedFuture(new ChannelClosedException("channel " + name() + " is closed"));
        }
        int limit = requestLimit;
        if (payload.length > limit) {
            counters.errors.increment();
            return CompletableFuture.failedFuture(new MessageTooLargeException("request of " + payload.length
                    + " bytes exceeds the maximum of " + limit + " bytes of reqrep channel " + name()
                    + (limit < maxMessageSize ? " (the server's limit)" : "")));
        }
        int length = payload.length;
        int n = inFlight.incrementAndGet();
        long bytes = inFlightBytes.addAndGet(length);
        if (n > maxInFlight || (n > 1 && bytes > maxInFlightBytes)) {
            inFlight.decrementAndGet();
            inFlightBytes.addAndGet(-length);
            counters.busy.increment();
            return CompletableFuture.failedFuture(LabHubException.of(ErrorCode.BUSY, "client of " + name() + " is busy: "
                    + (n > maxInFlight ? (n - 1) + " requests unanswered (maxInFlight " + maxInFlight + ")"
                            : (bytes - length) + " bytes unanswered, " + length + " more would exceed maxInFlightBytes "
                                    + maxInFlightBytes)));
        }
        long id = ids.incrementAndGet();
        long timeoutMillis = Math.max(1, timeout.toMillis());
        // The one copy of the payload: into the request's frame (wire format 2), which ZeroMQ sends as is.
        byte[] frame = WireFormat.encode(WireFormat.REQUEST, timeoutMillis, id, WireFormat.nowEpochNanos(), maxMessageSize,
                payload);
        // The capacity is given back before the caller sees the outcome (so a caller that waits for one
        // request and sends the next is never refused for the one it has finished waiting for).
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        CompletableFuture<byte[]> future = new CompletableFuture<>();
        future.whenComplete((r, t) -> {
            inFlight.decrementAndGet();
            inFlightBytes.addAndGet(-length);
            if (t != null) {
                result.completeExceptionally(t);
            } else {
                result.complete(r);
            }
        });
        PendingRequests.Pending p = new PendingRequests.Pending(id, System.nanoTime() + timeout.toNanos(), timeoutMillis,
                frame, future);
        // Sent from this thread when the socket is free (no hop to the I/O thread), else queued for it.
        // Checked after, so that a request racing with close() is failed here rather than forgotten in
        // the stopped loop's queue (close() clears isOpen before it stops the loop).
        if (!(loop.tryRun(() -> submitHere(p)) || loop.execute(() -> submit(p))) || !isOpen()) {
            future.completeExceptionally(new ChannelClosedException("channel " + name() + " is closed"));
        }
        return result;
    }

    /** Owner of the socket, on the caller's thread: as {@link #submit}, and the loop learns of the deadline. */
    private void submitHere(PendingRequests.Pending p) {
        submit(p);
        // the loop may sleep until a later deadline; if the send failed, it must ping at once
        loop.wakeIfAsleepPast(ready ? p.deadlineNanos : nextPingNanos);
    }

    private void submit(PendingRequests.Pending p) {
        pending.add(p);
        if (!trySend(p)) {
            pending.deferSend(p);
        }
    }

    private boolean trySend(PendingRequests.Pending p) {
        ZMQ.Socket dealer = socket();
        if (!ready || dealer == null) {
            return false;
        }
        try {
            if (dealer.send(p.frame, ZMQ.DONTWAIT)) {
                counters.sent(p.payloadLength);
                p.frame = null; // ZeroMQ has it now; a request is never sent twice
                return true;
            }
        } catch (ZMQException e) {
            LOG.debug("{}: send failed: {}", name(), e.toString());
        }
        notReady(); // no pipe any more: the connection is gone
        return false;
    }

    private void notReady() {
        ready = false;
        nextPingNanos = System.nanoTime();
    }

    private void ping() {
        ZMQ.Socket dealer = socket();
        if (dealer == null) {
            return; // not connected yet (the timer runs from the start)
        }
        try {
            dealer.send(WireFormat.encode(WireFormat.PING, ++pings), ZMQ.DONTWAIT);
        } catch (ZMQException e) {
            LOG.debug("{}: ping failed: {}", name(), e.toString());
        }
    }

    @Override
    protected void onSocketEvent(int event) {
        if (event == ZMQ.EVENT_DISCONNECTED && ready) {
            LOG.debug("{}: disconnected from its server", name());
            notReady();
        }
    }

    private long pollTimeout() {
        long now = System.nanoTime();
        long next = pending.millisToNextDeadline(now);
        if (!ready) {
            long toPing = Math.max(0, (nextPingNanos - now + 999_999) / 1_000_000);
            return next < 0 ? toPing : Math.min(next, toPing);
        }
        return next;
    }

    private void tick() {
        long now = System.nanoTime();
        if (!ready && now - nextPingNanos >= 0) {
            ping();
            nextPingNanos = now + PING_MILLIS * 1_000_000;
        }
        flushUnsent();
        for (PendingRequests.Pending p : pending.expire(now)) {
            counters.timeouts.increment();
            p.future.completeExceptionally(new ChannelTimeoutException("no reply to request #" + p.id + " on channel "
                    + name() + " within " + p.timeoutMillis + " ms" + (ready ? "" : " (server not reachable)")));
        }
    }

    private void flushUnsent() {
        if (ready && pending.hasUnsent()) {
            for (PendingRequests.Pending p : pending.takeUnsent()) {
                if (!trySend(p)) {
                    pending.deferSend(p);
                }
            }
        }
    }

    @Override
    protected void readBatch(ZMQ.Socket dealer) {
        for (int i = 0; i < BATCH; i++) {
            byte[] frame = dealer.recv(ZMQ.DONTWAIT);
            if (frame == null) {
                return;
            }
            int frames = 1;
            while (dealer.hasReceiveMore()) {
                dealer.recv(0); // a version-1 (or foreign) multipart message: read to its end and refuse it
                frames++;
            }
            WireFormat.Header h = WireFormat.decode(frame);
            WireFormat.Check check = WireFormat.check(h, frame, frames);
            if (check == WireFormat.Check.OK && dealer == socket()
                    && (h.type() == WireFormat.PONG || h.type() == WireFormat.REPLY_OK || h.type() == WireFormat.REPLY_ERROR)) {
                connectionAlive();
            }
            if (check == WireFormat.Check.OK && h.type() == WireFormat.PONG) {
                if (!ready && dealer == socket()) {
                    ready = true;
                    LOG.debug("{}: ready, {} request(s) waiting", name(), pending.size());
                    flushUnsent();
                }
                continue;
            }
            if (check != WireFormat.Check.OK || (h.type() != WireFormat.REPLY_OK && h.type() != WireFormat.REPLY_ERROR)) {
                refused(check == WireFormat.Check.OK ? WireFormat.Check.MALFORMED : check, h, frames);
                continue;
            }
            byte[] body = WireFormat.payload(frame, h);
            PendingRequests.Pending p = pending.complete(h.id());
            if (p == null) {
                counters.dropped.increment();
                LOG.debug("{}: reply to unknown or expired request #{} dropped", name(), h.id());
                continue;
            }
            counters.received(body.length);
            if (h.type() == WireFormat.REPLY_ERROR) {
                counters.errors.increment();
                p.future.completeExceptionally(WireFormat.errorFrom(body));
            } else if (body.length > maxMessageSize) {
                counters.errors.increment();
                p.future.completeExceptionally(new MessageTooLargeException("reply of " + body.length
                        + " bytes exceeds the maximum of " + maxMessageSize + " bytes of reqrep channel " + name()));
            } else {
                p.future.complete(body);
            }
        }
    }

    @Override
    protected void onLoopStop() {
        for (PendingRequests.Pending p : pending.clear()) {
            p.future.completeExceptionally(new ChannelClosedException("channel " + name() + " was closed"));
        }
    }
}
