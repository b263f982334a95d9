package io.labhub.shell.internal;

import io.labhub.api.Hub;
import io.labhub.core.status.StatusModel;
import io.labhub.core.status.StatusModel.Row;
import java.util.ArrayList;
import java.util.List;
import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.runtime.ServiceComponentRuntime;

/**
 * {@code hub:status}: every driver bundle (from deploy/) and every bundle with Declarative Services
 * components, each component ONLINE / OFFLINE / FAILED with the reason, the way openHAB shows a thing's
 * status. It prints core's {@link StatusModel}, the one core also serves on {@code hub.status.NODE} for
 * {@code labhub-cli status}.
 */
@Component(service = StatusCommands.class, property = {
        "osgi.command.scope=hub",
        "osgi.command.function=status"})
public class StatusCommands {

    private final BundleContext context;
    private final ServiceComponentRuntime scr;
    private volatile Hub hubService;

    @Activate
    public StatusCommands(BundleContext context, @Reference ServiceComponentRuntime scr) {
        this.context = context;
        this.scr = scr;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void bindHub(Hub h) {
        hubService = h;
    }

    void unbindHub(Hub h) {
        if (hubService == h) {
            hubService = null;
        }
    }

    @Descriptor("each driver bundle and component: ONLINE, OFFLINE or FAILED, with the reason (as log/labhub.log has it)")
    public String status() {
        Hub h = hubService;
        String hub = h == null ? "no Hub in this runtime" : h.status().message();
        try {
            return "hub: " + hub + System.lineSeparator() + Printer.print(context, scr);
        } catch (NoClassDefFoundError e) {
            // io.labhub.core.status is an optional import: a broker-only runtime with a shell has no core
            throw new IllegalStateException("hub:status needs the core feature (io.labhub.core holds the status "
                    + "model); this runtime has none");
        }
    }

    /** Every use of core's status package, in a class of its own so that this one loads without core. */
    private static final class Printer {
        static String print(BundleContext context, ServiceComponentRuntime scr) {
            List<Row> rows = StatusModel.rows(context.getBundles(), scr);
            List<String[]> table = new ArrayList<>();
            table.add(new String[] {"BUNDLE", "COMPONENT", "STATUS", "DETAIL"});
            for (Row r : rows) {
                table.add(new String[] {r.bundle(), r.component(), r.status().name(), r.detail()});
            }
            return Format.table(table) + System.lineSeparator() + StatusModel.summary(rows);
        }
    }

    @Descriptor("(any other arguments: prints the usage line)")
    public String status(Object[] wrong) {
        throw Usage.of("hub:status", wrong);
    }
}
