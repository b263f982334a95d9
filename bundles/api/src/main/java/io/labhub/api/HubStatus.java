package io.labhub.api;

import java.time.Instant;
import java.util.Set;

/**
 * What the Hub knows about itself, for the shell and for host applications.
 *
 * @param clientKey         this Hub's CURVE public key (Z85), or empty when security is not running
 * @param brokerEndpoint    the broker it talks to, or empty when none is configured
 * @param brokerConnected   whether the broker answered the last heartbeat
 * @param lastBrokerContact when the broker last answered, or {@code null} if never
 * @param message           a human-readable state, e.g. "broker unreachable, retrying in 2 s"
 * @param transports        channel kinds for which a transport is installed
 * @param localChannels     channels created through this Hub and still open
 */
public record HubStatus(String clientKey, String brokerEndpoint, boolean brokerConnected, Instant lastBrokerContact,
                        String message, Set<ChannelKind> transports, int localChannels) {

    public HubStatus {
        transports = Set.copyOf(transports);
    }
}
