package io.labhub.transport.shm.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the shared-memory transport (PID {@value #PID}). Every tunable with its unit; the defaults are {@link RingSettings}'s constants. */
@ObjectClassDefinition(name = "LabHub shared-memory transport", description = "Where segments live, how consumers wait, liveness.")
public @interface ShmTransportConfig {

    String PID = "io.labhub.transport.shm";

    @AttributeDefinition(description = "Directory of the segment files (Linux: a tmpfs). Ignored on Windows (named mappings).")
    String directory() default "/dev/shm";

    @AttributeDefinition(description = "Group that gets read/write access to segment files besides the owner; empty = owner only. Refused on Windows (segments are the creating user's only).")
    String fileGroup() default "";

    @AttributeDefinition(description = "Windows object namespace: Local (this logon session, the default) or Global (every session; creating needs SeCreateGlobalPrivilege). Ignored elsewhere.")
    String windowsNamespace() default "Local";

    @AttributeDefinition(description = "Default busy-spin before yielding, in microseconds (when neither channel nor consumer chose).")
    long spinMicros() default RingSettings.SPIN_MICROS;

    @AttributeDefinition(description = "Default yielding before blocking, in microseconds.")
    long yieldMicros() default RingSettings.YIELD_MICROS;

    @AttributeDefinition(description = "Heartbeat period of producers and consumers, in milliseconds.")
    long heartbeatPeriodMillis() default RingSettings.HEARTBEAT_PERIOD_MILLIS;

    @AttributeDefinition(description = "A peer whose heartbeat did not move for this long is dead, in milliseconds.")
    long livenessTimeoutMillis() default RingSettings.LIVENESS_TIMEOUT_MILLIS;

    @AttributeDefinition(description = "Consumer table entries of a new segment (at least 64).")
    int maxConsumers() default RingSettings.CONSUMER_CAPACITY;

    @AttributeDefinition(description = "Longest single blocking wait of a consumer, in milliseconds (bounds how late a close is seen).")
    long blockSliceMillis() default RingSettings.BLOCK_SLICE_MILLIS;
}
