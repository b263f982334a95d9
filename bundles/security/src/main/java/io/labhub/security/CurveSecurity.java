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
     * Makes {@code socket} a CURVE server with this runtime's key pair; call before {@code bind}, on the
     * socket's thread. It also installs an event hook that logs and counts the connections refused during
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
