package io.labhub.web.internal;

import java.io.IOException;
import java.util.Hashtable;
import org.apache.felix.webconsole.spi.SecurityProvider;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Puts the Felix Web Console behind the console's rule, where the {@code webconsole} feature is installed. A class
 * of its own: {@link WebConsole} loads it only once it knows the Web Console's SPI is wired (the bundle imports it
 * optionally), so a runtime without the feature never touches these types.
 */
final class AdminConsoles {

    static final String SPI = "org.apache.felix.webconsole.spi.SecurityProvider";
    static final String MANAGER_PID = "org.apache.felix.webconsole.internal.servlet.OsgiManager";

    private AdminConsoles() {
    }

    /** Whether the Web Console's SPI is wired to this bundle. */
    static boolean available() {
        return WebConsole.wired(SPI);
    }

    /**
     * Registers the provider and requires it: the Web Console then serves nothing without it (never its built-in
     * admin/admin login), and every request goes through {@code gate}.
     */
    static ServiceRegistration<?> register(BundleContext context, Gate gate, ConfigurationAdmin cm) throws IOException {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(SecurityProvider.PROPERTY_ID, AdminConsoleSecurity.ID);
        ServiceRegistration<?> r = context.registerService(SecurityProvider.class, new AdminConsoleSecurity(gate), props);
        Configuration c = cm.getConfiguration(MANAGER_PID, "?");
        Hashtable<String, Object> manager = new Hashtable<>();
        manager.put("security.providers", AdminConsoleSecurity.ID);
        manager.put("manager.root", "/system/console");
        c.update(manager);
        return r;
    }
}
