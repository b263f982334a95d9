package io.labhub.api;

/**
 * Application code that answers requests on a reqrep channel; implemented by drivers.
 *
 * <p>Called on the server's worker thread(s), never on the caller's. With more than one worker thread
 * it must be thread-safe. An exception it throws is sent back to the client as a typed error
 * ({@link RemoteException}, or the matching {@link LabHubException} subtype when it throws one).
 */
@FunctionalInterface
@org.osgi.annotation.versioning.ConsumerType
public interface RequestHandler {

    byte[] handle(byte[] request) throws Exception;
}
