package io.labhub.launcher;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * Writes every Declarative Services component that fails to activate (SCR's FAILED ACTIVATION: a driver
 * whose activate threw, a broker that cannot bind its port) to the log, once per failure, with its reason.
 * SCR itself prints such failures on stderr only, so without this log/labhub.log had nothing of them.
 *
 * <p>SCR has no event for a component's state, so this reads its runtime DTOs once a second (a read: no
 * component is activated by it), by reflection like {@link LabHub#readiness()}, because the launcher does
 * not share SCR's types with the framework. It runs in every mode (console, {@code -c}, service, an
 * embedding host), which the shell's {@code hub:status} does not (no shell in service mode).
 */
final class ComponentFailureLog implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ComponentFailureLog.class.getName());
    private static final String SCR = "org.osgi.service.component.runtime.ServiceComponentRuntime";
    /** ComponentConfigurationDTO.FAILED_ACTIVATION. */
    private static final int FAILED_ACTIVATION = 16;
    /** How often SCR's state is read: a failure is in the log at most this long after it happened. */
    static final long PERIOD_MILLIS = 1000;

    private final BundleContext context;
    private final ScheduledExecutorService timer;
    /** bundle id / component name / configuration id of the failures already logged; only the timer thread. */
    private final Set<String> reported = new HashSet<>();

    private ComponentFailureLog(BundleContext context) {
        this.context = context;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "labhub-component-failures");
            t.setDaemon(true);
            return t;
        });
    }

    static ComponentFailureLog start(BundleContext context) {
        ComponentFailureLog log = new ComponentFailureLog(context);
        log.timer.scheduleWithFixedDelay(log::scanQuietly, 0, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
        return log;
    }

    private void scanQuietly() {
        try {
            scan();
        } catch (IllegalStateException e) {
            // the framework is stopping: its context is no longer valid
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.FINE, "cannot read SCR's component states", e);
        }
    }

    private void scan() throws ReflectiveOperationException {
        ServiceReference<?> ref = context.getServiceReference(SCR);
        if (ref == null) {
            return; // no SCR (yet)
        }
        Object scr = context.getService(ref);
        if (scr == null) {
            return;
        }
        Set<String> failedNow = new HashSet<>();
        try {
            Class<?> scrType = ref.getBundle().loadClass(SCR);
            Class<?> descType = ref.getBundle().loadClass("org.osgi.service.component.runtime.dto.ComponentDescriptionDTO");
            Method descriptions = scrType.getMethod("getComponentDescriptionDTOs", Bundle[].class);
            Method configurations = scrType.getMethod("getComponentConfigurationDTOs", descType);
            for (Object desc : (Collection<?>) descriptions.invoke(scr, (Object) new Bundle[0])) {
                for (Object config : (Collection<?>) configurations.invoke(scr, desc)) {
                    if ((Integer) field(config, "state") != FAILED_ACTIVATION) {
                        continue;
                    }
                    Object bundle = field(desc, "bundle");
                    String owner = bundle == null ? "?" : field(bundle, "symbolicName") + " [" + field(bundle, "id") + "]";
                    String name = (String) field(desc, "name");
                    String key = owner + "/" + name + "/" + field(config, "id");
                    failedNow.add(key);
                    if (reported.add(key)) {
                        Object failure = field(config, "failure");
                        LOG.severe("component " + name + " of " + owner + " FAILED to activate: "
                                + reason(failure == null ? null : failure.toString()));
                    }
                }
            }
        } finally {
            context.ungetService(ref);
        }
        reported.retainAll(failedNow); // a component that recovers and fails again is logged again
    }

    /**
     * The useful line of SCR's failure text (a stack trace): the deepest cause, since the first lines are
     * the reflection wrapper (InvocationTargetException) around what the component threw.
     */
    static String reason(String failure) {
        String reason = io.labhub.api.text.FailureText.deepestCause(failure);
        return reason == null ? "no reason recorded (see SCR's output on stderr)" : reason;
    }

    private static Object field(Object dto, String name) throws ReflectiveOperationException {
        try {
            Field f = dto.getClass().getField(name);
            return f.get(dto);
        } catch (NoSuchFieldException e) {
            return null; // older DTO versions lack newer fields such as "failure"
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
