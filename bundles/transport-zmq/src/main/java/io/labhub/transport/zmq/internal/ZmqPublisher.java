package io.labhub.transport.zmq.internal;

import io.labhub.api.ChannelKind;
import io.labhub.api.InvalidInputException;
import io.labhub.api.LabHubException;
import io.labhub.api.MessageTooLargeException;
import io.labhub.api.Publisher;
import io.labhub.api.ZmqOptions;
import io.labhub.api.spi.ChannelContext;
import io.labhub.api.text.SafeText;
import io.labhub.security.CurveSecurity;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * A PUB socket bound on its own I/O thread. {@link #publish} copies the payload once, into the one
 * frame of the message (wire format 2: header and payload together), numbers it and queues it; it never
 * waits. The queue is sent, in order, by the publishing thread itself when the socket is
 * free (see {@link IoLoop#tryRun}), else by the I/O thread (one drain task for everything queued).
 *
 * <p>Where messages can be lost, and what is counted:
 * <ol>
 *   <li>here, when the hand-off queue to the I/O thread holds {@code highWaterMark} messages already
 *       (callers publish faster than the socket takes them): counted in {@code dropped};</li>
 *   <li>in the PUB socket, when one subscriber's queue is at the high-water mark: ZeroMQ drops for that
 *       subscriber only and says nothing to the publisher, so this cannot be counted here. The
 *       subscriber sees it as a gap in the sequence numbers ({@code gaps}, {@code Message.skipped}):
 *       the subscriber side is the truth about loss.</li>
 * </ol>
 * {@code messagesSent}/{@code bytesSent} count messages handed to the PUB socket (whether or not anyone
 * is subscribed).
 */
final class ZmqPublisher extends ZmqChannel implements Publisher {

    private static final Logger LOG = LoggerFactory.getLogger(ZmqPublisher.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final int maxMessageSize;
    private final int queueCapacity;
    private final long session;
    private final ReentrantLock sequencing = new ReentrantLock();
    private final AtomicInteger queued = new AtomicInteger();
    /** Messages numbered and waiting for the I/O thread, in sequence order (added under {@code sequencing}). */
    private final Queue<byte[]> outbox = new ConcurrentLinkedQueue<>();
    /** True while a {@link #drain} task is queued on the loop and has not started yet. */
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final String endpoint;
    private long sequence;
    private ZMQ.Socket pub;

    ZmqPublisher(ChannelContext context, CurveSecurity security, ZmqSettings settings, ZmqOptions options) {
        super(context, security, settings, ChannelKind.PUBSUB, "pub");
        int hwm = settings.hwm(options.highWaterMark());
        this.maxMessageSize = settings.maxMessage(options.maxMessageSize());
        this.queueCapacity = hwm;
        this.session = RANDOM.nextLong();
        String bindTo = settings.bindEndpoint(options.endpoint());
        try {
            String bound = loop.call(() -> bind(bindTo, hwm), 10_000);
            this.endpoint = settings.advertise(bound);
            Map<String, String> metadata = new HashMap<>(options.metadata());
            metadata.put(Metadata.MAX_MESSAGE_SIZE, Integer.toString(maxMessageSize));
            metadata.put(Metadata.WIRE_VERSION, Integer.toString(WireFormat.VERSION));
            context.offer(endpoint, security.publicKey(), metadata);
        } catch (RuntimeException e) {
            abandon();
            throw e;
        }
        LOG.debug("publisher {} bound at {}", name(), endpoint);
    }

    private String bind(String bindTo, int hwm) {
        pub = loop.socket(SocketType.PUB);
        pub.setSndHWM(hwm);
        // PUB only ever receives subscription messages; refuse anything big from a hostile peer.
        pub.setMaxMsgSize(64 * 1024);
        security.secureServer(pub);
        try {
            pub.bind(bindTo);
        } catch (ZMQException e) {
            throw new InvalidInputException("zmq.endpoint", SafeText.display(bindTo),
                    "cannot bind the publisher of " + name() + " to " + bindTo + ": " + e.getMessage());
        }
        return pub.getLastEndpoint();
    }

    /** The endpoint announced to the broker. */
    String endpoint() {
        return endpoint;
    }

    @Override
    public long publish(byte[] payload) {
        if (payload == null) {
            throw new InvalidInputException("payload.null", "null", "payload must not be null (send an empty array instead)");
        }
        ensureOpen();
        if (payload.length > maxMessageSize) {
            counters.errors.increment();
            throw new MessageTooLargeException("message of " + payload.length + " bytes exceeds the maximum of "
                    + maxMessageSize + " bytes of pubsub channel " + name());
        }
        // The one copy of the payload, into the frame ZeroMQ sends as is; the header is written under the lock.
        byte[] frame = new byte[WireFormat.HEADER_LENGTH + payload.length];
        System.arraycopy(payload, 0, frame, WireFormat.HEADER_LENGTH, payload.length);
        long seq;
        sequencing.lock();
        try {
            seq = ++sequence;
            if (queued.get() >= queueCapacity) {
                counters.dropped.increment();
                return seq;
            }
            WireFormat.writeHeader(frame, WireFormat.PUBLISH, 0, seq, WireFormat.nowEpochNanos(), session);
            queued.incrementAndGet();
            // Enqueued under the lock, so the queue is in sequence order. One drain task (and at most one
            // wake-up) serves every message queued until it runs.
            outbox.add(frame);
        } finally {
            sequencing.unlock();
        }
        // Sent from this thread when the socket is free (never waiting for it), else by the I/O thread.
        if (!loop.tryRun(this::sendQueued) && !scheduleDrain()) {
            ensureOpen();
            throw new LabHubException(io.labhub.api.ErrorCode.INTERNAL, "publisher " + name() + " lost its I/O thread");
        }
        return seq;
    }

    /** Makes sure one drain task is queued on the loop; false when the loop no longer takes tasks. */
    private boolean scheduleDrain() {
        if (drainScheduled.getAndSet(true)) {
            return loop.accepting(); // one is queued already and will send this message too
        }
        return loop.execute(this::drain);
    }

    /** Loop thread: sends everything queued so far, in order. */
    private void drain() {
        // Cleared first: a message queued from here on either is sent below or schedules another drain.
        drainScheduled.set(false);
        sendQueued();
    }

    /** Owner of the socket (loop thread or a {@link IoLoop#tryRun} task): sends what is queued, in order. */
    private void sendQueued() {
        byte[] m;
        while ((m = outbox.poll()) != null) {
            send(m);
        }
    }

    private void send(byte[] frame) {
        queued.decrementAndGet();
        boolean sent;
        try {
            sent = pub.send(frame, ZMQ.DONTWAIT);
        } catch (ZMQException e) {
            LOG.debug("{}: send failed: {}", name(), e.toString());
            sent = false;
        }
        if (sent) {
            counters.sent(frame.length - WireFormat.HEADER_LENGTH);
        } else {
            counters.dropped.increment();
        }
    }
}
