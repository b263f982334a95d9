package io.labhub.api;

/**
 * Sees each request a request server of this runtime answers, and its reply or typed error: what a request/reply
 * log (the recorder's) is made of. Registered with {@link Hub#observeRequests}.
 *
 * <p>Called on the server's worker thread right after the handler returned, before the reply is sent: it must
 * return quickly (hand the exchange to a queue of its own) and must not keep or change the arrays beyond the call
 * without copying them. An exception it throws is logged and changes nothing for the client.
 *
 * @since 1.6
 */
@FunctionalInterface
@org.osgi.annotation.versioning.ConsumerType
public interface RequestObserver {

    /**
     * @param receivedNanos when the request reached the handler, ns since the Unix epoch
     * @param request       the request's bytes
     * @param reply         the reply's bytes, or {@code null} when the handler failed
     * @param error         the handler's failure as the client gets it (its message and type), or {@code null}
     */
    void exchanged(long receivedNanos, byte[] request, byte[] reply, Exception error);
}
