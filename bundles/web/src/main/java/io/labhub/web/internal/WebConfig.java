package io.labhub.web.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The console's configuration, pid {@value #PID} ({@code io.labhub.web.cfg}): every tunable, once. */
final class WebConfig {

    static final String PID = "io.labhub.web";
    static final String DEFAULT_HOST = "127.0.0.1";
    static final int DEFAULT_PORT = 8780;
    /** Request bodies larger than this are refused (413) before they are read to the end. */
    static final int DEFAULT_MAX_BODY_BYTES = 1 << 20;

    private WebConfig() {
    }

    @ObjectClassDefinition(name = "LabHub web console", description = "docs/web.md: where the console listens and who may act through it")
    @interface Config {
        @AttributeDefinition(description = "The address to listen on. Anything but a loopback address needs tokenFile")
        String host() default DEFAULT_HOST;

        @AttributeDefinition(description = "The TCP port; 0 picks a free one (the HttpServiceRuntime's osgi.http.endpoint names it)")
        int port() default DEFAULT_PORT;

        @AttributeDefinition(description = "A file holding the access token (owner-only permissions); empty: no token, loopback only")
        String tokenFile() default "";

        @AttributeDefinition(description = "A PKCS12 keystore with the console's TLS key and certificate: HTTPS only on port; empty: plain HTTP")
        String keystore() default "";

        @AttributeDefinition(description = "A file holding the keystore's password (owner-only permissions); needed with keystore")
        String keystorePasswordFile() default "";

        @AttributeDefinition(description = "The largest request body accepted, in bytes")
        int maxBodyBytes() default DEFAULT_MAX_BODY_BYTES;

        @AttributeDefinition(description = "How long a request to a reqrep channel may wait for its reply, in milliseconds")
        long requestTimeoutMs() default 5000;
    }
}
