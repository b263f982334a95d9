package io.labhub.security.internal;

import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZEvent;
import org.zeromq.ZMQ;

/**
 * Logs the refusals the ZAP handler never sees. A CURVE server refuses a NULL or PLAIN client (mechanism
 * mismatch) and a client that uses the wrong server key (its HELLO does not decrypt) during the ZMTP
 * handshake, before any ZAP request. JeroMQ reports these only through socket events, so every server
 * socket secured by {@link CurveSecurityRuntime#secureServer} gets an event hook from here (a callback on
 * JeroMQ's I/O thread, no monitor socket: a monitor PAIR in JeroMQ 0.6.0 is written with a blocking send,
 * which would stall the I/O thread whenever its reader lags).
 *
 * <p>What the events say, checked against JeroMQ 0.6.0 (the address of every event is the listening
 * endpoint, never the peer; the peer is in the {@code SocketChannel} of ACCEPTED and DISCONNECTED):
 * <ul>
 * <li>wrong server key: ACCEPTED(channel), HANDSHAKE_FAILED_PROTOCOL(ZMTP_CRYPTOGRAPHIC), DISCONNECTED(channel),
 *     the last two on the same I/O thread in one call: logged as such, with the peer;</li>
 * <li>NULL or PLAIN client: ACCEPTED(channel), DISCONNECTED(channel) and nothing in between: the
 *     mechanism mismatch ends the connection before the greeting completes, so not even HANDSHAKE_PROTOCOL
 *     is reported. Logged as "closed before the CURVE handshake completed" with the peer, when no other
 *     connection of that socket completed its greeting meanwhile (so a legitimate client, whose greeting
 *     always completes, is never reported; under concurrent greetings such a refusal may go unreported,
 *     it is then neither counted nor logged);</li>
 * <li>unknown key: ACCEPTED, HANDSHAKE_PROTOCOL, DISCONNECTED; the ZAP handler logs it with the key.</li>
 * </ul>
 * JeroMQ 0.6.0 emits no HANDSHAKE_SUCCEEDED, on either side: success cannot be observed here, only the
 * completed greeting.
 * Every refusal seen here is counted ({@link #failures()}); the log has at most one line per (kind, peer
 * host) per {@value #LOG_EVERY_SECONDS} s, and at most {@value #MAX_TRACKED} (kind, host) pairs are
 * remembered, so a connection churn cannot flood the log or grow memory.
 */
final class HandshakeMonitor {

    /** ZMQ_EVENT_* values (libzmq's; org.zeromq.ZMQ 0.6.0 lacks the handshake ones). */
    static final int ACCEPTED = ZMQ.EVENT_ACCEPTED, DISCONNECTED = ZMQ.EVENT_DISCONNECTED,
            HANDSHAKE_FAILED_NO_DETAIL = 2048, HANDSHAKE_SUCCEEDED = 4096, HANDSHAKE_FAILED_PROTOCOL = 8192,
            HANDSHAKE_FAILED_AUTH = 16384, HANDSHAKE_PROTOCOL = ZMQ.EVENT_HANDSHAKE_PROTOCOL;
    static final int EVENTS = ACCEPTED | DISCONNECTED | HANDSHAKE_FAILED_NO_DETAIL | HANDSHAKE_SUCCEEDED
            | HANDSHAKE_FAILED_PROTOCOL | HANDSHAKE_FAILED_AUTH | HANDSHAKE_PROTOCOL;
    static final long LOG_EVERY_SECONDS = 60;
    static final int MAX_TRACKED = 10_000;
    /** Connections accepted and not yet closed that one socket tracks; beyond, the oldest state is dropped. */
    private static final int MAX_OPEN = 100_000;

    private static final Logger LOG = LoggerFactory.getLogger(HandshakeMonitor.class);

    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong suppressed = new AtomicLong();
    private final Map<String, Long> lastLogged = new ConcurrentHashMap<>();

    HandshakeMonitor() {
    }

    /** @return handshakes refused before ZAP (wrong server key, NULL/PLAIN clients) so far */
    long failures() {
        return failures.get();
    }

    /** Installs the hook on a server socket; call on the socket's thread, before bind. */
    void watch(ZMQ.Socket socket) {
        socket.setEventHook(new SocketHook()::consume, EVENTS);
    }

    private record Accepted(String peer, long greetings) {
    }

    /** The state of one server socket's connections; its methods run on JeroMQ I/O threads. */
    private final class SocketHook {
        private final Map<Object, Accepted> open = new ConcurrentHashMap<>();
        private final AtomicLong greetings = new AtomicLong();
        private final ThreadLocal<String> failed = new ThreadLocal<>();

        void consume(ZEvent event) {
            try {
                int code = code(event);
                switch (code) {
                    case ACCEPTED -> {
                        if (open.size() >= MAX_OPEN) {
                            open.clear();
                        }
                        Object channel = event.getValue();
                        open.put(channel, new Accepted(peer(channel), greetings.get()));
                    }
                    case HANDSHAKE_PROTOCOL, HANDSHAKE_SUCCEEDED -> greetings.incrementAndGet();
                    case HANDSHAKE_FAILED_PROTOCOL, HANDSHAKE_FAILED_NO_DETAIL, HANDSHAKE_FAILED_AUTH ->
                            failed.set(describe(code, event.getValue()));
                    case DISCONNECTED -> {
                        Object channel = event.getValue();
                        Accepted accepted = open.remove(channel);
                        String reason = failed.get();
                        failed.remove();
                        String peer = accepted != null ? accepted.peer() : peer(channel);
                        if (reason != null) {
                            refused(reason, peer, event.getAddress());
                        } else if (accepted != null && greetings.get() == accepted.greetings()) {
                            refused("closed before the CURVE handshake completed (a NULL or PLAIN client, or not ZeroMQ)",
                                    peer, event.getAddress());
                        }
                    }
                    default -> {
                    }
                }
            } catch (RuntimeException e) {
                LOG.debug("handshake event hook failed on {}", event, e); // never disturbs the I/O thread
            }
        }
    }

    private static int code(ZEvent event) {
        return switch (event.getEvent()) {
            case ACCEPTED -> ACCEPTED;
            case DISCONNECTED -> DISCONNECTED;
            case HANDSHAKE_SUCCEEDED -> HANDSHAKE_SUCCEEDED;
            case HANDSHAKE_PROTOCOL -> HANDSHAKE_PROTOCOL;
            case HANDSHAKE_FAILED_PROTOCOL -> HANDSHAKE_FAILED_PROTOCOL;
            case HANDSHAKE_FAILED_NO_DETAIL -> HANDSHAKE_FAILED_NO_DETAIL;
            case HANDSHAKE_FAILED_AUTH -> HANDSHAKE_FAILED_AUTH;
            default -> 0;
        };
    }

    private static String describe(int code, Object value) {
        String detail = String.valueOf(value);
        if (code == HANDSHAKE_FAILED_PROTOCOL && detail.contains("CRYPTOGRAPHIC")) {
            return "CURVE handshake failed (" + detail + "): the client does not use this server's public key";
        }
        if (code == HANDSHAKE_FAILED_AUTH) {
            return "refused by ZAP (status " + detail + ")";
        }
        return "handshake failed (" + detail + ")";
    }

    private static String peer(Object channel) {
        if (channel instanceof SocketChannel socket) {
            try {
                SocketAddress remote = socket.getRemoteAddress();
                if (remote != null) {
                    return remote.toString().replaceFirst("^[^/]*/", "");
                }
            } catch (java.io.IOException e) {
                return "?";
            }
        }
        return "?";
    }

    private void refused(String reason, String peer, String endpoint) {
        failures.incrementAndGet();
        String host = ZapHandler.host(peer);
        String key = reason + " " + host;
        long now = System.nanoTime();
        Long last = lastLogged.get(key);
        if (last != null && now - last < TimeUnit.SECONDS.toNanos(LOG_EVERY_SECONDS)) {
            suppressed.incrementAndGet();
            return;
        }
        if (last == null && lastLogged.size() >= MAX_TRACKED) {
            suppressed.incrementAndGet();
            return;
        }
        lastLogged.put(key, now);
        long more = suppressed.getAndSet(0);
        LOG.warn("Refused a connection from {} to {}: {}{} (logged once per kind and host every {} s; {} refusal(s) so far)",
                peer, endpoint, reason, more > 0 ? "; " + more + " similar refusal(s) not logged since the last line" : "",
                LOG_EVERY_SECONDS, failures.get());
    }
}
