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
            + "empty means this machine's address")
    String advertisedHost() default "";

    @AttributeDefinition(description = "Milliseconds a closing socket may spend flushing queued messages")
    int lingerMillis() default ZmqSettings.DEFAULT_LINGER_MILLIS;
}
