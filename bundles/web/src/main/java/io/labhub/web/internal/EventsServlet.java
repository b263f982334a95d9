package io.labhub.web.internal;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * {@code GET /api/events}: server-sent events, an {@code event: channels} with the channel list (as
 * {@code /api/channels}) about once a second, a comment line when nothing changed for {@link #KEEPALIVE}, until
 * the browser goes away or the console stops. Plain blocking writes on the request thread: no async machinery.
 */
final class EventsServlet extends ConsoleServlet {

    private static final long serialVersionUID = 1L;
    static final Duration KEEPALIVE = Duration.ofSeconds(15);

    private final transient EventFeed feed;

    EventsServlet(Gate access, EventFeed feed) {
        super(access);
        this.feed = feed;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (!feed.open()) {
            Http.error(resp, 503, "BUSY", "too many event streams are open (at most " + EventFeed.MAX_STREAMS + ")");
            return;
        }
        try {
            resp.setStatus(200);
            resp.setContentType("text/event-stream");
            resp.setCharacterEncoding("UTF-8");
            resp.setHeader("Cache-Control", "no-store");
            ServletOutputStream out = resp.getOutputStream();
            out.write("retry: 2000\n\n".getBytes(StandardCharsets.UTF_8));
            resp.flushBuffer();
            long seen = 0;
            while (true) {
                EventFeed.Snapshot s = feed.next(seen, KEEPALIVE);
                if (s == null) {
                    return; // the console stops
                }
                String chunk = s.version() > seen ? "event: channels\nid: " + s.version() + "\ndata: " + s.json() + "\n\n" : ": keepalive\n\n";
                seen = s.version();
                out.write(chunk.getBytes(StandardCharsets.UTF_8));
                resp.flushBuffer();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the browser went away: nothing to answer
        } finally {
            feed.leave();
        }
    }
}
