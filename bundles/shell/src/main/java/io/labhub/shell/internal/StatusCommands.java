package io.labhub.shell.internal;

import io.labhub.api.Hub;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * {@code hub:status}: every driver bundle (from deploy/) and every bundle with Declarative Services
 * components, each component ONLINE / OFFLINE / FAILED with the reason, the way openHAB shows a thing's
 * status. Read from ServiceComponentRuntime's DTOs: reading activates nothing.
 */
@Component(service = StatusCommands.class, property = {
        "osgi.command.scope=hub",
        "osgi.command.function=status"})
public class StatusCommands {

    /** A component's (or a bundle's) status, openHAB style. */
    enum Status { ONLINE, OFFLINE, FAILED }

    /** One line of hub:status. */
    record Row(String bundle, String component, Status status, String detail) {
    }

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
        List<Row> rows = rows(context.getBundles(), scr);
        List<String[]> table = new ArrayList<>();
        table.add(new String[] {"BUNDLE", "COMPONENT", "STATUS", "DETAIL"});
        int[] counts = new int[Status.values().length];
        for (Row r : rows) {
            table.add(new String[] {r.bundle(), r.component(), r.status().name(), r.detail()});
            counts[r.status().ordinal()]++;
        }
        Hub h = hubService;
        String hub = h == null ? "no Hub in this runtime" : h.status().message();
        return "hub: " + hub + System.lineSeparator() + Format.table(table) + System.lineSeparator()
                + counts[0] + " online, " + counts[1] + " offline, " + counts[2] + " failed";
    }

    @Descriptor("(any other arguments: prints the usage line)")
    public String status(Object[] wrong) {
        throw Usage.of("hub:status", wrong);
    }

    /**
     * The rows: a bundle from deploy/ or with components, one row per component configuration (or one
     * for the bundle itself when it is not active or has no component), FAILED first, then OFFLINE.
     */
    static List<Row> rows(Bundle[] bundles, ServiceComponentRuntime scr) {
        List<Row> rows = new ArrayList<>();
        for (Bundle b : bundles) {
            Collection<ComponentDescriptionDTO> components = scr.getComponentDescriptionDTOs(b);
            boolean driver = b.getLocation().contains("/deploy/");
            if (!driver && components.isEmpty()) {
                continue;
            }
            String name = b.getSymbolicName() + " [" + b.getBundleId() + "]";
            boolean fragment = b.getHeaders().get(Constants.FRAGMENT_HOST) != null;
            if (b.getState() != Bundle.ACTIVE && !fragment) {
                rows.add(bundleRow(name, b));
                continue;
            }
            if (components.isEmpty()) {
                rows.add(new Row(name, "-", Status.ONLINE, "bundle active, no components"));
            }
            for (ComponentDescriptionDTO d : components) {
                if (!scr.isComponentEnabled(d)) {
                    rows.add(new Row(name, d.name, Status.OFFLINE, "disabled"));
                    continue;
                }
                Collection<ComponentConfigurationDTO> configs = scr.getComponentConfigurationDTOs(d);
                if (configs.isEmpty()) {
                    rows.add(new Row(name, d.name, Status.OFFLINE, "waiting for configuration " + String.join(", ", d.configurationPid)));
                }
                for (ComponentConfigurationDTO c : configs) {
                    rows.add(componentRow(name, d, c));
                }
            }
        }
        rows.sort(Comparator.comparing((Row r) -> r.status() == Status.FAILED ? 0 : r.status() == Status.OFFLINE ? 1 : 2));
        return rows;
    }

    private static Row bundleRow(String name, Bundle b) {
        return switch (b.getState()) {
            // INSTALLED and meant to run: the framework tried to start it and could not resolve it. Otherwise it has
            // just been installed (deploy/ is read every 500 ms) and is started next.
            case Bundle.INSTALLED -> meantToRun(b)
                    ? new Row(name, "-", Status.FAILED, "bundle not resolved: a requirement is missing (log/labhub.log names it)")
                    : new Row(name, "-", Status.OFFLINE, "bundle installed, not started yet");
            case Bundle.STARTING -> new Row(name, "-", Status.OFFLINE, "bundle starting");
            case Bundle.STOPPING -> new Row(name, "-", Status.OFFLINE, "bundle stopping");
            default -> new Row(name, "-", Status.OFFLINE, "bundle " + stateName(b.getState()).toLowerCase(Locale.ROOT) + ", not started");
        };
    }

    private static boolean meantToRun(Bundle b) {
        BundleStartLevel level = b.adapt(BundleStartLevel.class);
        return level != null && level.isPersistentlyStarted();
    }

    private static Row componentRow(String bundle, ComponentDescriptionDTO d, ComponentConfigurationDTO c) {
        return switch (c.state) {
            case ComponentConfigurationDTO.ACTIVE -> new Row(bundle, d.name, Status.ONLINE, "active");
            case ComponentConfigurationDTO.SATISFIED -> new Row(bundle, d.name, Status.ONLINE, "satisfied (activated when first used)");
            case ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION -> new Row(bundle, d.name, Status.OFFLINE,
                    "waiting for configuration " + String.join(", ", d.configurationPid));
            case ComponentConfigurationDTO.UNSATISFIED_REFERENCE -> new Row(bundle, d.name, Status.OFFLINE, "waiting for " + missing(c));
            case ComponentConfigurationDTO.FAILED_ACTIVATION -> new Row(bundle, d.name, Status.FAILED, reason(c.failure));
            default -> new Row(bundle, d.name, Status.OFFLINE, "state " + c.state);
        };
    }

    private static String missing(ComponentConfigurationDTO c) {
        List<String> names = new ArrayList<>();
        for (UnsatisfiedReferenceDTO u : c.unsatisfiedReferences) {
            names.add(u.name + (u.target != null ? " " + u.target : ""));
        }
        return names.isEmpty() ? "a service" : String.join(", ", names);
    }

    /**
     * The useful line of SCR's failure text (a stack trace): its deepest cause, since the first lines are
     * the reflection wrapper around what the component threw. The launcher's ComponentFailureLog writes
     * the same line to log/labhub.log.
     */
    static String reason(String failure) {
        if (failure == null || failure.isBlank()) {
            return "activation failed (no reason recorded)";
        }
        String reason = failure.lines().findFirst().orElse(failure).strip();
        for (String line : failure.lines().toList()) {
            if (line.startsWith("Caused by: ")) {
                reason = line.substring("Caused by: ".length()).strip();
            }
        }
        return reason;
    }

    private static String stateName(int state) {
        return switch (state) {
            case Bundle.UNINSTALLED -> "UNINSTALLED";
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.ACTIVE -> "ACTIVE";
            default -> "state " + state;
        };
    }
}
