package io.labhub.transport.zmq.internal;

import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ConsumerOptions;
import io.labhub.api.InvalidInputException;
import io.labhub.api.LabHubException;
import io.labhub.api.spi.ChannelContext;
import io.labhub.api.spi.ChannelEvent;
import io.labhub.security.CurveSecurity;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZMQ;

/**
 * The consuming side (subscriber, request client): finds the producer through the broker, connects,
 * and follows it when it registers again elsewhere.
 *
 * <p>Reconnect rule: a {@code REGISTERED} event whose endpoint or server key differs from the one we are
 * connected to replaces the socket (the old one is drained first, so nothing it already received is
 * lost) and counts one reconnect. A producer that comes back at the same endpoint with the same key needs
 * nothing from us: ZeroMQ reconnects the socket by itself.
 */
abstract class ZmqConsumerChannel extends ZmqChannel {

    private static final Logger LOG = LoggerFactory.getLogger(ZmqConsumerChannel.class);

    private final ChannelKind expectedKind;
    private volatile ChannelInfo target;
    private volatile AutoCloseable events;
    /** Loop thread only. */
    private ZMQ.Socket socket;

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
    }

    private void onEvent(ChannelEvent event) {
        if (event.type() == ChannelEvent.Type.REGISTERED && event.info().kind() == expectedKind && differs(event.info())) {
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
        if (old != null) {
            beforeSwitch(old);
            loop.release(old);
        }
        socket = fresh;
        target = info;
        if (reconnect) {
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
            security.secureClient(s, serverKey);
            return s;
        } catch (RuntimeException e) {
            loop.release(s);
            throw e;
        }
    }

    /** Loop thread: read what {@code old} still holds before it is closed. */
    protected void beforeSwitch(ZMQ.Socket old) {
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
