package io.labhub.security;

import java.nio.file.Path;

/**
 * A running {@link CurveSecurity}: its own ZeroMQ context with the ZAP handler already running.
 * Made by {@link CurveSecurityFactory#start}; usable with or without OSGi.
 *
 * <p>Close it after every socket made from {@link #context()} has been closed by its own thread; sockets
 * still open are closed by {@link #close()}.
 */
@org.osgi.annotation.versioning.ProviderType
public interface CurveSecurityHandle extends CurveSecurity, AutoCloseable {

    /** @return connections the ZAP handler refused so far (unknown keys, NULL/PLAIN ZAP requests) */
    long refusals();

    /**
     * @return connections to server sockets of this handle refused during the ZMTP handshake, before
     *         ZAP is asked: clients with a wrong server key, NULL and PLAIN clients (1.1)
     */
    default long handshakeFailures() {
        return 0;
    }

    /** @return connections the ZAP handler admitted so far */
    long admissions();

    /** @return the allow-list file this handle reads (and {@link #allow} appends to) */
    Path allowListFile();

    /**
     * Stops the ZAP handler and destroys the context; no thread started by this handle stays alive.
     * Idempotent; after it, the securing methods throw.
     */
    @Override
    void close();
}
