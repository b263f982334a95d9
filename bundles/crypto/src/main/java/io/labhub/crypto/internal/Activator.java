package io.labhub.crypto.internal;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * Chooses the backend when the bundle starts, from the framework property {@value Backends#PROPERTY}
 * (BundleContext.getProperty falls back to the system property), so the choice is logged once at
 * start and a forced backend that cannot load fails the bundle's start, visibly.
 */
public final class Activator implements BundleActivator {

    @Override
    public void start(BundleContext context) {
        Backends.select(context.getProperty(Backends.PROPERTY));
    }

    @Override
    public void stop(BundleContext context) {
        // nothing to release: the library stays mapped for the life of the process (Arena.global)
    }
}
