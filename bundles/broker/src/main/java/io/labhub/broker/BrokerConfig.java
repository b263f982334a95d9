package io.labhub.broker;

import java.time.Duration;
import java.util.Objects;

/**
 * How a broker runs. In the runtime these come from the ConfigAdmin configuration
 * {@code io.labhub.broker} (see {@code BrokerComponent}).
 *
 * @param endpoint          where the ROUTER binds; {@code tcp://127.0.0.1:*} or port 0 picks a free port
 * @param eventsEndpoint    where the PUB socket for events binds; same rules
 * @param heartbeatInterval how often clients are expected to heartbeat
 * @param missedBeats       how many heartbeats a client may miss before it is declared lost
 * @param maxMessageSize    largest request accepted, in bytes; larger ones get {@code MESSAGE_TOO_LARGE}
 */
public record BrokerConfig(String endpoint, String eventsEndpoint, Duration heartbeatInterval, int missedBeats,
                           int maxMessageSize) {

    /** Default request endpoint. */
    public static final String DEFAULT_ENDPOINT = "tcp://*:5570";
    /** Default events endpoint. */
    public static final String DEFAULT_EVENTS_ENDPOINT = "tcp://*:5571";
    /** Default heartbeat interval: 500 ms. */
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofMillis(500);
    /** Default number of missed heartbeats before a client is lost: 3. */
    public static final int DEFAULT_MISSED_BEATS = 3;
    /** Default largest request: 64 KiB. */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 65536;

    /** tcp://*:5570, tcp://*:5571, 500 ms, 3 beats, 65536 bytes. */
    public static final BrokerConfig DEFAULTS = new BrokerConfig(DEFAULT_ENDPOINT, DEFAULT_EVENTS_ENDPOINT,
            DEFAULT_HEARTBEAT_INTERVAL, DEFAULT_MISSED_BEATS, DEFAULT_MAX_MESSAGE_SIZE);

    /** @throws IllegalArgumentException when a value is out of range */
    public BrokerConfig {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(eventsEndpoint, "eventsEndpoint");
        Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
        if (heartbeatInterval.isNegative() || heartbeatInterval.toMillis() < 1) {
            throw new IllegalArgumentException("heartbeatInterval must be at least 1 ms: " + heartbeatInterval);
        }
        if (missedBeats < 1) {
            throw new IllegalArgumentException("missedBeats must be at least 1: " + missedBeats);
        }
        if (maxMessageSize < 256) {
            throw new IllegalArgumentException("maxMessageSize must be at least 256 bytes: " + maxMessageSize);
        }
    }
}
