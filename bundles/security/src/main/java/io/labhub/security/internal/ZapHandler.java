package io.labhub.security.internal;

import io.labhub.api.ErrorCode;
import io.labhub.api.LabHubException;
import io.labhub.api.text.SafeText;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * A ZAP (ZeroMQ RFC 27) handler: one thread with a REP socket bound to
 * {@value #ENDPOINT} in a context, answering every authentication request of every server socket of
 * that context. It admits only mechanism CURVE with a client public key in the {@link AllowList};
 * everything else (NULL, PLAIN, unknown keys, malformed requests) gets status 400.
 *
 * <p>Why a dedicated REP thread rather than JeroMQ's {@code ZAuth}: {@code ZAuth} reads CURVE keys from
 * a directory of certificate files in its own format and runs as a {@code ZActor} with a control pipe
 * and a command protocol; our allow-list is one file of Z85 keys with its own reload rule. Answering
 * ZAP requests directly is about sixty lines, has one thread and one socket, and leaves no doubt about
 * what is admitted.
 *
 * <p>NULL and PLAIN clients of a CURVE server never reach this handler: the server refuses them during
 * the ZMTP handshake because the mechanisms differ (the server's monitor reports a handshake failure).
 * The handler still refuses NULL and PLAIN requests, so that a non-CURVE server socket given a ZAP
 * domain in this context is closed too, not silently open.
 *
 * <p>A refusal is logged once per (mechanism, key, peer host) and always counted ({@link #refusals()}),
 * so that a client retrying every 100 ms does not flood the log. At most {@value #MAX_LOGGED} distinct
 * refusals are remembered; beyond that they are only counted (said once in the log).
 */
public final class ZapHandler implements AutoCloseable {

    /** Where libzmq and JeroMQ look for the ZAP handler of a context. */
    public static final String ENDPOINT = "inproc://zeromq.zap.01";
    /** Prefix of the handler thread's name. */
    public static final String THREAD_NAME_PREFIX = "labhub-zap-";

    private static final Logger LOG = LoggerFactory.getLogger(ZapHandler.class);
    private static final AtomicInteger THREADS = new AtomicInteger();
    /** How long the thread blocks in {@code recv} before it checks for close and for allow-list changes. */
    private static final int WAKE_UP_MS = 100;
    private static final int MAX_LOGGED = 10_000;
    private static final String VERSION = "1.0";

    private final ZContext context;
    private final AllowList allowList;
    private final ZMQ.Socket socket;
    private final Thread thread;
    private final AtomicLong refusals = new AtomicLong();
    private final AtomicLong admissions = new AtomicLong();
    private final Set<String> logged = ConcurrentHashMap.newKeySet();
    private volatile boolean running = true;

    private ZapHandler(ZContext context, AllowList allowList) {
        this.context = context;
        this.allowList = allowList;
        this.socket = context.createSocket(SocketType.REP);
        socket.setLinger(0);
        socket.setReceiveTimeOut(WAKE_UP_MS);
        try {
            socket.bind(ENDPOINT);
        } catch (ZMQException e) {
            context.destroySocket(socket);
            throw new LabHubException(ErrorCode.INTERNAL, "Cannot bind the ZAP handler to " + ENDPOINT
                    + " (is another ZAP handler running in this context?): " + e, e);
        }
        // The socket was bound on the caller's thread; Thread.start() hands it over with a happens-before.
        this.thread = new Thread(this::run, THREAD_NAME_PREFIX + THREADS.incrementAndGet());
        thread.setDaemon(true);
    }

    /**
     * Binds the handler in {@code context} and starts its thread. When this returns, every CURVE server
     * socket of {@code context} is authenticated by this handler.
     */
    public static ZapHandler start(ZContext context, AllowList allowList) {
        ZapHandler handler = new ZapHandler(context, allowList);
        handler.thread.start();
        return handler;
    }

    /** @return the connections refused so far */
    public long refusals() {
        return refusals.get();
    }

    /** @return the connections admitted so far */
    public long admissions() {
        return admissions.get();
    }

    /** @return how many distinct refusals were logged (each refusal is logged once per key and host) */
    long refusalsLogged() {
        return logged.size();
    }

    /** @return the handler thread's name */
    public String threadName() {
        return thread.getName();
    }

    /** Stops the thread (within about {@value #WAKE_UP_MS} ms) and waits for it; closes the socket. */
    @Override
    public void close() {
        running = false;
        if (Thread.currentThread() == thread) {
            return;
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("ZAP handler thread {} did not stop within 10 s", thread.getName());
        }
    }

    private void run() {
        try {
            while (running) {
                allowList.refreshIfDue();
                byte[] first = socket.recv(0);
                if (first == null) {
                    if (socket.errno() == ZMQ.Error.EAGAIN.getCode()) {
                        continue;
                    }
                    break; // context terminated
                }
                List<byte[]> request = new ArrayList<>();
                request.add(first);
                while (socket.hasReceiveMore()) {
                    request.add(socket.recv(0));
                }
                List<byte[]> reply = answer(request);
                for (int i = 0; i < reply.size(); i++) {
                    socket.send(reply.get(i), i < reply.size() - 1 ? ZMQ.SNDMORE : 0);
                }
            }
        } catch (ZMQException e) {
            if (running && e.getErrorCode() != ZMQ.Error.ETERM.getCode()) {
                LOG.error("ZAP handler stopped on an error; no client can be authenticated any more", e);
            }
        } catch (RuntimeException | Error e) {
            LOG.error("ZAP handler stopped on an error; no client can be authenticated any more", e);
        } finally {
            context.destroySocket(socket);
        }
    }

    /** Decides one ZAP request; never throws, so that the REP socket always sends its reply. */
    List<byte[]> answer(List<byte[]> request) {
        byte[] requestId = request.size() > 1 ? request.get(1) : new byte[0];
        try {
            if (request.size() < 6) {
                return refuse(requestId, "?", null, "?", "?", "malformed ZAP request (" + request.size() + " frames)");
            }
            String version = text(request.get(0));
            String domain = text(request.get(2));
            String address = text(request.get(3));
            String mechanism = text(request.get(5));
            if (!VERSION.equals(version)) {
                return refuse(requestId, mechanism, null, address, domain, "unsupported ZAP version " + version);
            }
            if (!"CURVE".equals(mechanism)) {
                return refuse(requestId, mechanism, null, address, domain, "mechanism " + mechanism
                        + " is not allowed; only CURVE with a key in the allow-list is");
            }
            if (request.size() != 7 || request.get(6).length != Z85Key.BYTES) {
                return refuse(requestId, mechanism, null, address, domain, "malformed CURVE credentials");
            }
            String key = Z85Key.encode(request.get(6));
            if (!allowList.contains(key)) {
                return refuse(requestId, mechanism, key, address, domain, "client key is not in the allow-list "
                        + allowList.file());
            }
            admissions.incrementAndGet();
            if (LOG.isDebugEnabled()) {
                LOG.debug("Admitted CURVE client {} from {} (domain '{}')", key, address, domain);
            }
            return reply(requestId, "200", "OK", key);
        } catch (RuntimeException e) {
            refusals.incrementAndGet();
            LOG.error("ZAP handler failed on a request; refused it", e);
            return reply(requestId, "500", "internal error", "");
        }
    }

    private List<byte[]> refuse(byte[] requestId, String mechanism, String key, String address, String domain,
                                String reason) {
        refusals.incrementAndGet();
        String what = mechanism + " " + (key == null ? "-" : key) + " " + host(address);
        if (logged.size() < MAX_LOGGED) {
            if (logged.add(what)) {
                LOG.warn("Refused {} client{} from {} (domain '{}'): {}", SafeText.display(mechanism),
                        key == null ? "" : " with key " + key, SafeText.display(address), SafeText.display(domain),
                        reason);
                if (logged.size() == MAX_LOGGED) {
                    LOG.warn("{} distinct refusals logged; further refusals are counted but not logged", MAX_LOGGED);
                }
            }
        }
        // The reason stays in our log: peers only learn that they were refused.
        return reply(requestId, "400", "access denied", "");
    }

    /** The peer's host without its port, so that each reconnection (a new port) is not logged again. */
    static String host(String address) {
        int colon = address.lastIndexOf(':');
        if (colon > 0 && colon < address.length() - 1
                && address.substring(colon + 1).chars().allMatch(Character::isDigit)
                && (address.indexOf(':') == colon || address.charAt(colon - 1) == ']')) {
            return address.substring(0, colon);
        }
        return address;
    }

    private static List<byte[]> reply(byte[] requestId, String status, String text, String userId) {
        return List.of(bytes(VERSION), requestId, bytes(status), bytes(text), bytes(userId), new byte[0]);
    }

    private static String text(byte[] frame) {
        return new String(frame, StandardCharsets.ISO_8859_1);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
