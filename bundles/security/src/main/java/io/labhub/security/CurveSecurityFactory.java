package io.labhub.security;

import io.labhub.security.internal.CurveSecurityRuntime;
import java.nio.file.Path;

/** Starts a {@link CurveSecurityHandle}, in OSGi (the security component) or without (tests, embedding). */
public final class CurveSecurityFactory {

    /** The ZAP domain {@link CurveSecurity#secureServer} gives every server socket. */
    public static final String ZAP_DOMAIN = "labhub";

    /** Default name of the allow-list file inside the keys directory. */
    public static final String DEFAULT_ALLOW_LIST = "allowed_keys";

    private CurveSecurityFactory() {
    }

    /**
     * Loads (or creates, on first start) the key pair in {@code keysDir}, makes sure this runtime's own
     * public key is in {@code allowListFile} (creating it owner-only with a header comment if absent),
     * creates a ZeroMQ context and starts the ZAP handler in it. When this returns, every server socket
     * secured through the handle is authenticated against the allow-list.
     *
     * @param keysDir       directory of {@code labhub.key} and {@code labhub.pub}; created owner-only
     * @param allowListFile the allow-list; when {@code null}, {@code keysDir/allowed_keys}
     * @throws io.labhub.api.LabHubException when the keys cannot be loaded or the handler cannot start
     */
    public static CurveSecurityHandle start(Path keysDir, Path allowListFile) {
        Path allowList = allowListFile != null ? allowListFile : keysDir.resolve(DEFAULT_ALLOW_LIST);
        return CurveSecurityRuntime.start(keysDir, allowList);
    }
}
