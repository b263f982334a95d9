package io.labhub.web.internal;

import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ErrorCode;
import io.labhub.api.Hub;
import io.labhub.api.LabHubException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code GET /api/series/{channel}}: the last minutes of a pub/sub channel's numeric fields ({@link Series}), for
 * the page's plot. The first request starts the series; at most {@link #MAX_SERIES} channels at once.
 */
final class SeriesServlet extends ConsoleServlet implements AutoCloseable {

    private static final long serialVersionUID = 1L;
    static final int MAX_SERIES = 8;

    private final transient Hub hub;
    private final transient ConcurrentHashMap<String, Series> series = new ConcurrentHashMap<>();
    private volatile boolean closed;

    SeriesServlet(Gate access, Hub hub) {
        super(access);
        this.hub = hub;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getPathInfo();
        String name = path == null || path.length() < 2 ? "" : path.substring(1);
        try {
            Series s = series.get(name);
            if (s == null) {
                Optional<ChannelInfo> info = hub.find(name);
                if (info.isEmpty()) {
                    Http.error(resp, 404, ErrorCode.CHANNEL_NOT_FOUND.name(), "no channel " + name);
                    return;
                }
                if (info.get().kind() != ChannelKind.PUBSUB) {
                    Http.error(resp, 400, ErrorCode.INVALID_ARGUMENT.name(), name + " is not a pubsub channel: only those are plotted");
                    return;
                }
                synchronized (series) {
                    if (closed) {
                        Http.error(resp, 503, ErrorCode.CHANNEL_CLOSED.name(), "the web console is stopping");
                        return;
                    }
                    s = series.get(name);
                    if (s == null) {
                        if (series.size() >= MAX_SERIES) {
                            Http.error(resp, 503, ErrorCode.BUSY.name(), "at most " + MAX_SERIES + " channels are plotted at once");
                            return;
                        }
                        s = new Series(hub, info.get());
                        series.put(name, s);
                    }
                }
            }
            Http.json(resp, 200, s.read());
        } catch (LabHubException e) {
            Http.error(resp, RequestServlet.status(e.code()), e.code().name(), String.valueOf(e.getMessage()));
        }
    }

    @Override
    public void close() {
        synchronized (series) {
            closed = true;
            series.values().forEach(Series::close);
            series.clear();
        }
    }
}
