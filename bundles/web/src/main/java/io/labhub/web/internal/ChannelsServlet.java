package io.labhub.web.internal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** {@code GET /api/channels}: the hub's state and every channel with its producer's counters and rate. */
final class ChannelsServlet extends ConsoleServlet {

    private static final long serialVersionUID = 1L;

    private final transient ChannelTable table;

    ChannelsServlet(Gate access, ChannelTable table) {
        super(access);
        this.table = table;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Http.json(resp, 200, table.read());
    }
}
