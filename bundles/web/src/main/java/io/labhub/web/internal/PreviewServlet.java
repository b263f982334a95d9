package io.labhub.web.internal;

import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ErrorCode;
import io.labhub.api.FrameSnapshot;
import io.labhub.api.Hub;
import io.labhub.api.LabHubException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code GET /api/preview/{channel}.png?max=N}: the newest frame of a local shm image channel, read with
 * {@link Hub#latestFrame} (an observer: nothing joined, a reliable producer never waits), as a PNG
 * ({@link Preview}). Rate-limited per channel, shared by every viewer: a frame is read and encoded at most every
 * {@link #MIN_INTERVAL_NANOS} (10 per second); requests in between get the last PNG. The frame's sequence and commit
 * time go with it as headers ({@code X-LabHub-Sequence}, {@value #TIMESTAMP_HEADER}).
 */
final class PreviewServlet extends ConsoleServlet {

    private static final long serialVersionUID = 1L;
    static final long MIN_INTERVAL_NANOS = 100_000_000L;
    static final int DEFAULT_MAX = 512;
    private static final int MAX_FRAME_BYTES = 256 << 20;

    /** The frame's commit time (epoch ns, as the ring writes it), sent so that the page can show the frame's age. */
    static final String TIMESTAMP_HEADER = "X-LabHub-Timestamp-Ns";

    private record Cached(long atNanos, int max, long sequence, long timestampNanos, byte[] png) {
    }

    private final transient Hub hub;
    private final transient ConcurrentHashMap<String, Cached> last = new ConcurrentHashMap<>();

    PreviewServlet(Gate access, Hub hub) {
        super(access);
        this.hub = hub;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getPathInfo();
        if (path == null || !path.endsWith(".png") || path.length() < 6) {
            Http.error(resp, 404, "NOT_FOUND", "a preview is /api/preview/CHANNEL.png");
            return;
        }
        String name = path.substring(1, path.length() - 4);
        int max;
        try {
            max = req.getParameter("max") == null ? DEFAULT_MAX : Integer.parseInt(req.getParameter("max"));
        } catch (NumberFormatException e) {
            max = -1;
        }
        if (max < 8 || max > 4096) {
            Http.error(resp, 400, ErrorCode.INVALID_ARGUMENT.name(), "max must be a whole number of pixels from 8 to 4096");
            return;
        }
        try {
            ChannelInfo channel = Http.channelOr404(hub, name, resp);
            if (channel == null) {
                return;
            }
            Preview.Image image = channel.kind() == ChannelKind.SHM ? Preview.image(channel.schema()) : null;
            if (image == null) {
                Http.error(resp, 400, ErrorCode.INVALID_ARGUMENT.name(), name + " is not an shm channel with an image field "
                        + "(u8 [h,w], u16 [h,w] or u8 [h,w,3] in its schema)");
                return;
            }
            Cached c = render(name, channel, image, max);
            if (c == null) {
                Http.error(resp, 404, "NO_FRAME", "no frame of " + name + " on this host yet");
                return;
            }
            resp.setStatus(200);
            resp.setContentType("image/png");
            resp.setHeader("Cache-Control", "no-store");
            resp.setHeader("X-LabHub-Sequence", Long.toString(c.sequence()));
            resp.setHeader(TIMESTAMP_HEADER, Long.toString(c.timestampNanos()));
            resp.setHeader("X-LabHub-Format", Preview.format(image));
            resp.setContentLength(c.png().length);
            resp.getOutputStream().write(c.png());
        } catch (LabHubException e) {
            Http.error(resp, RequestServlet.status(e.code()), e.code().name(), String.valueOf(e.getMessage()));
        }
    }

    private Cached render(String name, ChannelInfo info, Preview.Image image, int max) throws IOException {
        Cached c = last.get(name);
        long now = System.nanoTime();
        if (c != null && c.max() == max && now - c.atNanos() < MIN_INTERVAL_NANOS) {
            return c;
        }
        synchronized (this) { // one encoder at a time: the console never takes more than one core for previews
            c = last.get(name);
            if (c != null && c.max() == max && System.nanoTime() - c.atNanos() < MIN_INTERVAL_NANOS) {
                return c;
            }
            int bytes = info.schema().size() > 0 && !info.schema().open() ? info.schema().size() : MAX_FRAME_BYTES;
            Optional<FrameSnapshot> frame = hub.latestFrame(name, Math.min(bytes, MAX_FRAME_BYTES));
            if (frame.isEmpty()) {
                return c;
            }
            c = new Cached(System.nanoTime(), max, frame.get().sequence(), frame.get().timestampNanos(),
                    Preview.png(info, image, frame.get(), max));
            last.put(name, c);
            return c;
        }
    }
}
