package io.labhub.security;

import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The runtime's CurveZMQ security, as one OSGi service. Every LabHub ZeroMQ socket (broker, hub client,
 * pubsub, reqrep) is created from {@link #context()} and secured through this service, so that the ZAP
 * authenticator (which lives in that context) checks every incoming connection against the allow-list.
 *
 * <p>The service is registered only once the ZAP handler is running, so a server socket configured by
 * {@link #secureServer} never accepts a client before authentication is in place.
 *
 * <p>Threading: all methods are thread-safe. ZeroMQ sockets themselves are not: use each socket from
 * one thread.
 */
@org.osgi.annotation.versioning.ProviderType
public interface CurveSecurity {

    /** The shared ZeroMQ context in which the ZAP handler runs. Do not close it. */
    ZContext context();

    /** This runtime's public key (Z85), what peers put in their allow-list and use as server key. */
    String publicKey();

    /**
     * The listen backlog {@link #secureServer} gives every server socket (broker, request servers,
     * publishers). JeroMQ's default is 100: when more clients connect at once than the kernel's accept queue
     * holds while the I/O thread is busy with CURVE handshakes, Linux drops the excess and each such client
     * waits for a TCP retransmission (1 s, then 2 s): 300 clients connecting at once saw p99 1.25 s with 100
     * and 0.44 s with 1024 (benchmarks, zmq/handshake.300.*). Linux caps it at net.core.somaxconn (4096 by
     * default since 5.4).
     */
    int LISTEN_BACKLOG = 1024;

    /**
     * Makes {@code socket} a CURVE server with this runtime's key pair, listening with a backlog of
     * {@link #LISTEN_BACKLOG}; call before {@code bind}, on the socket's thread. It also installs an event hook that logs and counts the connections refused during
     * the handshake, which never reach ZAP (NULL and PLAIN clients, clients with a wrong server key).
     * JeroMQ allows one monitor or hook per socket: to monitor such a socket yourself, call
     * {@code socket.monitor(null, 0)} first (which removes that logging for the socket).
     */
    void secureServer(ZMQ.Socket socket);

    /**
     * Makes {@code socket} a CURVE client of a server whose public key is {@code serverPublicKey}, using
     * this runtime's key pair; call before {@code connect}.
     *
     * @throws io.labhub.api.InvalidInputException when the server key is not a valid Z85 key
     */
    void secureClient(ZMQ.Socket socket, String serverPublicKey);

    /** Whether {@code publicKey} is currently admitted by the allow-list. */
    boolean isAllowed(String publicKey);

    /**
     * Adds {@code publicKey} to the allow-list file (idempotent); it is admitted from now on.
     *
     * @throws io.labhub.api.InvalidInputException when it is not a valid Z85 key
     */
    void allow(String publicKey);

    /** Generates a fresh key pair (not stored anywhere). */
    CurveKeyPair generateKeyPair();
}
