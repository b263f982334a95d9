package io.labhub.broker.client;

import java.time.Instant;

/**
 * What a {@link BrokerClient} knows about its broker.
 *
 * @param connected      whether a session is open and the broker answered within the request timeout
 * @param lastContact    when the broker last answered, or {@code null} if never
 * @param message        a human-readable state, e.g. "broker unreachable, retrying every 2000 ms"
 * @param brokerEndpoint the broker endpoint
 * @param clientKey      this client's CURVE public key (Z85): its identity at the broker
 */
public record BrokerClientStatus(boolean connected, Instant lastContact, String message, String brokerEndpoint,
                                 String clientKey) {
}
