package io.labhub.sample.driver;

import io.labhub.api.ChannelKind;
import io.labhub.api.Hub;
import io.labhub.api.HubStatus;
import io.labhub.api.Publisher;
import io.labhub.api.ZmqOptions;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The smallest LabHub driver: Declarative Services hands it the {@link Hub}; it logs that it is ready
 * and, when a pub/sub transport is installed, publishes a status line once a second on
 * {@code sample.status}. Configured through ConfigAdmin pid {@code io.labhub.sample.driver}
 * ({@code conf/io.labhub.sample.driver.cfg}). It registers itself as a service so that tests can see it.
 */
@Component(service = SampleDriver.class, configurationPid = "io.labhub.sample.driver", immediate = true)
@Designate(ocd = SampleDriver.Config.class)
public class SampleDriver {

    /** The channel this driver publishes on. */
    public static final String CHANNEL = "sample.status";

    private static final Logger LOG = LoggerFactory.getLogger(SampleDriver.class);

    @ObjectClassDefinition(name = "LabHub sample driver")
    public @interface Config {
        /** The instrument's name, as shown in the log and in the status messages. */
        String instrument_name() default "sample";
    }

    private final Hub hub;
    private final Publisher status;
    private final ScheduledExecutorService timer;
    private volatile String instrument;

    @Activate
    public SampleDriver(@Reference Hub hub, Config config) {
        this.hub = hub;
        this.instrument = config.instrument_name();
        HubStatus s = hub.status();
        if (s.transports().contains(ChannelKind.PUBSUB)) {
            status = hub.createPublisher(CHANNEL, ZmqOptions.DEFAULTS.withMetadata(Map.of("content", "text/plain")));
            // The driver's own thread: a slow or hung driver cannot stall another.
            timer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "sample-driver"));
            timer.scheduleAtFixedRate(this::publishStatus, 0, 1, TimeUnit.SECONDS);
        } else {
            status = null;
            timer = null;
        }
        LOG.info("sample driver '{}' ready; hub: {} (transports: {})", instrument, s.message(), s.transports());
    }

    private void publishStatus() {
        try {
            status.publish((instrument + " ok").getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            LOG.warn("sample driver could not publish its status", e);
        }
    }

    @Modified
    void modified(Config config) {
        instrument = config.instrument_name();
        LOG.info("sample driver reconfigured: instrument '{}'", instrument);
    }

    @Deactivate
    void deactivate() {
        if (timer != null) {
            timer.shutdownNow();
            status.close();
        }
        LOG.info("sample driver '{}' stopped", instrument);
    }

    /** The configured instrument name. */
    public String instrument() {
        return instrument;
    }

    /** The Hub this driver was given. */
    public Hub hub() {
        return hub;
    }
}
