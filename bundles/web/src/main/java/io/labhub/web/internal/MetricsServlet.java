package io.labhub.web.internal;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/** {@code GET /metrics}: the registry in the Prometheus text format, written by the Prometheus client itself. */
final class MetricsServlet extends ConsoleServlet {

    private static final long serialVersionUID = 1L;

    private final transient PrometheusRegistry registry;
    private final transient PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    MetricsServlet(Gate access, PrometheusRegistry registry) {
        super(access);
        this.registry = registry;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream(16 << 10);
        writer.write(body, registry.scrape());
        resp.setStatus(200);
        resp.setContentType(writer.getContentType());
        resp.setHeader("Cache-Control", "no-store");
        resp.setContentLength(body.size());
        body.writeTo(resp.getOutputStream());
    }
}
