package io.labhub.transport.zmq.internal;

import io.labhub.security.AdvertisedAddress;
import io.labhub.validation.Validator;
import io.labhub.validation.Validators;

/**
 * Every tunable of the ZeroMQ transport with its default, as one immutable value (see
 * {@link ZmqTransportConfig} for the ConfigAdmin side).
 *
 * @param highWaterMark       messages; used when a channel's options give 0 or less
 * @param maxMessageSize      bytes of payload; used when a channel's options give 0 or less
 * @param bindHost            interface producers bind when no endpoint is given ({@code *} = all)
 * @param advertisedHost      host published when bound to all interfaces; empty = chosen by
 *                            {@link AdvertisedAddress} (the primary non-loopback interface)
 * @param lingerMillis        milliseconds a closing socket may spend flushing
 * @param advertisedInterface network interface whose address is published when bound to all interfaces
 *                            and {@code advertisedHost} is empty; empty = automatic
 * @param maxQueuedRequests   a request server's bound on requests received and not yet answered
 * @param maxQueuedBytes      a request server's bound on the payload bytes of those requests
 * @param maxQueuedRequestsPerClient the same bound per client connection
 * @param maxQueuedBytesPerClient    the same bound in bytes per client connection
 * @param maxInFlight         a request client's bound on requests sent or waiting and not yet answered
 * @param maxInFlightBytes    a request client's bound on the payload bytes of those requests
 * @param heartbeatIntervalMillis consumers (subscribers, request clients) send a ZMTP PING to their producer
 *                            this often, so that a dead link is noticed; 0 or less = default
 * @param heartbeatTimeoutMillis a consumer drops its connection (and reconnects by itself) when nothing came
 *                            back this long after a PING; 0 or less = default
 */
public record ZmqSettings(int highWaterMark, int maxMessageSize, String bindHost, String advertisedHost,
                          int lingerMillis, String advertisedInterface, int maxQueuedRequests, long maxQueuedBytes,
                          int maxQueuedRequestsPerClient, long maxQueuedBytesPerClient, int maxInFlight,
                          long maxInFlightBytes, int heartbeatIntervalMillis, int heartbeatTimeoutMillis) {

    public static final String PID = "io.labhub.transport.zmq";
    public static final int DEFAULT_HIGH_WATER_MARK = 1000;
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 16 << 20;
    public static final String DEFAULT_BIND_HOST = "*";
    public static final int DEFAULT_LINGER_MILLIS = 100;
    public static final int DEFAULT_MAX_QUEUED_REQUESTS = 1000;
    public static final long DEFAULT_MAX_QUEUED_BYTES = 64L << 20;
    public static final int DEFAULT_MAX_QUEUED_REQUESTS_PER_CLIENT = 256;
    public static final long DEFAULT_MAX_QUEUED_BYTES_PER_CLIENT = 32L << 20;
    public static final int DEFAULT_MAX_IN_FLIGHT = 1000;
    public static final long DEFAULT_MAX_IN_FLIGHT_BYTES = 64L << 20;
    public static final int DEFAULT_HEARTBEAT_INTERVAL_MILLIS = 500;
    public static final int DEFAULT_HEARTBEAT_TIMEOUT_MILLIS = 1500;
    /** Longest wait between two reconnect attempts of a consumer socket (JeroMQ starts at 100 ms and doubles). */
    static final int RECONNECT_MAX_MILLIS = 1000;
    /** The property a warning names when only loopback can be advertised. */
    static final String ADVERTISED_HOST_PROPERTY = PID + " advertisedHost (or advertisedInterface)";

    public static final ZmqSettings DEFAULTS = new ZmqSettings(DEFAULT_HIGH_WATER_MARK, DEFAULT_MAX_MESSAGE_SIZE,
            DEFAULT_BIND_HOST, "", DEFAULT_LINGER_MILLIS);

    public ZmqSettings {
        bindHost = bindHost == null || bindHost.isBlank() ? DEFAULT_BIND_HOST : bindHost.trim();
        advertisedHost = advertisedHost == null ? "" : advertisedHost.trim();
        advertisedInterface = advertisedInterface == null ? "" : advertisedInterface.trim();
        if (highWaterMark <= 0) {
            highWaterMark = DEFAULT_HIGH_WATER_MARK;
        }
        if (maxMessageSize <= 0) {
            maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
        }
        lingerMillis = Math.max(0, lingerMillis);
        maxQueuedRequests = maxQueuedRequests > 0 ? maxQueuedRequests : DEFAULT_MAX_QUEUED_REQUESTS;
        maxQueuedBytes = maxQueuedBytes > 0 ? maxQueuedBytes : DEFAULT_MAX_QUEUED_BYTES;
        maxQueuedRequestsPerClient = maxQueuedRequestsPerClient > 0 ? maxQueuedRequestsPerClient
                : DEFAULT_MAX_QUEUED_REQUESTS_PER_CLIENT;
        maxQueuedBytesPerClient = maxQueuedBytesPerClient > 0 ? maxQueuedBytesPerClient : DEFAULT_MAX_QUEUED_BYTES_PER_CLIENT;
        maxInFlight = maxInFlight > 0 ? maxInFlight : DEFAULT_MAX_IN_FLIGHT;
        maxInFlightBytes = maxInFlightBytes > 0 ? maxInFlightBytes : DEFAULT_MAX_IN_FLIGHT_BYTES;
        heartbeatIntervalMillis = heartbeatIntervalMillis > 0 ? heartbeatIntervalMillis : DEFAULT_HEARTBEAT_INTERVAL_MILLIS;
        heartbeatTimeoutMillis = heartbeatTimeoutMillis > 0 ? heartbeatTimeoutMillis : DEFAULT_HEARTBEAT_TIMEOUT_MILLIS;
    }

    /** Every setting but the heartbeats, which take their defaults. */
    public ZmqSettings(int highWaterMark, int maxMessageSize, String bindHost, String advertisedHost, int lingerMillis,
                       String advertisedInterface, int maxQueuedRequests, long maxQueuedBytes,
                       int maxQueuedRequestsPerClient, long maxQueuedBytesPerClient, int maxInFlight,
                       long maxInFlightBytes) {
        this(highWaterMark, maxMessageSize, bindHost, advertisedHost, lingerMillis, advertisedInterface, maxQueuedRequests,
                maxQueuedBytes, maxQueuedRequestsPerClient, maxQueuedBytesPerClient, maxInFlight, maxInFlightBytes, 0, 0);
    }

    /** The first five settings; every bound at its default, the advertised interface automatic. */
    public ZmqSettings(int highWaterMark, int maxMessageSize, String bindHost, String advertisedHost, int lingerMillis) {
        this(highWaterMark, maxMessageSize, bindHost, advertisedHost, lingerMillis, "", 0, 0, 0, 0, 0, 0);
    }

    static ZmqSettings from(ZmqTransportConfig c) {
        return new ZmqSettings(c.highWaterMark(), c.maxMessageSize(), c.bindHost(), c.advertisedHost(), c.lingerMillis(),
                c.advertisedInterface(), c.maxQueuedRequests(), c.maxQueuedBytes(), c.maxQueuedRequestsPerClient(),
                c.maxQueuedBytesPerClient(), c.maxInFlight(), c.maxInFlightBytes(), c.heartbeatIntervalMillis(),
                c.heartbeatTimeoutMillis());
    }

    /** These settings with other request/reply bounds (0 = default). */
    ZmqSettings withBounds(int queuedRequests, long queuedBytes, int queuedRequestsPerClient, long queuedBytesPerClient,
                           int inFlight, long inFlightBytes) {
        return new ZmqSettings(highWaterMark, maxMessageSize, bindHost, advertisedHost, lingerMillis, advertisedInterface,
                queuedRequests, queuedBytes, queuedRequestsPerClient, queuedBytesPerClient, inFlight, inFlightBytes,
                heartbeatIntervalMillis, heartbeatTimeoutMillis);
    }

    /** These settings with other consumer heartbeats (0 = default). */
    ZmqSettings withHeartbeat(int intervalMillis, int timeoutMillis) {
        return new ZmqSettings(highWaterMark, maxMessageSize, bindHost, advertisedHost, lingerMillis, advertisedInterface,
                maxQueuedRequests, maxQueuedBytes, maxQueuedRequestsPerClient, maxQueuedBytesPerClient, maxInFlight,
                maxInFlightBytes, intervalMillis, timeoutMillis);
    }

    int hwm(int requested) {
        return requested > 0 ? requested : highWaterMark;
    }

    int maxMessage(int requested) {
        return requested > 0 ? requested : maxMessageSize;
    }

    private static final Validator VALIDATOR = Validators.defaults();

    /** Where a producer binds: its own endpoint, or an ephemeral tcp port on {@link #bindHost}. */
    String bindEndpoint(String requested) {
        if (requested == null || requested.isBlank()) {
            return "tcp://" + bindHost + ":*";
        }
        return VALIDATOR.bindEndpoint(requested); // the one rule (zmq.endpoint), in the Validator
    }

    /**
     * What consumers should connect to, given what the socket reports it is bound to ({@code
     * tcp://0.0.0.0:40123} for all interfaces, which nobody can connect to from another host): the
     * wildcard host replaced by {@link AdvertisedAddress}'s choice (one rule for every LabHub socket).
     */
    String advertise(String boundEndpoint) {
        return AdvertisedAddress.advertise(boundEndpoint, advertisedHost, advertisedInterface, ADVERTISED_HOST_PROPERTY);
    }
}
