package io.labhub.broker;

import io.labhub.broker.protocol.Wire;
import java.time.Duration;
import java.util.Objects;

/**
 * How a broker runs. In the runtime these come from the ConfigAdmin configuration
 * {@code io.labhub.broker} (see {@code BrokerComponent}).
 *
 * <p>The quotas bound what one client key (one CURVE identity) can make the broker hold, so that an
 * allowed but hostile or buggy client cannot exhaust its memory or its loop; beyond a quota the broker
 * answers {@code QUOTA_EXCEEDED} naming the quota and its limit (docs/protocol.md, "Limits"). The
 * defaults are far above what a lab runtime uses (a camera or a stage offers a handful of channels with
 * a few hundred bytes of metadata) and keep the worst case of a few hundred clients within a default heap.
 *
 * @param endpoint               where the ROUTER binds; {@code tcp://127.0.0.1:*} or port 0 picks a free port
 * @param eventsEndpoint         where the PUB socket for events binds; same rules
 * @param heartbeatInterval      how often clients are expected to heartbeat
 * @param missedBeats            how many heartbeats a client may miss before it is declared lost
 * @param maxMessageSize         largest request accepted, in bytes; larger ones get {@code MESSAGE_TOO_LARGE}
 * @param maxChannelsPerKey      most channels one key may hold (active, or lost and reserved for it)
 * @param maxMetadataBytesPerKey most metadata bytes (UTF-8 of keys and values as stored) summed over a key's
 *                               channels
 * @param maxInFlightPerKey      most requests of one key read and not yet answered by the broker (one loop
 *                               iteration's burst); also the ZeroMQ receive queue of each connection
 * @param reservationGrace       how long the name of a lost producer stays reserved for its key
 */
public record BrokerConfig(String endpoint, String eventsEndpoint, Duration heartbeatInterval, int missedBeats,
                           int maxMessageSize, int maxChannelsPerKey, long maxMetadataBytesPerKey,
                           int maxInFlightPerKey, Duration reservationGrace) {

    /** Default request endpoint. */
    public static final String DEFAULT_ENDPOINT = "tcp://*:5570";
    /** Default events endpoint. */
    public static final String DEFAULT_EVENTS_ENDPOINT = "tcp://*:5571";
    /** Default heartbeat interval: the protocol's, {@link Wire#DEFAULT_HEARTBEAT_INTERVAL_MS} (500 ms). */
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofMillis(Wire.DEFAULT_HEARTBEAT_INTERVAL_MS);
    /** Default number of missed heartbeats before a client is lost: 3. */
    public static final int DEFAULT_MISSED_BEATS = 3;
    /** Default largest request: 64 KiB. */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 65536;
    /**
     * Default channels per key: 256. A runtime offers one to a few channels per instrument; 256 leaves
     * room for a big rig in one runtime while bounding the registry at 256 entries per admitted key.
     */
    public static final int DEFAULT_MAX_CHANNELS_PER_KEY = 256;
    /**
     * Default metadata bytes per key: 1 MiB. Typical metadata (units, geometry, a schema) is well under
     * 4 KiB per channel, so 256 channels of it fit; a key cannot make the broker hold (and list) more
     * than 1 MiB of metadata, against the 186 MB that one client registered in issue 12.
     */
    public static final long DEFAULT_MAX_METADATA_BYTES_PER_KEY = 1L << 20;
    /**
     * Default requests in flight per key: 512. A well-behaved client has one or two outstanding, but the
     * Java client replays all its offers and attachments in one burst after a reconnection (up to
     * {@link #DEFAULT_MAX_CHANNELS_PER_KEY} registers plus its attaches), which must never be refused;
     * 512 covers that and still bounds what one key makes one loop iteration do (of the 1024 messages an
     * iteration reads at most).
     */
    public static final int DEFAULT_MAX_IN_FLIGHT_PER_KEY = 512;
    /**
     * Default reservation grace: 30 s. Long enough for a crashed runtime to be restarted by hand or by a
     * service manager and re-register (seconds), so that nobody else can take its names meanwhile; short
     * enough that a producer moved to another runtime (another key) is usable again within half a minute.
     */
    public static final Duration DEFAULT_RESERVATION_GRACE = Duration.ofSeconds(30);

    /** tcp://*:5570, tcp://*:5571, 500 ms, 3 beats, 65536 bytes, and the default quotas and grace. */
    public static final BrokerConfig DEFAULTS = new BrokerConfig(DEFAULT_ENDPOINT, DEFAULT_EVENTS_ENDPOINT,
            DEFAULT_HEARTBEAT_INTERVAL, DEFAULT_MISSED_BEATS, DEFAULT_MAX_MESSAGE_SIZE);

    /** @throws IllegalArgumentException when a value is out of range */
    public BrokerConfig {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(eventsEndpoint, "eventsEndpoint");
        Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
        Objects.requireNonNull(reservationGrace, "reservationGrace");
        if (heartbeatInterval.isNegative() || heartbeatInterval.toMillis() < 1) {
            throw new IllegalArgumentException("heartbeatInterval must be at least 1 ms: " + heartbeatInterval);
        }
        if (missedBeats < 1) {
            throw new IllegalArgumentException("missedBeats must be at least 1: " + missedBeats);
        }
        if (maxMessageSize < 256) {
            throw new IllegalArgumentException("maxMessageSize must be at least 256 bytes: " + maxMessageSize);
        }
        if (maxChannelsPerKey < 1) {
            throw new IllegalArgumentException("maxChannelsPerKey must be at least 1: " + maxChannelsPerKey);
        }
        if (maxMetadataBytesPerKey < 1) {
            throw new IllegalArgumentException("maxMetadataBytesPerKey must be at least 1: " + maxMetadataBytesPerKey);
        }
        if (maxInFlightPerKey < 1) {
            throw new IllegalArgumentException("maxInFlightPerKey must be at least 1: " + maxInFlightPerKey);
        }
        if (reservationGrace.isNegative()) {
            throw new IllegalArgumentException("reservationGrace must not be negative: " + reservationGrace);
        }
    }

    /** Endpoints, liveness and size limit; quotas and grace at their defaults. */
    public BrokerConfig(String endpoint, String eventsEndpoint, Duration heartbeatInterval, int missedBeats,
                        int maxMessageSize) {
        this(endpoint, eventsEndpoint, heartbeatInterval, missedBeats, maxMessageSize, DEFAULT_MAX_CHANNELS_PER_KEY,
                DEFAULT_MAX_METADATA_BYTES_PER_KEY, DEFAULT_MAX_IN_FLIGHT_PER_KEY, DEFAULT_RESERVATION_GRACE);
    }

    /** @return this configuration with other quotas */
    public BrokerConfig withQuotas(int channelsPerKey, long metadataBytesPerKey, int inFlightPerKey) {
        return new BrokerConfig(endpoint, eventsEndpoint, heartbeatInterval, missedBeats, maxMessageSize,
                channelsPerKey, metadataBytesPerKey, inFlightPerKey, reservationGrace);
    }

    /** @return this configuration with another reservation grace */
    public BrokerConfig withReservationGrace(Duration grace) {
        return new BrokerConfig(endpoint, eventsEndpoint, heartbeatInterval, missedBeats, maxMessageSize,
                maxChannelsPerKey, maxMetadataBytesPerKey, maxInFlightPerKey, grace);
    }

    /** @return how long a silent client stays live: heartbeatInterval &times; missedBeats */
    public Duration livenessWindow() {
        return heartbeatInterval.multipliedBy(missedBeats);
    }
}
