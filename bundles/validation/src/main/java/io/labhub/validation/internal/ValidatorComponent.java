package io.labhub.validation.internal;

import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelName;
import io.labhub.validation.ValidationLimits;
import io.labhub.validation.Validator;
import io.labhub.validation.Validators;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import java.util.Map;

/**
 * Publishes the {@link Validator} service, with limits from the configuration {@code io.labhub.validation}
 * ({@code conf/io.labhub.validation.cfg} in the runtime). With no configuration the defaults apply.
 *
 * <p>A configuration with a limit below 1 is refused loudly: activation fails (SCR logs the
 * {@code limits.*} refusal and the service is absent) rather than running with limits nobody chose; a
 * later bad modification is likewise refused and the previous limits stay in force.
 */
@Component(service = Validator.class, configurationPid = ValidatorComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true)
@Designate(ocd = ValidatorComponent.Config.class)
public final class ValidatorComponent implements Validator {

    /** The configuration PID. */
    public static final String PID = "io.labhub.validation";

    /** The limits every LabHub entry point applies to what it receives. */
    @ObjectClassDefinition(id = PID, name = "LabHub validation",
            description = "Limits applied to shared-memory sizes and channel metadata.")
    public @interface Config {
        @AttributeDefinition(description = "Largest shared-memory ring (slot size x slot count), in bytes.", min = "1")
        long maxSegmentBytes() default ValidationLimits.DEFAULT_MAX_SEGMENT_BYTES;

        @AttributeDefinition(description = "Largest slot payload, in bytes.", min = "1")
        int maxSlotSize() default ValidationLimits.DEFAULT_MAX_SLOT_SIZE;

        @AttributeDefinition(description = "Most slots in one shared-memory ring.", min = "1")
        int maxSlotCount() default ValidationLimits.DEFAULT_MAX_SLOT_COUNT;

        @AttributeDefinition(description = "Most entries in one metadata map, counting nested maps and lists.", min = "1")
        int maxMetadataEntries() default ValidationLimits.DEFAULT_MAX_METADATA_ENTRIES;

        @AttributeDefinition(description = "Most levels of nested maps and lists in metadata (the map itself is 1).", min = "1")
        int maxMetadataDepth() default ValidationLimits.DEFAULT_MAX_METADATA_DEPTH;

        @AttributeDefinition(description = "Longest metadata string value, in characters.", min = "1")
        int maxMetadataValueLength() default ValidationLimits.DEFAULT_MAX_METADATA_VALUE_LENGTH;
    }

    private volatile Validator delegate = Validators.defaults();

    /**
     * Applies a configuration (at activation and on every change).
     *
     * @throws io.labhub.api.InvalidInputException {@code limits.*} when a limit is below 1
     */
    @Activate
    @Modified
    void activate(Config config) {
        delegate = Validators.create(new ValidationLimits(config.maxSegmentBytes(), config.maxSlotSize(),
                config.maxSlotCount(), config.maxMetadataEntries(), config.maxMetadataDepth(),
                config.maxMetadataValueLength()));
    }

    @Override
    public ChannelName channelName(String name) {
        return delegate.channelName(name);
    }

    @Override
    public String bindEndpoint(String endpoint) {
        return delegate.bindEndpoint(endpoint);
    }

    @Override
    public io.labhub.api.ShmOptions shmOptions(io.labhub.api.ShmOptions options) {
        return delegate.shmOptions(options);
    }

    @Override
    public io.labhub.api.ZmqOptions zmqOptions(io.labhub.api.ZmqOptions options) {
        return delegate.zmqOptions(options);
    }

    @Override
    public io.labhub.api.schema.Schema schema(ChannelKind kind, Map<String, ?> json) {
        return delegate.schema(kind, json);
    }

    @Override
    public io.labhub.api.schema.Schema schema(ChannelKind kind, io.labhub.api.schema.Schema schema) {
        return delegate.schema(kind, schema);
    }

    @Override
    public io.labhub.api.ConsumerOptions consumerOptions(io.labhub.api.ConsumerOptions options) {
        return delegate.consumerOptions(options);
    }

    @Override
    public String publicKey(String z85) {
        return delegate.publicKey(z85);
    }

    @Override
    public void shmSizes(long slotSize, long slotCount) {
        delegate.shmSizes(slotSize, slotCount);
    }

    @Override
    public Map<String, ?> metadata(Map<String, ?> metadata) {
        return delegate.metadata(metadata);
    }

    @Override
    public String endpoint(ChannelKind kind, String endpoint, Map<String, ?> metadata) {
        return delegate.endpoint(kind, endpoint, metadata);
    }

    @Override
    public ValidationLimits limits() {
        return delegate.limits();
    }
}
