package io.labhub.sample.driver;

import io.labhub.api.Hub;
import io.labhub.api.HubStatus;
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
 * The smallest LabHub driver: Declarative Services hands it the {@link Hub}; it logs that it is ready.
 * Configured through ConfigAdmin pid {@code io.labhub.sample.driver} ({@code conf/io.labhub.sample.driver.cfg}).
 * It registers itself as a service so that tests and the shell can see its state.
 */
@Component(service = SampleDriver.class, configurationPid = "io.labhub.sample.driver", immediate = true)
@Designate(ocd = SampleDriver.Config.class)
public class SampleDriver {

    private static final Logger LOG = LoggerFactory.getLogger(SampleDriver.class);

    @ObjectClassDefinition(name = "LabHub sample driver")
    public @interface Config {
        /** The instrument's name, as shown in the log. */
        String instrument_name() default "sample";
    }

    private final Hub hub;
    private volatile String instrument;

    @Activate
    public SampleDriver(@Reference Hub hub, Config config) {
        this.hub = hub;
        this.instrument = config.instrument_name();
        HubStatus status = hub.status();
        LOG.info("sample driver '{}' ready; hub: {} (transports: {})", instrument, status.message(), status.transports());
    }

    @Modified
    void modified(Config config) {
        instrument = config.instrument_name();
        LOG.info("sample driver reconfigured: instrument '{}'", instrument);
    }

    @Deactivate
    void deactivate() {
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
