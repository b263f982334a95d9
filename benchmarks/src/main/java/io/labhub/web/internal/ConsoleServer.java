package io.labhub.web.internal;

import io.labhub.api.Hub;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import jakarta.servlet.Servlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The web console's page and the endpoints a viewer's page reads (the page, {@code /api/channels},
 * {@code /api/events}, {@code /api/preview}, {@code /api/series}) for the benchmark's {@code preview} group: the
 * bundle's own servlets, on a Hub of the benchmark's engine, in the Jetty that Felix HTTP embeds (the same
 * 12.0 jar the runtime runs; here on the class path, without the OSGi whiteboard), on loopback, ports chosen at
 * run time. {@code /api/status} and {@code /metrics} need the OSGi framework and are left out; the page shows
 * their absence in its components line and goes on.
 *
 * <p>One listener per viewer, on its own loopback address (127.0.0.1, 127.0.0.2, ...): a browser opens at most six
 * HTTP/1.1 connections to one host, and each page holds one for its event stream, so ten pages of one host in one
 * browser would wait for each other. Ten viewers at ten desks do not share that limit; ten addresses give each
 * page its own, as the desks would.
 */
public final class ConsoleServer implements AutoCloseable {

    private final Server server;
    private final EventFeed feed;
    private final SeriesServlet series;
    private final java.util.List<String> bases = new java.util.ArrayList<>();

    /** @param listeners how many loopback addresses to listen on, one per viewer (at most 254) */
    public ConsoleServer(Hub hub, int listeners) throws Exception {
        Gate gate = new Gate(AccessPolicy.forListener("127.0.0.1", null), Counter.builder().name("labhub_web_refusals")
                .help("refusals").labelNames("code").register(new PrometheusRegistry()));
        ChannelTable table = new ChannelTable(hub);
        feed = new EventFeed(table);
        series = new SeriesServlet(gate, hub);
        server = new Server();
        java.util.List<ServerConnector> connectors = new java.util.ArrayList<>();
        for (int i = 1; i <= listeners; i++) {
            ServerConnector connector = new ServerConnector(server);
            connector.setHost("127.0.0." + i);
            connector.setPort(0);
            server.addConnector(connector);
            connectors.add(connector);
        }
        ServletContextHandler context = new ServletContextHandler("/");
        add(context, "/api/channels", new ChannelsServlet(gate, table));
        add(context, "/api/events", new EventsServlet(gate, feed));
        add(context, "/api/preview/*", new PreviewServlet(gate, hub));
        add(context, "/api/series/*", series);
        add(context, "/", new PageServlet(gate));
        server.setHandler(context);
        server.start();
        for (ServerConnector c : connectors) {
            bases.add("http://" + c.getHost() + ":" + c.getLocalPort() + "/");
        }
    }

    private static void add(ServletContextHandler context, String pattern, Servlet servlet) {
        context.addServlet(new ServletHolder(servlet), pattern);
    }

    /** @return the page's addresses, {@code http://127.0.0.K:PORT/}, one per listener */
    public java.util.List<String> bases() {
        return java.util.List.copyOf(bases);
    }

    @Override
    public void close() throws Exception {
        feed.close();
        series.close();
        server.stop();
    }
}
