package io.labhub.broker.client;

import io.labhub.agent.SocketIdleStrategy;
import io.labhub.security.CurveSecurity;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZEvent;
import org.zeromq.ZMQ;

/**
 * The client's DEALER to the broker, recreated as a whole when the session needs a fresh one (a refused
 * CURVE handshake is never retried by ZeroMQ). An event hook on each DEALER records, for that DEALER
 * only, a refused handshake ({@code HANDSHAKE_FAILED_*}) and every dropped connection
 * ({@code DISCONNECTED}), and wakes the socket thread; the session reads them with
 * {@link #takeRefusal()} and {@link #drops()}. Socket thread only, except the hook.
 */
final class BrokerConnection {

    /** ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | _PROTOCOL | _AUTH (libzmq's values; org.zeromq.ZMQ 0.6.0 lacks them). */
    private static final int REFUSAL_EVENTS = 2048 | 8192 | 16384;
    /** ZMQ_EVENT_DISCONNECTED: an established connection of the DEALER dropped (ZeroMQ will reconnect). */
    private static final int DISCONNECTED_EVENT = 512;

    /** A handshake failure the DEALER's event hook saw, for the socket of {@code generation}. */
    private record Refusal(int generation, String what) {
    }

    private final ZContext context;
    private final CurveSecurity security;
    private final BrokerClientConfig config;
    private final SocketIdleStrategy idle;
    private final long reconnectMaxMillis;
    /** Set by the DEALER's event hook (a JeroMQ I/O thread) when the broker refused our handshake. */
    private final AtomicReference<Refusal> refusal = new AtomicReference<>();
    /** Connections of the current DEALER that dropped, counted by its event hook (one counter per DEALER). */
    private AtomicInteger disconnects = new AtomicInteger();
    private ZMQ.Socket dealer;
    private int generation;
    private long createdNanos;
    private boolean handshaken;

    BrokerConnection(CurveSecurity security, BrokerClientConfig config, SocketIdleStrategy idle, long reconnectMaxMillis) {
        this.context = security.context();
        this.security = security;
        this.config = config;
        this.idle = idle;
        this.reconnectMaxMillis = reconnectMaxMillis;
    }

    /** Closes the current DEALER (if any) and connects a new one. */
    void recreate() {
        closeDealer();
        int gen = ++generation;
        createdNanos = System.nanoTime();
        handshaken = false;
        refusal.set(null);
        AtomicInteger drops = new AtomicInteger();
        disconnects = drops;
        dealer = context.createSocket(SocketType.DEALER);
        // Runs on a JeroMQ I/O thread: only records what happened and wakes the client thread.
        dealer.setEventHook(event -> onEvent(gen, drops, event), REFUSAL_EVENTS | DISCONNECTED_EVENT);
        dealer.setLinger(0);
        dealer.setImmediate(true); // no queueing for a broker that is not there: a send fails instead
        dealer.setReconnectIVL(100);
        dealer.setReconnectIVLMax(reconnectMaxMillis);
        security.secureClient(dealer, config.brokerPublicKey());
        dealer.connect(config.endpoint());
        idle.watch(dealer);
    }

    private void onEvent(int gen, AtomicInteger drops, ZEvent event) {
        if (event.getEvent() == org.zeromq.ZMonitor.Event.DISCONNECTED) {
            drops.incrementAndGet();
            idle.wake();
            return;
        }
        Object value = event.getValue();
        refusal.set(new Refusal(gen, switch (event.getEvent()) {
            case HANDSHAKE_FAILED_AUTH -> "CURVE handshake refused, ZAP status " + value;
            case HANDSHAKE_FAILED_PROTOCOL -> "CURVE handshake failed: " + value + " (is the broker key right?)";
            default -> "handshake failed";
        }));
        idle.wake();
    }

    /**
     * Sends one frame without waiting. With {@code ZMQ_IMMEDIATE} a send succeeds only on a connection
     * that completed its handshake, so a success also marks this DEALER as {@link #handshaken()}.
     */
    boolean send(byte[] frame) {
        if (!dealer.send(frame, ZMQ.DONTWAIT)) {
            return false;
        }
        handshaken = true;
        return true;
    }

    /** @return the next reply's (first) frame, further frames dropped; {@code null} when none is waiting */
    byte[] receive() {
        byte[] frame = dealer.recv(ZMQ.DONTWAIT);
        if (frame != null) {
            while (dealer.hasReceiveMore()) {
                dealer.recv(0);
            }
        }
        return frame;
    }

    /** @return what refused the current DEALER's handshake, once; {@code null} when nothing (or an older DEALER) */
    String takeRefusal() {
        Refusal r = refusal.getAndSet(null);
        return r != null && r.generation() == generation ? r.what() : null;
    }

    /** @return how many connections of the current DEALER dropped */
    int drops() {
        return disconnects.get();
    }

    /** @return whether a send ever succeeded on the current DEALER (a connection completed its handshake) */
    boolean handshaken() {
        return handshaken;
    }

    /** @return when the current DEALER was created ({@link System#nanoTime()}) */
    long createdNanos() {
        return createdNanos;
    }

    /** Closes the DEALER; with {@code flush}, a last message (an unregister) gets 200 ms to leave. */
    void close(boolean flush) {
        if (dealer != null && flush) {
            dealer.setLinger(200);
        }
        closeDealer();
    }

    private void closeDealer() {
        if (dealer != null) {
            idle.unwatch(dealer);
            context.destroySocket(dealer);
            dealer = null;
        }
    }
}
