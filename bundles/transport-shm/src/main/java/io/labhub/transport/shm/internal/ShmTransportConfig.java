package io.labhub.transport.shm.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the shared-memory transport (PID {@value #PID}). Every tunable with its unit. */
@ObjectClassDefinition(name = "LabHub shared-memory transport", description = "Where segments live, how consumers wait, liveness.")
public @interface ShmTransportConfig {

    String PID = "io.labhub.transport.shm";

    @AttributeDefinition(description = "Directory of the segment files (Linux: a tmpfs). Ignored on Windows (named mappings).")
    String directory() default "/dev/shm";

    @AttributeDefinition(description = "Group that gets read/write access to segment files besides the owner; empty = owner only.")
    String fileGroup() default "";

    @AttributeDefinition(description = "Default busy-spin before yielding, in microseconds (when neither channel nor consumer chose).")
    long spinMicros() default 20;

    @AttributeDefinition(description = "Default yielding before blocking, in microseconds.")
    long yieldMicros() default 200;

    @AttributeDefinition(description = "Heartbeat period of producers and consumers, in milliseconds.")
    long heartbeatPeriodMillis() default 100;

    @AttributeDefinition(description = "A peer whose heartbeat did not move for this long is dead, in milliseconds.")
    long livenessTimeoutMillis() default 1000;

    @AttributeDefinition(description = "Consumer table entries of a new segment (at least 64).")
    int maxConsumers() default 64;

    @AttributeDefinition(description = "Longest single blocking wait of a consumer, in milliseconds (bounds how late a close is seen).")
    long blockSliceMillis() default 100;
}
