package io.labhub.recorder.internal;

import io.labhub.recorder.Recorder;
import io.labhub.recorder.RecordingStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A recording that lasts as long as its configuration: {@code io.labhub.recorder.cfg} in {@code deploy/} (or
 * {@code conf/}) starts recording its channels, waiting for them when the drivers come later; deleting the file
 * (or stopping the runtime) stops the recording and writes the HDF5 file. The start runs on a thread of its own,
 * so a wait for channels never holds up the framework; a refusal is logged with its rule. The configuration is
 * optional rather than required so that a runtime without one shows this component ONLINE (idle) in
 * {@code hub:status}, not OFFLINE "waiting for configuration": no recording is the normal state.
 */
@Component(service = {}, configurationPid = RecordingConfig.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        immediate = true)
@Designate(ocd = RecordingConfig.Config.class)
public final class RecordingConfig {

    static final String PID = "io.labhub.recorder";
    private static final Logger LOG = LoggerFactory.getLogger(RecordingConfig.class);

    @ObjectClassDefinition(name = "LabHub recorder",
            description = "Records channels to HDF5 while this configuration exists (docs/recording.md)")
    public @interface Config {
        @AttributeDefinition(description = "The channels to record, comma-separated")
        String channels() default "";

        @AttributeDefinition(description = "The HDF5 file; empty: recording-YYYYMMDD-HHMMSS.h5 in the directory below."
                + " An existing file is refused")
        String file() default "";

        @AttributeDefinition(description = "Where a file without a directory goes (the runtime's working directory"
                + " when empty)")
        String directory() default "";

        @AttributeDefinition(description = "How long to wait for channels that are not there yet, in milliseconds",
                min = "0")
        long waitForChannelsMs() default 60_000;
    }

    private final Recorder recorder;
    private final Thread starter;
    private volatile Path file;

    @Activate
    public RecordingConfig(@Reference Recorder recorder, Config config) {
        this.recorder = recorder;
        List<String> channels = Arrays.stream(config.channels().split(",")).map(String::trim).filter(c -> !c.isEmpty())
                .toList();
        Path dir = Path.of(config.directory().isBlank() ? "." : config.directory());
        Path target = dir.resolve(config.file().isBlank() ? RecordCommands.defaultFileName() : config.file())
                .toAbsolutePath();
        Duration wait = Duration.ofMillis(Math.max(0, config.waitForChannelsMs()));
        if (channels.isEmpty()) {
            this.starter = null; // no configuration (or one without channels): nothing to record
            return;
        }
        this.starter = Thread.ofPlatform().name("recorder-config").daemon().start(() -> {
            try {
                recorder.start(channels, target, wait); // recording once it returns; a refusal throws
                file = target;
                LOG.info("recording {} to {} ({})", channels, target, PID);
            } catch (RuntimeException e) {
                LOG.error("{}: recording {} to {} refused: {}", PID, channels, target, e.getMessage());
            }
        });
    }

    @Deactivate
    void deactivate() {
        if (starter == null) {
            return;
        }
        starter.interrupt();
        try {
            starter.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Path f = file;
        if (f != null && recorder.status().recording() && f.equals(recorder.status().file())) {
            RecordingStatus s = recorder.stop();
            if (s.fileError() != null) {
                LOG.error("{}: {}", PID, s.fileError());
            } else {
                LOG.info("recording stopped, {} written: {} frames", f, s.frames());
            }
        }
    }
}
