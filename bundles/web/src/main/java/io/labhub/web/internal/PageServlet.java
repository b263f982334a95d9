package io.labhub.web.internal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.Map;

/**
 * {@code GET /}: the page, plain HTML, CSS and JavaScript from the bundle's {@code web/} folder (no build step, no
 * npm: what is in the jar is what the browser gets). Only the files named here are served. They need no token
 * ({@link AccessPolicy#checkPage}): a browser elsewhere gets the page, types the token into its field, and every
 * call the page then makes for data or actions carries it.
 */
final class PageServlet extends ConsoleServlet {

    private static final long serialVersionUID = 1L;
    private static final Map<String, String> FILES = Map.of(
            "/", "text/html; charset=utf-8",
            "/console.css", "text/css; charset=utf-8",
            "/console.js", "text/javascript; charset=utf-8");

    PageServlet(Gate access) {
        super(access);
    }

    @Override
    boolean page() {
        return true;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getRequestURI().substring(req.getContextPath().length());
        String type = FILES.get(path);
        URL file = type == null ? null : PageServlet.class.getResource("/web" + (path.equals("/") ? "/index.html" : path));
        if (file == null) {
            Http.error(resp, 404, "NOT_FOUND", "no such page: " + path);
            return;
        }
        byte[] body;
        try (InputStream in = file.openStream()) {
            body = in.readAllBytes();
        }
        resp.setStatus(200);
        resp.setContentType(type);
        resp.setHeader("Cache-Control", "no-cache");
        resp.setHeader("X-Content-Type-Options", "nosniff");
        resp.setHeader("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; frame-ancestors 'none'");
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }
}
