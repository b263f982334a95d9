package io.labhub.web.internal;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every endpoint of the console shares: the access rule is checked before any handler runs (a refusal is
 * answered in JSON and logged at WARN), and a failure inside a handler is a 500 with a JSON body, never a crash.
 */
abstract class ConsoleServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleServlet.class);

    private final transient Gate access;

    ConsoleServlet(Gate access) {
        this.access = access;
    }

    /** Whether this servlet serves the page's own files, under {@link AccessPolicy#checkPage} (no token). */
    boolean page() {
        return false;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (!access.admit(req, resp, page())) {
            return;
        }
        try {
            super.service(req, resp);
        } catch (RuntimeException e) {
            LOG.error("web console: {} {} failed", req.getMethod(), req.getRequestURI(), e);
            if (!resp.isCommitted()) {
                resp.reset();
                Http.error(resp, 500, "INTERNAL", String.valueOf(e.getMessage()));
            }
        } catch (jakarta.servlet.ServletException e) {
            throw new IOException(e);
        }
    }
}
