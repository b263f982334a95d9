package io.labhub.broker;

import java.time.Instant;

/**
 * A broker's state, for the shell.
 *
 * @param running        whether the socket loop runs
 * @param endpoint       request endpoint as bound
 * @param eventsEndpoint events endpoint as bound
 * @param publicKey      the broker's CURVE public key (Z85)
 * @param started        when it started
 * @param channels       channels known, any state
 * @param liveClients    clients whose heartbeats arrive
 * @param requests       requests answered with {@code "status":"ok"}
 * @param refused        messages answered with an error, or dropped because no reply could be addressed
 * @param events         events published
 */
public record BrokerStatus(boolean running, String endpoint, String eventsEndpoint, String publicKey,
                           Instant started, int channels, int liveClients, long requests, long refused,
                           long events) {
}
