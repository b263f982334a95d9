package io.labhub.transport.zmq.internal;

import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelState;
import io.labhub.api.ConsumerOptions;
import io.labhub.api.ErrorCode;
import io.labhub.api.InvalidInputException;
import io.labhub.api.LabHubException;
import io.labhub.api.spi.ChannelContext;
import io.labhub.api.spi.ChannelEvent;
import io.labhub.api.text.SafeText;
import io.labhub.security.CurveSecurity;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZEvent;
import org.zeromq.ZMQ;

/**
 * The consuming side (subscriber, request client): finds the producer through the broker, connects,
 * and follows it when it registers again elsewhere.
 *
 * <p>Reconnect rule: a {@code REGISTERED} event whose endpoint or server key differs from the one we are
 * connected to replaces the socket (the old one is drained first, so nothing it already received is
 * lost) and counts one reconnect. A producer that comes back at the same endpoint with the same key needs
 * nothing from us: ZeroMQ reconnects the socket by itself.
 *
 * <p>Re-admission: ZeroMQ never retries a CURVE handshake the producer refused (our key not, or not yet,
 * in its allow-list). A socket event hook reports the refusal ({@code HANDSHAKE_FAILED_AUTH}, or
 * {@code _PROTOCOL} / {@code _NO_DETAIL}); the socket is then recreated after a back-off of
 * {@value #FIRST_RETRY_MILLIS} ms doubling to {@value #MAX_RETRY_MILLIS} ms (reset by a successful
 * handshake), so a key allowed later (the allow-list is reloaded when it changes) gets in within a few
 * seconds. Refusals are counted ({@link #handshakeRefusals()}); the first of a series is logged at WARN.
 *
 * <p>Liveness of its own ({@link #producerState()}), which holds when the broker is out of reach (a cut
 * link between hosts): every consumer socket sends ZMTP heartbeats (PING every
 * {@code heartbeatIntervalMillis}, the connection dropped when nothing came back for
 * {@code heartbeatTimeoutMillis}; JeroMQ 0.6.0 encrypts and checks them like any CURVE command), so a dead
 * link ends in a {@code DISCONNECTED} event within about interval + timeout, and ZeroMQ then reconnects by
 * itself (every 100 ms doubling to {@value ZmqSettings#RECONNECT_MAX_MILLIS} ms). A drop of the socket's
 * established connection (one that had completed its handshake), or the broker's {@code PRODUCER_LOST} event, makes the state {@code PRODUCER_LOST}; the next
 * handshake (the ZMTP greeting answered), message from the producer or {@code REGISTERED} event makes it {@code ACTIVE}
 * again, and a connection that came back by itself after a disconnect counts one reconnect.
 */
abstract class ZmqConsumerChannel extends ZmqChannel {

    private static final Logger LOG = LoggerFactory.getLogger(ZmqConsumerChannel.class);
    // zmq.ZMQ.ZMQ_EVENT_* of JeroMQ 0.6.0 (the org.zeromq.ZMQ class lacks the handshake events; never import zmq.*)
    static final int EVENT_HANDSHAKE_FAILED_NO_DETAIL = 2048;
    static final int EVENT_HANDSHAKE_SUCCEEDED = 4096;
    static final int EVENT_HANDSHAKE_FAILED_PROTOCOL = 8192;
    static final int EVENT_HANDSHAKE_FAILED_AUTH = 16384;
    /**
     * The ZMTP greeting was exchanged: the peer answers on this connection. JeroMQ 0.6.0 never emits
     * {@link #EVENT_HANDSHAKE_SUCCEEDED} (nothing calls {@code SocketBase.eventHandshakeSucceeded}; checked
     * with javap), so this is the event that tells a live connection.
     */
    static final int EVENT_HANDSHAKE_PROTOCOL = 32768;
    static final long FIRST_RETRY_MILLIS = 200;
    static final long MAX_RETRY_MILLIS = 2000;
    /** One timer thread for every consumer's back-off (the work itself runs on each channel's I/O thread). */
    private static final ScheduledExecutorService RETRIES = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "labhub-zmq-readmission");
        t.setDaemon(true);
        return t;
    });

    private final ChannelKind expectedKind;
    private volatile ChannelInfo target;
    private volatile AutoCloseable events;
    /** Loop thread only. */
    private ZMQ.Socket socket;
    private long retryMillis = FIRST_RETRY_MILLIS;
    private boolean retryScheduled;
    private boolean refusedSinceAdmitted;
    private volatile ChannelState producerState = ChannelState.ACTIVE;
    /** Loop thread: the socket in use was disconnected and has not come back yet (not through a switch). */
    private boolean disconnected;
    /**
     * Loop thread: the socket in use has a connection that completed its handshake. A connection that drops
     * before (JeroMQ's connect race, a refusal) is no lost producer: ZeroMQ simply tries again.
     */
    private boolean established;

    ZmqConsumerChannel(ChannelContext context, CurveSecurity security, ZmqSettings settings, ChannelKind kind,
                       String role) {
        super(context, security, settings, kind, role);
        this.expectedKind = kind;
    }

    /** Discovers, connects, listens to events. Call at the end of the subclass constructor. */
    protected final void connect(ConsumerOptions options) {
        try {
            ChannelInfo info = context.discover(options.waitForChannel());
            check(info);
            if (info.state() == ChannelState.PRODUCER_LOST) {
                producerState = ChannelState.PRODUCER_LOST;
            }
            loop.call(() -> {
                switchTo(info, false);
                return null;
            }, 10_000);
            events = context.onEvent(this::onEvent);
            // An event between discover and onEvent would be lost: look once more.
            try {
                ChannelInfo again = context.discover(Duration.ZERO);
                if (differs(again)) {
                    follow(again);
                }
            } catch (LabHubException gone) {
                LOG.debug("{}: second look found nothing ({}); keeping {}", name(), gone.getMessage(), info.endpoint());
            }
        } catch (RuntimeException e) {
            closeEvents();
            abandon();
            throw e;
        }
    }

    private void check(ChannelInfo info) {
        if (info.kind() != expectedKind) {
            throw new InvalidInputException("channel.kind", info.kind().wireName(),
                    "channel " + name() + " is a " + info.kind().wireName() + " channel, not " + expectedKind.wireName());
        }
        if (info.endpoint() == null || info.serverKey() == null) {
            throw new InvalidInputException("channel.endpoint", String.valueOf(info.endpoint()),
                    "channel " + name() + " was registered without an endpoint or server key");
        }
        String wire = wireVersionProblem(info);
        if (wire != null) {
            throw new LabHubException(ErrorCode.UNSUPPORTED_VERSION, wire);
        }
    }

    /** Why the producer cannot be read (it advertises another wire version), or {@code null}. */
    private String wireVersionProblem(ChannelInfo info) {
        String advertised = info.metadata().get(Metadata.WIRE_VERSION);
        if (advertised == null || advertised.trim().equals(Integer.toString(WireFormat.VERSION))) {
            return null; // a producer that says nothing is tried; its messages are checked one by one
        }
        return "channel " + name() + " is produced with wire version " + SafeText.display(advertised.trim())
                + "; this runtime speaks wire version " + WireFormat.VERSION
                + " (docs/zmq-channels.md): upgrade the older side";
    }

    private void onEvent(ChannelEvent event) {
        if (event.type() == ChannelEvent.Type.PRODUCER_LOST) {
            producerLost("the broker declared it lost");
            return;
        }
        if (event.type() == ChannelEvent.Type.REGISTERED && event.info().kind() == expectedKind && !differs(event.info())) {
            producerActive("it registered again");
            return;
        }
        if (event.type() == ChannelEvent.Type.REGISTERED && event.info().kind() == expectedKind && differs(event.info())) {
            String wire = wireVersionProblem(event.info());
            if (wire != null) {
                LOG.warn("{}: not following the new producer at {}: {}", name(), event.info().endpoint(), wire);
                return;
            }
            follow(event.info());
        }
    }

    private boolean differs(ChannelInfo info) {
        ChannelInfo now = target;
        return info.endpoint() != null && info.serverKey() != null
                && (now == null || !Objects.equals(now.endpoint(), info.endpoint())
                        || !Objects.equals(now.serverKey(), info.serverKey()));
    }

    private void follow(ChannelInfo info) {
        if (isOpen()) {
            loop.execute(() -> switchTo(info, true));
        }
    }

    private void switchTo(ChannelInfo info, boolean reconnect) {
        if (reconnect && !differs(info)) {
            return;
        }
        ZMQ.Socket old = socket;
        ZMQ.Socket fresh = open(info); // may throw (a bad key in the event): the old socket stays in use
        // a new socket: neither what the old one still holds nor the new one's first handshake is a reconnect
        disconnected = false;
        established = false;
        if (old != null) {
            beforeSwitch(old);
            loop.release(old);
        }
        socket = fresh;
        target = info;
        if (reconnect) {
            producerActive("it registered at " + info.endpoint());
            counters.reconnects.increment();
            LOG.info("{} {} reconnected to {}", kind().wireName(), name(), info.endpoint());
            afterReconnect(info);
        }
    }

    /** Loop thread: a new socket, secured, connected to {@code info.endpoint()} and watched. */
    protected abstract ZMQ.Socket open(ChannelInfo info);

    /** Loop thread: a new socket made a CURVE client of {@code serverKey}; nothing is left behind if the key is bad. */
    protected ZMQ.Socket securedSocket(org.zeromq.SocketType type, String serverKey) {
        ZMQ.Socket s = loop.socket(type);
        try {
            s.setHeartbeatIvl(settings.heartbeatIntervalMillis());
            s.setHeartbeatTimeout(settings.heartbeatTimeoutMillis());
            // the producer's side drops a connection that sent nothing (not even a PING) this long
            s.setHeartbeatTtl(Math.min(655_300, 2 * settings.heartbeatTimeoutMillis()));
            s.setReconnectIVLMax(ZmqSettings.RECONNECT_MAX_MILLIS);
            security.secureClient(s, serverKey);
            return s;
        } catch (RuntimeException e) {
            loop.release(s);
            throw e;
        }
    }

    /**
     * Loop thread: watches {@code s}'s connection events (call before {@code connect}): handshake
     * refusals recreate the socket with back-off; {@code extraEvents} go to {@link #onSocketEvent}.
     *
     * <p>An event hook, not a monitor PAIR. JeroMQ 0.6.0 writes monitor events with a blocking send on its
     * I/O thread, while holding the socket's monitor lock: when the PAIR's reader is closed before the
     * monitored socket stops emitting (a switch to a restarted producer closes the old socket's reader first,
     * and the old connection's FIN is then processed before the old socket is reaped), that send never
     * returns, and the I/O thread, with every connection of the context it serves, hangs for good. A thread
     * dump of the hung {@code PubSubChannelTest.subscriberFollowsPublisherRestartedAtNewEndpointAndCountsTheGap}
     * (about 1 run in 12) showed {@code iothread} parked in {@code SocketBase.send} from
     * {@code StreamEngine.error -> eventDisconnected}, and the new socket stuck after CONNECTED. The hook
     * runs on the I/O thread and only queues the event for this loop: nothing to close, nothing to block on
     * (the security bundle's {@code HandshakeMonitor} uses a hook for the same reason).
     */
    protected final void monitor(ZMQ.Socket s, int extraEvents) {
        int mask = extraEvents | ZMQ.EVENT_DISCONNECTED | EVENT_HANDSHAKE_FAILED_AUTH | EVENT_HANDSHAKE_FAILED_PROTOCOL
                | EVENT_HANDSHAKE_FAILED_NO_DETAIL | EVENT_HANDSHAKE_SUCCEEDED | EVENT_HANDSHAKE_PROTOCOL;
        s.setEventHook(new ZEvent.ZEventConsummer() {
            @Override
            public void consume(zmq.ZMQ.Event e) { // I/O thread: queue only (a closed loop drops it)
                loop.execute(() -> onMonitorEvent(e.event, e.addr, e.arg, s));
            }

            @Override
            public void consume(ZEvent ev) {
                // not called: the raw event above replaces the default that builds a ZEvent
            }
        }, mask);
    }

    private void onMonitorEvent(int type, String address, Object value, ZMQ.Socket of) {
        if (type == EVENT_HANDSHAKE_FAILED_AUTH || type == EVENT_HANDSHAKE_FAILED_PROTOCOL
                || type == EVENT_HANDSHAKE_FAILED_NO_DETAIL) {
            if (of == socket) {
                established = false; // refused: the producer answers, but not to us; no lost connection
            }
            counters.handshakeRefusals.increment();
            if (!refusedSinceAdmitted) {
                refusedSinceAdmitted = true;
                LOG.warn("{} {}: the producer at {} refused our CURVE handshake ({}, {}): is this runtime's key {} in "
                        + "its allow-list? Retrying every {}-{} ms", kind().wireName(), name(), address,
                        type == EVENT_HANDSHAKE_FAILED_AUTH ? "not allowed" : "handshake failed", value,
                        security.publicKey(), FIRST_RETRY_MILLIS, MAX_RETRY_MILLIS);
            } else {
                LOG.debug("{}: handshake refused again ({})", name(), type);
            }
            scheduleRecreate();
        } else if (type == EVENT_HANDSHAKE_SUCCEEDED) {
            if (refusedSinceAdmitted) {
                LOG.info("{} {}: admitted by the producer at {}", kind().wireName(), name(), address);
            }
            refusedSinceAdmitted = false;
            retryMillis = FIRST_RETRY_MILLIS;
        } else if (type == EVENT_HANDSHAKE_PROTOCOL && of == socket) {
            established = true;
            connectionAlive();
        } else if (type == ZMQ.EVENT_DISCONNECTED && of == socket && established) {
            // What the socket holds came before the drop: read it now, or a message of the dead connection read
            // after this would look like a connection that came back by itself (a second reconnect counted).
            beforeDisconnect(of);
            established = false;
            disconnected = true;
            producerLost("the connection to " + address + " dropped (heartbeat timed out or closed)");
        }
        if (of == socket) {
            onSocketEvent(type);
        }
    }

    /**
     * Loop thread: the socket in use handshook, or something came from the producer on it: the producer
     * is reachable; after a disconnect, ZeroMQ reconnected by itself (one reconnect).
     */
    protected final void connectionAlive() {
        if (disconnected) {
            disconnected = false;
            counters.reconnects.increment();
            afterSelfReconnect();
        }
        if (producerState != ChannelState.ACTIVE) {
            producerActive("its connection answers");
        }
    }

    /** Loop thread: ZeroMQ reconnected the socket in use by itself after a disconnect (counted already). */
    protected void afterSelfReconnect() {
    }

    private void producerLost(String why) {
        if (isOpen() && producerState != ChannelState.PRODUCER_LOST) {
            producerState = ChannelState.PRODUCER_LOST;
            LOG.info("{} {}: producer lost: {}", kind().wireName(), name(), why);
        }
    }

    private void producerActive(String why) {
        if (isOpen() && producerState != ChannelState.ACTIVE) {
            producerState = ChannelState.ACTIVE;
            LOG.info("{} {}: producer reachable again: {}", kind().wireName(), name(), why);
        }
    }

    @Override
    public ChannelState producerState() {
        return isOpen() ? producerState : ChannelState.CLOSED;
    }

    /** Loop thread: a monitored event of the socket in use (other than the handshake ones). */
    protected void onSocketEvent(int event) {
    }

    /** CURVE handshakes the producer refused so far. */
    long handshakeRefusals() {
        return counters.handshakeRefusals.sum();
    }

    private void scheduleRecreate() {
        if (retryScheduled || !isOpen()) {
            return;
        }
        retryScheduled = true;
        long delay = retryMillis;
        retryMillis = Math.min(retryMillis * 2, MAX_RETRY_MILLIS);
        RETRIES.schedule(() -> loop.execute(this::recreate), delay, TimeUnit.MILLISECONDS);
    }

    /** Loop thread: a fresh socket to the same producer (a refused handshake is never retried by ZeroMQ). */
    private void recreate() {
        retryScheduled = false;
        ChannelInfo info = target;
        if (!isOpen() || info == null) {
            return;
        }
        ZMQ.Socket old = socket;
        ZMQ.Socket fresh;
        try {
            fresh = open(info);
        } catch (RuntimeException e) {
            LOG.warn("{}: cannot recreate the socket after a refused handshake: {}", name(), e.toString());
            scheduleRecreate();
            return;
        }
        disconnected = false; // a refused connection coming in at last is an admission, not a reconnect
        established = false;
        if (old != null) {
            beforeSwitch(old);
            loop.release(old);
        }
        socket = fresh;
        LOG.debug("{}: socket recreated after a refused handshake", name());
    }

    /** Loop thread: read what {@code old} still holds before it is closed. */
    protected void beforeSwitch(ZMQ.Socket old) {
    }

    /** Loop thread: reads up to one batch of what {@code s} holds (the socket's read handler). */
    protected abstract void readBatch(ZMQ.Socket s);

    /**
     * Loop thread: the connection of {@code s}, the socket in use, dropped: read everything it already holds
     * before the drop is recorded (the dead connection adds nothing, and a new one needs a reconnect
     * interval and a handshake), so its last messages never count as a connection that came back.
     */
    protected final void beforeDisconnect(ZMQ.Socket s) {
        while ((s.getEvents() & ZMQ.Poller.POLLIN) != 0) {
            readBatch(s);
        }
    }

    /** Loop thread: after a reconnect. */
    protected void afterReconnect(ChannelInfo info) {
    }

    /** Loop thread: the socket in use. */
    protected ZMQ.Socket socket() {
        return socket;
    }

    /** The producer we are connected to. */
    protected ChannelInfo target() {
        return target;
    }

    @Override
    protected void beforeStop() {
        closeEvents();
    }

    private void closeEvents() {
        AutoCloseable e = events;
        events = null;
        if (e != null) {
            try {
                e.close();
            } catch (Exception ex) {
                LOG.debug("{}: closing the event subscription: {}", name(), ex.toString());
            }
        }
    }
}
