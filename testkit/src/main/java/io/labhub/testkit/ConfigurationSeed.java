package io.labhub.testkit;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Hashtable;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The test kit's bundle activator: in a test framework (Pax Exam), every {@code PID.cfg} of the directory named
 * by the framework property {@value #DIRECTORY} becomes the configuration {@code PID} the moment
 * ConfigurationAdmin registers, before any bundle of a later start level (the broker, the Hub) starts: what the
 * runtime's {@code conf/} is to {@code bin/labhub}. Without the property it does nothing.
 *
 * <p>Why not FileInstall (a .cfg in the watched directory): a configuration it creates after a component
 * activated with its defaults replaces that component and its service, and the test keeps the stale instance
 * it was injected with (docs/operations.md, "Known behaviour"). Here the configurations exist before the
 * components do. It needs no extra bundle (pax-exam-cm builds one per pid with TinyBundles and bnd): the kit
 * is installed in every Pax Exam framework anyway, at start level 1.
 */
public final class ConfigurationSeed implements BundleActivator {

    /** The framework property naming the directory of {@code PID.cfg} files (java.util.Properties syntax). */
    public static final String DIRECTORY = "labhub.testkit.configurations";

    private ServiceTracker<ConfigurationAdmin, ConfigurationAdmin> tracker;

    @Override
    public void start(BundleContext context) throws BundleException {
        String dir = context.getProperty(DIRECTORY);
        if (dir == null) {
            return;
        }
        Map<String, Hashtable<String, Object>> configurations = read(Path.of(dir));
        tracker = new ServiceTracker<>(context, ConfigurationAdmin.class, null) {
            @Override
            public ConfigurationAdmin addingService(ServiceReference<ConfigurationAdmin> reference) {
                ConfigurationAdmin cm = super.addingService(reference);
                configurations.forEach((pid, properties) -> {
                    try {
                        // "?": visible to every bundle, as FileInstall's are; getConfiguration(pid) would bind it to this one
                        Configuration c = cm.getConfiguration(pid, "?");
                        c.update(properties);
                    } catch (IOException e) {
                        throw new IllegalStateException("cannot create the configuration " + pid + ": " + e.getMessage(), e);
                    }
                });
                return cm;
            }
        };
        tracker.open();
    }

    @Override
    public void stop(BundleContext context) {
        if (tracker != null) {
            tracker.close();
        }
    }

    private static Map<String, Hashtable<String, Object>> read(Path dir) throws BundleException {
        Map<String, Hashtable<String, Object>> configurations = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.cfg")) {
            for (Path f : files) {
                Properties p = new Properties();
                try (Reader r = Files.newBufferedReader(f)) {
                    p.load(r);
                }
                Hashtable<String, Object> properties = new Hashtable<>();
                p.stringPropertyNames().forEach(k -> properties.put(k, p.getProperty(k)));
                String name = f.getFileName().toString();
                configurations.put(name.substring(0, name.length() - ".cfg".length()), properties);
            }
        } catch (IOException e) {
            throw new BundleException(DIRECTORY + " = " + dir + ": " + e, e);
        }
        return configurations;
    }
}
