package io.labhub.core.status;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;

/**
 * Every driver bundle (from deploy/) and every bundle with Declarative Services components, each component
 * ONLINE / OFFLINE / FAILED with the reason, read from ServiceComponentRuntime's DTOs (reading activates nothing).
 * The one model behind {@code hub:status} and the {@code hub.status.NODE} channel.
 */
public final class StatusModel {

    /** A component's (or a bundle's) status, openHAB style. */
    public enum Status { ONLINE, OFFLINE, FAILED }

    /** One line of the status: bundle ({@code name [id]}), component ({@code -} for the bundle itself), status, reason. */
    public record Row(String bundle, String component, Status status, String detail) {
    }

    private StatusModel() {
    }

    /**
     * The rows: a bundle from deploy/ or with components, one row per component configuration (or one
     * for the bundle itself when it is not active or has no component), FAILED first, then OFFLINE.
     */
    public static List<Row> rows(Bundle[] bundles, ServiceComponentRuntime scr) {
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

    /** @return how many rows have each status, indexed by {@link Status#ordinal()} */
    public static int[] counts(List<Row> rows) {
        int[] counts = new int[Status.values().length];
        for (Row r : rows) {
            counts[r.status().ordinal()]++;
        }
        return counts;
    }

    /** @return the summary line, e.g. {@code 20 online, 1 offline, 0 failed} */
    public static String summary(List<Row> rows) {
        int[] c = counts(rows);
        return c[0] + " online, " + c[1] + " offline, " + c[2] + " failed";
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
    public static String reason(String failure) {
        String reason = io.labhub.api.text.FailureText.deepestCause(failure);
        return reason == null ? "activation failed (no reason recorded)" : reason;
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
