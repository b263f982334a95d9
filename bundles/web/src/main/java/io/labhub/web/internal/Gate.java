package io.labhub.web.internal;

import io.prometheus.metrics.core.metrics.Counter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access rule as every endpoint applies it (the console's servlets and the Felix Web Console's security
 * provider), with the count of refusals by code that /metrics shows.
 */
final class Gate {

    private static final Logger LOG = LoggerFactory.getLogger(Gate.class);

    final AccessPolicy policy;
    private final Counter refusals;

    Gate(AccessPolicy policy, Counter refusals) {
        this.policy = policy;
        this.refusals = refusals;
    }

    AccessPolicy.Refusal check(AccessPolicy.Request r) {
        return check(r, false);
    }

    /** @param page whether the request is for the page's own files ({@link AccessPolicy#checkPage}) */
    private AccessPolicy.Refusal check(AccessPolicy.Request r, boolean page) {
        AccessPolicy.Refusal refusal = page ? policy.checkPage(r) : policy.check(r);
        if (refusal != null) {
            refusals.labelValues(refusal.code()).inc();
        }
        return refusal;
    }

    /**
     * Checks a request against the rule; a refused one is answered here (JSON, its status) and logged at WARN.
     *
     * @return whether the request may go on
     */
    boolean admit(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        return admit(req, resp, false);
    }

    /** {@link #admit(HttpServletRequest, HttpServletResponse)}, or with {@code page} the rule of the page's own files */
    boolean admit(HttpServletRequest req, HttpServletResponse resp, boolean page) throws IOException {
        AccessPolicy.Refusal refusal = check(new AccessPolicy.Request(req.getMethod(), req.getHeader("Host"),
                req.getHeader("Origin"), req.getHeader("Sec-Fetch-Site"), req.getHeader("Authorization"),
                req.getHeader("Cookie"), req.getLocalPort()), page);
        if (refusal == null) {
            return true;
        }
        LOG.warn("web console refused {} {} from {}: {}", req.getMethod(), req.getRequestURI(), req.getRemoteAddr(), refusal.message());
        Http.error(resp, refusal.status(), refusal.code(), refusal.message());
        return false;
    }
}
