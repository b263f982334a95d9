package io.labhub.security.internal;

import io.labhub.security.CurveKeyPair;
import io.labhub.security.CurveSecurity;
import io.labhub.security.CurveSecurityFactory;
import io.labhub.security.CurveSecurityHandle;
import java.nio.file.Path;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The runtime's {@link CurveSecurity} service. Configuration pid {@value #PID}.
 *
 * <p>Everything happens in the constructor: keys loaded or created, allow-list read, ZAP handler bound
 * and running. SCR hands the service object to nobody before activation has returned (for an immediate
 * component it activates first; a consumer asking during activation waits), so no consumer can make a
 * server socket before authentication is in place. A configuration change reactivates the component
 * (no {@code @Modified}): a new context and handler, and consumers rebind.
 */
@Component(service = CurveSecurity.class, immediate = true, configurationPid = SecurityComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = SecurityComponent.Config.class)
public final class SecurityComponent implements CurveSecurity {

    /** ConfigAdmin pid of this component. */
    public static final String PID = "io.labhub.security";
    /** System property naming the runtime's home directory. */
    public static final String HOME_PROPERTY = "labhub.home";

    @ObjectClassDefinition(name = "LabHub security",
            description = "CURVE keys and the allow-list of client keys admitted by the ZAP handler.")
    public @interface Config {
        @AttributeDefinition(name = "Keys directory", description = "Directory of labhub.key (secret, "
                + "owner-only) and labhub.pub; created with a new key pair on first start. Empty means "
                + "${labhub.home}/conf/keys (labhub.home is a system property; the current directory if unset).")
        String keysDir() default "";

        @AttributeDefinition(name = "Allow-list file", description = "File of admitted client public keys "
                + "(Z85, one per line, '#' comments), reloaded when it changes. Empty means <keysDir>/allowed_keys.")
        String allowList() default "";
    }

    private final CurveSecurityHandle handle;

    @Activate
    public SecurityComponent(Config config, org.osgi.framework.BundleContext context) {
        // A framework property first (an embedding host sets it per framework), else the system property.
        this(config, context.getProperty(HOME_PROPERTY));
    }

    SecurityComponent(Config config) {
        this(config, System.getProperty(HOME_PROPERTY));
    }

    private SecurityComponent(Config config, String labhubHome) {
        Path keysDir = keysDir(config, labhubHome);
        this.handle = CurveSecurityFactory.start(keysDir, allowList(config, keysDir));
    }

    static Path keysDir(Config config) {
        return keysDir(config, System.getProperty(HOME_PROPERTY));
    }

    static Path keysDir(Config config, String labhubHome) {
        String configured = config.keysDir() == null ? "" : config.keysDir().strip();
        if (!configured.isEmpty()) {
            return Path.of(configured);
        }
        String home = labhubHome == null ? "" : labhubHome.strip();
        return Path.of(home.isEmpty() ? "." : home).resolve("conf").resolve("keys");
    }

    static Path allowList(Config config, Path keysDir) {
        String configured = config.allowList() == null ? "" : config.allowList().strip();
        return configured.isEmpty() ? keysDir.resolve(CurveSecurityFactory.DEFAULT_ALLOW_LIST) : Path.of(configured);
    }

    @Deactivate
    void deactivate() {
        handle.close();
    }

    /** @return the running handle (tests and the shell's diagnostics) */
    CurveSecurityHandle handle() {
        return handle;
    }

    @Override
    public ZContext context() {
        return handle.context();
    }

    @Override
    public String publicKey() {
        return handle.publicKey();
    }

    @Override
    public void secureServer(ZMQ.Socket socket) {
        handle.secureServer(socket);
    }

    @Override
    public void secureClient(ZMQ.Socket socket, String serverPublicKey) {
        handle.secureClient(socket, serverPublicKey);
    }

    @Override
    public boolean isAllowed(String publicKey) {
        return handle.isAllowed(publicKey);
    }

    @Override
    public void allow(String publicKey) {
        handle.allow(publicKey);
    }

    @Override
    public CurveKeyPair generateKeyPair() {
        return handle.generateKeyPair();
    }
}
