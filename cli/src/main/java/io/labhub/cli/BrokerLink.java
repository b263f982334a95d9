package io.labhub.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.labhub.api.ErrorCode;
import io.labhub.api.LabHubException;
import io.labhub.broker.protocol.Wire;
import io.labhub.security.CurveKeyPair;
import io.labhub.security.internal.CurveKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZEvent;
import org.zeromq.ZMQ;
import org.zeromq.ZMonitor;

/**
 * The command's requests to the broker ({@code list}, {@code discover}) on one CURVE DEALER, without a
 * session: those requests need none (docs/protocol.md 5.6, 5.8), so no {@code hello} is sent and no session
 * is left behind. That is why this is not the {@code BrokerClient}: a client session lives on at the broker
 * for its liveness window after the process exits, and the next command with the same key would meet
 * {@code KEY_IN_USE} within it; here two commands in a row, or side by side, do not (only a running
 * {@code publish}, which needs a session, holds the key). It also saves the hello round trip and the client's
 * two threads.
 *
 * <p>An event hook on the DEALER turns what ZeroMQ only logs into typed, immediate failures: the broker's
 * ZAP handler refusing the key ({@code HANDSHAKE_FAILED_AUTH}: exit 4 with the line to paste), a CURVE
 * failure, nothing listening or a wrong broker key (a connect retried before any connection was made: JeroMQ
 * reports both alike; exit 3).
 *
 * <p>Thread-safe: calls are serialised (a transport may discover from its own thread).
 */
final class BrokerLink implements AutoCloseable {

    /** libzmq's HANDSHAKE_FAILED_NO_DETAIL | _PROTOCOL | _AUTH (org.zeromq.ZMQ 0.6.0 lacks the constants). */
    private static final int HANDSHAKE_FAILED = 2048 | 8192 | 16384;
    /** How often a wait looks at the hook's findings and the deadline. */
    private static final int SLICE_MILLIS = 20;
    /**
     * The handshake limit of this DEALER: a CURVE handshake takes milliseconds, and a JeroMQ connection that
     * never sends its greeting (docs/pitfalls.md) is then dropped and retried within the command's deadline.
     */
    private static final int HANDSHAKE_MILLIS = 1000;

    private final ZContext context;
    private final ZMQ.Socket dealer;
    private final String endpoint;
    private final String clientKey;
    private final Duration timeout;
    private final AtomicReference<CliException> failure = new AtomicReference<>();
    private final AtomicBoolean connectedOnce = new AtomicBoolean();
    /** Connections dropped before any request went out: the broker closing them during the handshake. */
    private final java.util.concurrent.atomic.AtomicInteger earlyDrops = new java.util.concurrent.atomic.AtomicInteger();
    /** Whether a send succeeded (with ZMQ_IMMEDIATE: a connection completed its handshake). */
    private volatile boolean handshaken;
    private long ids;

    BrokerLink(ZContext context, CurveKeyPair keys, String endpoint, String brokerKey, Duration timeout) {
        this.context = context;
        this.endpoint = endpoint;
        this.clientKey = keys.publicKey();
        this.timeout = timeout;
        this.dealer = context.createSocket(SocketType.DEALER);
        dealer.setLinger(0);
        dealer.setImmediate(true); // a send waits for a handshaken connection instead of queueing
        dealer.setReconnectIVL(100);
        dealer.setReconnectIVLMax(500);
        dealer.setSendTimeOut(SLICE_MILLIS);
        dealer.setReceiveTimeOut(SLICE_MILLIS);
        dealer.setEventHook(this::onEvent, HANDSHAKE_FAILED | ZMQ.EVENT_CONNECTED | ZMQ.EVENT_CONNECT_RETRIED
                | ZMQ.EVENT_DISCONNECTED);
        CurveKeys.secureClient(dealer, keys, brokerKey);
        dealer.setHandshakeIvl(HANDSHAKE_MILLIS);
        try {
            dealer.connect(endpoint);
        } catch (RuntimeException e) {
            context.destroySocket(dealer);
            throw CliException.usage("not a broker endpoint: '" + CliException.safe(endpoint) + "' (" + e.getMessage() + ")");
        }
    }

    /** Runs on a JeroMQ I/O thread: records what happened; the caller's wait loop reads it. */
    private void onEvent(ZEvent event) {
        ZMonitor.Event e = event.getEvent();
        switch (e) {
            case CONNECTED -> connectedOnce.set(true);
            case CONNECT_RETRIED -> {
                if (!connectedOnce.get()) {
                    failure.compareAndSet(null, new CliException(ErrorCode.BROKER_UNAVAILABLE.name(), CliException.UNREACHABLE,
                            "cannot reach the hub's broker at " + endpoint + ": the connection was refused or closed before its"
                                    + " handshake (is the runtime running? is the broker key right? the endpoint is broker.endpoint"
                                    + " in conf/io.labhub.core.cfg, the key conf/keys/labhub.pub)"));
                }
            }
            case DISCONNECTED -> {
                // A wrong broker key: the broker cannot open our HELLO and drops the connection at once, again on
                // every reconnect. (A JeroMQ connection stalled before its greeting drops once, after 1 s.)
                if (!handshaken && earlyDrops.incrementAndGet() >= 2) {
                    failure.compareAndSet(null, new CliException(ErrorCode.BROKER_UNAVAILABLE.name(), CliException.UNREACHABLE,
                            "the broker at " + endpoint + " closes every connection during the CURVE handshake: is the"
                                    + " broker key right? (--broker-key, or broker.publicKey / conf/keys/labhub.pub of --home)"));
                }
            }
            case HANDSHAKE_FAILED_AUTH -> failure.set(notAllowed(clientKey, endpoint));
            case HANDSHAKE_FAILED_PROTOCOL, HANDSHAKE_FAILED_NO_DETAIL -> failure.compareAndSet(null,
                    new CliException(ErrorCode.BROKER_UNAVAILABLE.name(), CliException.UNREACHABLE, "the CURVE handshake with "
                            + endpoint + " failed (" + event.getValue() + "): is the broker key right?"));
            default -> {
            }
        }
    }

    /** The refusal line: what to paste into the hub's console (Gogo: single quotes keep {@code $ [ ] { }} literal). */
    static CliException notAllowed(String clientKey, String endpoint) {
        return new CliException(ErrorCode.AUTH_FAILED.name(), CliException.NOT_ALLOWED, "the broker at " + endpoint
                + " does not admit this client's key; paste into the hub's console: " + Keys.allowLine(clientKey));
    }

    /** @return every channel the broker knows, its {@code list} pages followed, as the broker's JSON objects */
    synchronized List<JsonNode> list() {
        List<JsonNode> channels = new ArrayList<>();
        String after = null;
        for (int page = 0; page < 1000; page++) {
            ObjectNode request = request(Wire.LIST);
            if (after != null) {
                request.put(Wire.AFTER, after);
            }
            JsonNode reply = call(request);
            reply.path(Wire.CHANNELS).forEach(channels::add);
            JsonNode next = reply.get(Wire.NEXT);
            if (next == null || !next.isTextual() || next.textValue().equals(after)) {
                break;
            }
            after = next.textValue();
        }
        return channels;
    }

    /**
     * @return the broker's channel object of an active channel
     * @throws io.labhub.api.ChannelNotFoundException (code CHANNEL_NOT_FOUND) at once when it is not active
     */
    synchronized JsonNode discover(String name) {
        ObjectNode request = request(Wire.DISCOVER);
        request.put(Wire.NAME, name);
        return call(request).get(Wire.CHANNEL);
    }

    private ObjectNode request(String type) {
        return Wire.request(type, Long.toString(++ids));
    }

    /**
     * Sends one request and waits for its answer. {@code KEY_IN_USE} is retried until the deadline: the session
     * of this key's previous {@code publish} lives on at the broker for its liveness window (1.5 s by default)
     * after that command ended, and {@code publish; channels} in a script should just work.
     */
    private JsonNode call(ObjectNode request) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return attempt(request, deadline);
            } catch (LabHubException e) {
                if (e.code() != ErrorCode.KEY_IN_USE || System.nanoTime() - deadline > 0) {
                    throw e;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100)); // until the old session expires; bounded
                request.put(Wire.ID, Long.toString(++ids));
            }
        }
    }

    private JsonNode attempt(ObjectNode request, long deadline) {
        byte[] frame = Wire.write(request);
        String id = request.get(Wire.ID).asText();
        while (!dealer.send(frame, 0)) { // waits at most one slice for a handshaken connection
            checkProgress(deadline);
        }
        handshaken = true;
        while (true) {
            byte[] reply = dealer.recv(0); // at most one slice
            if (reply != null) {
                while (dealer.hasReceiveMore()) {
                    dealer.recv(0);
                }
                ObjectNode node = Wire.parseObject(reply);
                if (!id.equals(node.path(Wire.ID).asText())) {
                    continue; // an answer to an earlier request that timed out
                }
                if (Wire.ERROR.equals(node.path(Wire.STATUS).asText())) {
                    throw refusal(node);
                }
                return node;
            }
            checkProgress(deadline);
        }
    }

    private void checkProgress(long deadline) {
        CliException f = failure.get();
        if (f != null) {
            throw f;
        }
        if (System.nanoTime() - deadline > 0) {
            throw new CliException(ErrorCode.BROKER_UNAVAILABLE.name(), CliException.UNREACHABLE, "the hub's broker at " + endpoint
                    + " did not answer within " + timeout.toMillis() + " ms" + (connectedOnce.get() ? "" : " (no connection)"));
        }
    }

    private LabHubException refusal(JsonNode reply) {
        String text = CliException.oneLine(reply.path(Wire.MESSAGE).asText(""));
        ErrorCode code;
        try {
            code = ErrorCode.valueOf(reply.path(Wire.CODE).asText());
        } catch (IllegalArgumentException e) {
            code = ErrorCode.INTERNAL;
        }
        if (code == ErrorCode.KEY_IN_USE) {
            text += " (another process with this client's key holds a broker session, e.g. a labhub-cli publish: "
                    + "wait for it, or give this one its own --keys DIR)";
        }
        return LabHubException.of(code, text);
    }

    @Override
    public void close() {
        context.destroySocket(dealer);
    }
}
