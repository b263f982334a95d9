package io.labhub.core.internal;

import io.labhub.api.spi.PubSubTransport;
import io.labhub.api.spi.ReqRepTransport;
import io.labhub.api.spi.ShmTransport;
import io.labhub.validation.Validator;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the {@link HubEngine}: its configuration (pid {@code io.labhub.core}), its directory and the
 * transports, which come and go as their bundles do (whiteboard: no list of transports anywhere).
 */
@Component(service = HubComponent.class, configurationPid = "io.labhub.core", immediate = true)
@Designate(ocd = HubComponent.Config.class)
public class HubComponent {

    private static final Logger LOG = LoggerFactory.getLogger(HubComponent.class);

    @ObjectClassDefinition(name = "LabHub Hub", description = "How the Hub finds the broker.")
    public @interface Config {
        @AttributeDefinition(description = "'local': no broker, channels visible in this runtime only")
        String directory() default "local";
    }

    private final HubEngine engine;

    @Activate
    public HubComponent(@Reference Validator validator, Config config) {
        this.engine = new HubEngine(validator, new LocalDirectory("local"));
        LOG.info("Hub ready ({})", engine.status().message());
    }

    HubEngine engine() {
        return engine;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addShm(ShmTransport t) {
        engine.addTransport(t);
    }

    void removeShm(ShmTransport t) {
        engine.removeTransport(t);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addPubSub(PubSubTransport t) {
        engine.addTransport(t);
    }

    void removePubSub(PubSubTransport t) {
        engine.removeTransport(t);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addReqRep(ReqRepTransport t) {
        engine.addTransport(t);
    }

    void removeReqRep(ReqRepTransport t) {
        engine.removeTransport(t);
    }

    @Deactivate
    void deactivate() {
        engine.shutdown();
    }
}
