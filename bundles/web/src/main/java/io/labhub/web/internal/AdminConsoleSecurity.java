package io.labhub.web.internal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.felix.webconsole.spi.SecurityProvider;

/**
 * The Felix Web Console (the optional {@code webconsole} feature, for OSGi administrators) behind the LabHub
 * console's own access rule ({@link AccessPolicy}): the same host binding, the same token, the same Origin check
 * for every action, the same refusals (JSON, logged, counted). Registered by {@link WebConsole} only where the Web
 * Console's SPI is wired; the Web Console is then told to accept no other provider, so its built-in
 * {@code admin}/{@code admin} login never applies.
 */
final class AdminConsoleSecurity implements SecurityProvider {

    static final String ID = "labhub";
    /** The one user the rule admits: whoever passes it administers the framework. */
    private static final String USER = "labhub";

    private final Gate gate;

    AdminConsoleSecurity(Gate gate) {
        this.gate = gate;
    }

    @Override
    public Object authenticate(HttpServletRequest request, HttpServletResponse response) {
        try {
            return gate.admit(request, response) ? USER : null; // refused: answered already
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean authorize(Object user, String role) {
        return USER.equals(user);
    }

    @Override
    public void logout(HttpServletRequest request, HttpServletResponse response) {
        // nothing to end: every request carries its own credential
    }
}
