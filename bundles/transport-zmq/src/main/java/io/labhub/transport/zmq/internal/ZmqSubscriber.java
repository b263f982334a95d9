package io.labhub.transport.zmq.internal;

import io.labhub.api.ChannelClosedException;
import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelTimeoutException;
import io.labhub.api.ConsumerOptions;
import io.labhub.api.InvalidInputException;
import io.labhub.api.Message;
import io.labhub.api.Subscriber;
import io.labhub.api.WaitStrategy;
import io.labhub.api.spi.ChannelContext;
import io.labhub.security.CurveSecurity;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * A SUB socket on its own I/O thread that moves messages into a queue of at most {@code highWaterMark}
 * messages; {@link #receive} and {@link #poll} take from that queue on the reader's thread.
 *
 * <p>Counting: {@code messagesReceived}/{@code bytesReceived} count valid messages read from the
 * network; {@code dropped} counts messages thrown away here because the reader let its queue fill up;
 * {@code gaps} counts every message the reader missed for whatever reason (publisher high-water mark,
 * our own queue, a reconnect), from the sequence numbers, when the next message is delivered;
 * {@code errors} counts malformed or oversized messages; {@code timeouts} counts {@code receive} calls
 * that ran out of time.
 */
final class ZmqSubscriber extends ZmqConsumerChannel implements Subscriber {

    private static final Logger LOG = LoggerFactory.getLogger(ZmqSubscriber.class);
    /** Messages read from the socket per wake-up before giving the loop's other work a turn. */
    private static final int BATCH = 1024;

    private record Inbound(long session, long sequence, long timestampNanos, byte[] payload) {
    }

    private static final Inbound CLOSED = new Inbound(0, 0, 0, new byte[0]);

    private final int highWaterMark;
    private final int maxMessageSize;
    private final WaitStrategy wait;
    private final BlockingQueue<Inbound> queue = new LinkedBlockingQueue<>();
    private final GapTracker gaps = new GapTracker();
    private final AtomicBoolean reconnectedByEvent = new AtomicBoolean();

    ZmqSubscriber(ChannelContext context, CurveSecurity security, ZmqSettings settings, ConsumerOptions options) {
        super(context, security, settings, ChannelKind.PUBSUB, "sub");
        this.highWaterMark = settings.hwm(options.highWaterMark());
        this.maxMessageSize = settings.maxMessage(options.maxMessageSize());
        this.wait = options.waitStrategy();
        connect(options);
        LOG.debug("subscriber {} connected to {}", name(), target().endpoint());
    }

    @Override
    protected ZMQ.Socket open(ChannelInfo info) {
        ZMQ.Socket sub = securedSocket(SocketType.SUB, info.serverKey());
        sub.setRcvHWM(highWaterMark);
        // ZeroMQ drops a connection for good (no reconnect) on a frame over ZMQ_MAXMSGSIZE. So the socket
        // admits up to the publisher's own advertised limit (a LabHub publisher never exceeds it; a peer
        // that does is cut off), and this subscriber's smaller limit is enforced per message in readBatch,
        // where a refusal is counted and the connection survives.
        int publisherMax = Metadata.maxMessageSize(info.metadata(), maxMessageSize);
        sub.setMaxMsgSize(WireFormat.frameLimit(Math.max(maxMessageSize, publisherMax)));
        monitor(sub, 0);
        sub.connect(info.endpoint());
        sub.subscribe(new byte[0]);
        loop.watch(sub, () -> readBatch(sub), () -> true);
        return sub;
    }

    @Override
    protected void beforeSwitch(ZMQ.Socket old) {
        readBatch(old);
    }

    @Override
    protected void afterReconnect(ChannelInfo info) {
        reconnectedByEvent.set(true);
    }

    @Override
    protected void afterSelfReconnect() {
        reconnectedByEvent.set(true); // counted already: a new session behind it is no second reconnect
    }

    @Override
    protected void readBatch(ZMQ.Socket sub) {
        boolean alive = sub != socket(); // a socket being replaced says nothing about the producer in use
        for (int i = 0; i < BATCH; i++) {
            byte[] frame = sub.recv(ZMQ.DONTWAIT);
            if (frame == null) {
                return;
            }
            int frames = 1;
            while (sub.hasReceiveMore()) {
                sub.recv(0); // a version-1 (or foreign) multipart message: read to its end and refuse it
                frames++;
            }
            WireFormat.Header h = WireFormat.decode(frame);
            WireFormat.Check check = WireFormat.check(h, frame, frames);
            if (check != WireFormat.Check.OK || h.type() != WireFormat.PUBLISH) {
                refused(check == WireFormat.Check.OK ? WireFormat.Check.MALFORMED : check, h, frames);
                continue;
            }
            int length = WireFormat.payloadLength(frame, h);
            if (length > maxMessageSize) {
                counters.errors.increment();
                LOG.debug("{}: message #{} of {} bytes exceeds this subscriber's maximum of {} bytes; ignored",
                        name(), h.id(), length, maxMessageSize);
                continue;
            }
            if (!alive) {
                alive = true;
                connectionAlive(); // before the message is queued, so that deliver() sees a reconnect counted
            }
            byte[] payload = WireFormat.payload(frame, h);
            counters.received(payload.length);
            if (queue.size() >= highWaterMark) {
                counters.dropped.increment();
            } else {
                queue.add(new Inbound(h.param(), h.id(), h.timestampNanos(), payload));
            }
        }
    }

    @Override
    public Message receive(Duration timeout) {
        if (timeout == null || timeout.isNegative()) {
            throw new InvalidInputException("timeout.nonNegative", String.valueOf(timeout), "timeout must be zero or positive");
        }
        ensureOpen();
        Inbound in = queue.poll();
        if (in == null) {
            in = await(timeout);
        }
        if (in == null) {
            counters.timeouts.increment();
            throw new ChannelTimeoutException("no message on channel " + name() + " within " + timeout.toMillis() + " ms");
        }
        return deliver(in);
    }

    @Override
    public Optional<Message> poll() {
        ensureOpen();
        Inbound in = queue.poll();
        return in == null ? Optional.empty() : Optional.of(deliver(in));
    }

    private Inbound await(Duration timeout) {
        long start = System.nanoTime();
        long total = timeout.toNanos();
        long spinUntil = Math.min(wait.spin().toNanos(), total);
        long yieldUntil = Math.min(spinUntil + wait.yield().toNanos(), total);
        Inbound in;
        while (System.nanoTime() - start < spinUntil) {
            if ((in = queue.poll()) != null) {
                return in;
            }
            Thread.onSpinWait();
        }
        while (System.nanoTime() - start < yieldUntil) {
            if ((in = queue.poll()) != null) {
                return in;
            }
            Thread.yield();
        }
        try {
            return queue.poll(Math.max(0, total - (System.nanoTime() - start)), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChannelTimeoutException("interrupted while waiting on channel " + name());
        }
    }

    private Message deliver(Inbound in) {
        if (in == CLOSED) {
            queue.add(CLOSED);
            throw new ChannelClosedException("channel " + name() + " is closed");
        }
        GapTracker.Step step;
        synchronized (gaps) {
            step = gaps.onMessage(in.session(), in.sequence());
        }
        if (step.skipped() > 0) {
            counters.gaps.add(step.skipped());
        }
        if (step.newSession() && !reconnectedByEvent.getAndSet(false)) {
            // the publisher restarted at the same endpoint: ZeroMQ reconnected the socket by itself
            counters.reconnects.increment();
        }
        return new Message(in.sequence(), in.timestampNanos(), step.skipped(), in.payload());
    }

    @Override
    protected void afterStop() {
        queue.add(CLOSED);
    }
}
