package io.labhub.security.internal;

import io.labhub.api.ErrorCode;
import io.labhub.api.LabHubException;
import io.labhub.security.CurveKeyPair;
import io.labhub.security.CurveSecurityFactory;
import io.labhub.security.CurveSecurityHandle;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/** The one implementation of {@link CurveSecurityHandle}; see {@link CurveSecurityFactory#start}. */
public final class CurveSecurityRuntime implements CurveSecurityHandle {

    private static final Logger LOG = LoggerFactory.getLogger(CurveSecurityRuntime.class);

    private final CurveKeyPair keys;
    private final byte[] publicKey;
    private final byte[] secretKey;
    private final AllowList allowList;
    private final ZContext context;
    private final ZapHandler zap;
    private final HandshakeMonitor handshakes;
    private final AtomicBoolean closed = new AtomicBoolean();

    private CurveSecurityRuntime(CurveKeyPair keys, AllowList allowList, ZContext context, ZapHandler zap) {
        this.keys = keys;
        this.publicKey = ZMQ.Curve.z85Decode(keys.publicKey());
        this.secretKey = ZMQ.Curve.z85Decode(keys.secretKey());
        this.allowList = allowList;
        this.context = context;
        this.zap = zap;
        this.handshakes = new HandshakeMonitor();
    }

    /** See {@link CurveSecurityFactory#start}. */
    public static CurveSecurityRuntime start(Path keysDir, Path allowListFile) {
        Objects.requireNonNull(keysDir, "keysDir");
        CurveKeyPair keys = CurveKeys.loadOrCreate(keysDir);
        AllowList allowList = new AllowList(allowListFile);
        if (allowList.add(keys.publicKey())) {
            LOG.info("Added this runtime's public key {} to allow-list {}", keys.publicKey(), allowList.file());
        }
        ZContext context = new ZContext();
        // Before the first socket (JeroMQ refuses later): an error that kills a JeroMQ thread (an I/O
        // thread, the reaper) is logged, and reaches the JVM's default handler (bin/labhub's stops the
        // runtime on an Error) instead of only being printed on stderr.
        context.setUncaughtExceptionHandler(CurveSecurityRuntime::uncaught);
        context.setNotificationExceptionHandler((thread, e) ->
                LOG.warn("JeroMQ thread {} reported {}", thread.getName(), e.toString(), e));
        ZapHandler zap;
        try {
            zap = ZapHandler.start(context, allowList);
        } catch (RuntimeException e) {
            context.close();
            throw e;
        }
        LOG.info("CURVE security running: public key {}, allow-list {} ({} keys), ZAP handler {}",
                keys.publicKey(), allowList.file(), allowList.keys().size(), zap.threadName());
        return new CurveSecurityRuntime(keys, allowList, context, zap);
    }

    private static void uncaught(Thread thread, Throwable e) {
        Thread.UncaughtExceptionHandler fallback = Thread.getDefaultUncaughtExceptionHandler();
        if (fallback != null) {
            fallback.uncaughtException(thread, e); // bin/labhub's logs it and stops the runtime on an Error
            return;
        }
        try {
            LOG.error("JeroMQ thread {} died: {}; ZeroMQ networking of this runtime may be dead", thread.getName(), e.toString(), e);
        } catch (Throwable logFailed) {
            e.printStackTrace(); // no memory to log: stderr at least
        }
    }

    @Override
    public ZContext context() {
        requireOpen();
        return context;
    }

    @Override
    public String publicKey() {
        return keys.publicKey();
    }

    @Override
    public void secureServer(ZMQ.Socket socket) {
        Objects.requireNonNull(socket, "socket");
        requireOpen();
        // The ZAP domain makes the server consult the handler whatever its mechanism (a CURVE server
        // always does; a NULL server only with a domain). NULL and PLAIN clients never get past a CURVE
        // server: the ZMTP handshake fails on the mechanism mismatch before ZAP is asked.
        socket.setZAPDomain(CurveSecurityFactory.ZAP_DOMAIN);
        socket.setCurveServer(true);
        socket.setCurvePublicKey(publicKey);
        socket.setCurveSecretKey(secretKey);
        socket.setBacklog(LISTEN_BACKLOG); // many clients connecting at once: see there
        // Refusals during the ZMTP handshake (wrong server key, NULL/PLAIN clients) never reach ZAP: log them.
        handshakes.watch(socket);
    }

    @Override
    public void secureClient(ZMQ.Socket socket, String serverPublicKey) {
        byte[] server = Z85Key.decode(serverPublicKey, "server public key");
        Objects.requireNonNull(socket, "socket");
        requireOpen();
        socket.setHandshakeIvl(CurveKeys.CLIENT_HANDSHAKE_MS); // works around a JeroMQ connect race, see there
        socket.setCurveServerKey(server);
        socket.setCurvePublicKey(publicKey);
        socket.setCurveSecretKey(secretKey);
    }

    @Override
    public boolean isAllowed(String publicKey) {
        return allowList.contains(publicKey);
    }

    @Override
    public void allow(String publicKey) {
        Z85Key.require(publicKey, "public key");
        if (allowList.add(publicKey)) {
            LOG.info("Allowed client key {} (added to {})", publicKey, allowList.file());
        }
    }

    @Override
    public CurveKeyPair generateKeyPair() {
        return CurveKeys.generate();
    }

    @Override
    public long refusals() {
        return zap.refusals();
    }

    @Override
    public long handshakeFailures() {
        return handshakes.failures();
    }

    @Override
    public long admissions() {
        return zap.admissions();
    }

    @Override
    public Path allowListFile() {
        return allowList.file();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        zap.close();
        // Closes the sockets still open and terminates the context, joining JeroMQ's reaper and I/O threads.
        context.close();
        LOG.info("CURVE security stopped");
    }

    private void requireOpen() {
        if (closed.get()) {
            throw new LabHubException(ErrorCode.INTERNAL, "CURVE security is closed");
        }
    }
}
