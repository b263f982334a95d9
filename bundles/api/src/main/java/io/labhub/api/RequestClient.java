package io.labhub.api;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The calling end of a reqrep channel. Requests carry ids, so a lost reply never wedges the client: a
 * request whose server died ends in a {@link ChannelTimeoutException} and the next request may succeed
 * against a restarted server.
 *
 * <p>Threading: safe to call from several threads; each call waits only for its own reply.
 */
@org.osgi.annotation.versioning.ProviderType
public interface RequestClient extends Channel {

    /**
     * Sends a request and waits for its reply at most {@code timeout}.
     *
     * @throws ChannelTimeoutException  when no reply arrives in time
     * @throws RemoteException          when the server's handler failed (its error is in the message)
     * @throws MessageTooLargeException when the request or the reply exceeds the maximum message size
     */
    byte[] request(byte[] payload, Duration timeout);

    /** Sends a request; the future completes with the reply or one of the exceptions of {@link #request}. */
    CompletableFuture<byte[]> requestAsync(byte[] payload, Duration timeout);
}
