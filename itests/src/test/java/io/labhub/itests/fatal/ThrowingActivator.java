package io.labhub.itests.fatal;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * A misbehaving driver for {@code RuntimeFatalErrorIT}: its bundle starts a thread that dies of an
 * {@link OutOfMemoryError} (thrown explicitly, as a JeroMQ I/O thread or a driver thread would meet one).
 * Packed into a bundle jar by the test; not part of any feature.
 */
public final class ThrowingActivator implements BundleActivator {

    @Override
    public void start(BundleContext context) {
        Thread t = new Thread(() -> {
            throw new OutOfMemoryError("thrown by the test driver to simulate an exhausted heap");
        }, "labhub-test-oom");
        t.start();
    }

    @Override
    public void stop(BundleContext context) {
    }
}
