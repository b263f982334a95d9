package io.labhub.transport.zmq.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration (PID {@value ZmqSettings#PID}) shared by the pubsub and reqrep transports. */
@ObjectClassDefinition(name = "LabHub ZeroMQ transport",
        description = "Defaults of the pubsub and reqrep channels. A change applies to channels opened afterwards.")
public @interface ZmqTransportConfig {

    @AttributeDefinition(description = "Messages queued per peer before dropping (pubsub) or pausing reads (reqrep), "
            + "used when a channel's options give 0")
    int highWaterMark() default ZmqSettings.DEFAULT_HIGH_WATER_MARK;

    @AttributeDefinition(description = "Largest payload in bytes, used when a channel's options give 0")
    int maxMessageSize() default ZmqSettings.DEFAULT_MAX_MESSAGE_SIZE;

    @AttributeDefinition(description = "Host or interface that producers bind when their options name no endpoint; "
            + "* means all interfaces")
    String bindHost() default ZmqSettings.DEFAULT_BIND_HOST;

    @AttributeDefinition(description = "Host published to the broker when bound to all interfaces; "
            + "empty means the address of the primary non-loopback interface (or advertisedInterface's)")
    String advertisedHost() default "";

    @AttributeDefinition(description = "Network interface (e.g. eth0) whose address is published when bound to all "
            + "interfaces and advertisedHost is empty; empty means the primary non-loopback interface")
    String advertisedInterface() default "";

    @AttributeDefinition(description = "Milliseconds a closing socket may spend flushing queued messages")
    int lingerMillis() default ZmqSettings.DEFAULT_LINGER_MILLIS;

    @AttributeDefinition(description = "Request server: requests received and not yet answered, beyond which "
            + "a request is refused at once with BUSY")
    int maxQueuedRequests() default ZmqSettings.DEFAULT_MAX_QUEUED_REQUESTS;

    @AttributeDefinition(description = "Request server: payload bytes of requests received and not yet answered, "
            + "beyond which a request is refused at once with BUSY")
    long maxQueuedBytes() default ZmqSettings.DEFAULT_MAX_QUEUED_BYTES;

    @AttributeDefinition(description = "Request server: the request bound per client connection")
    int maxQueuedRequestsPerClient() default ZmqSettings.DEFAULT_MAX_QUEUED_REQUESTS_PER_CLIENT;

    @AttributeDefinition(description = "Request server: the byte bound per client connection")
    long maxQueuedBytesPerClient() default ZmqSettings.DEFAULT_MAX_QUEUED_BYTES_PER_CLIENT;

    @AttributeDefinition(description = "Request client: requests not yet answered, beyond which request() fails "
            + "at once with BUSY")
    int maxInFlight() default ZmqSettings.DEFAULT_MAX_IN_FLIGHT;

    @AttributeDefinition(description = "Request client: payload bytes of requests not yet answered, beyond which "
            + "request() fails at once with BUSY")
    long maxInFlightBytes() default ZmqSettings.DEFAULT_MAX_IN_FLIGHT_BYTES;

    @AttributeDefinition(description = "Subscribers and request clients send a ZMTP heartbeat (PING) to their producer "
            + "every this many milliseconds, so that a dead link is noticed even while the producer has nothing to send")
    int heartbeatIntervalMillis() default ZmqSettings.DEFAULT_HEARTBEAT_INTERVAL_MILLIS;

    @AttributeDefinition(description = "A consumer whose producer answered nothing for this many milliseconds after a "
            + "heartbeat drops the connection, reports producerState() PRODUCER_LOST and reconnects by itself")
    int heartbeatTimeoutMillis() default ZmqSettings.DEFAULT_HEARTBEAT_TIMEOUT_MILLIS;
}
