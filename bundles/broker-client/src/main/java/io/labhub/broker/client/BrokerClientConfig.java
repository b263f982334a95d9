package io.labhub.broker.client;

import io.labhub.broker.protocol.Wire;
import java.time.Duration;
import java.util.Objects;

/**
 * Where the broker is and how to talk to it.
 *
 * @param endpoint          the broker's request endpoint, e.g. {@code tcp://127.0.0.1:5570}
 * @param brokerPublicKey   the broker's CURVE public key (Z85, 40 characters)
 * @param heartbeatInterval how often to heartbeat; the client uses the shorter of this and the interval
 *                          the broker states in its {@code hello} reply
 * @param requestTimeout    how long to wait for a reply before a request is given up (and, with no reply
 *                          at all for that long, the broker is considered unreachable)
 */
public record BrokerClientConfig(String endpoint, String brokerPublicKey, Duration heartbeatInterval,
                                 Duration requestTimeout) {

    /** Default heartbeat interval: the protocol's, {@link Wire#DEFAULT_HEARTBEAT_INTERVAL_MS} (500 ms), the broker's default. */
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofMillis(Wire.DEFAULT_HEARTBEAT_INTERVAL_MS);
    /** Default request timeout: 2 s. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(2);

    /** @throws IllegalArgumentException when a duration is not positive */
    public BrokerClientConfig {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(brokerPublicKey, "brokerPublicKey");
        Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        if (heartbeatInterval.toMillis() < 1 || requestTimeout.toMillis() < 1) {
            throw new IllegalArgumentException("heartbeatInterval and requestTimeout must be at least 1 ms");
        }
    }

    /** @return a configuration with the default heartbeat interval and request timeout */
    public static BrokerClientConfig of(String endpoint, String brokerPublicKey) {
        return new BrokerClientConfig(endpoint, brokerPublicKey, DEFAULT_HEARTBEAT_INTERVAL, DEFAULT_REQUEST_TIMEOUT);
    }
}
