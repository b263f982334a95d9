package io.labhub.web.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ConsumerOptions;
import io.labhub.api.ErrorCode;
import io.labhub.api.Hub;
import io.labhub.api.LabHubException;
import io.labhub.api.RequestClient;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/request/{channel}}: the body is the request (a JSON string is unwrapped to its text, other JSON
 * is sent as written, a text/plain body as it is), sent through one cached {@link RequestClient} per channel; the
 * answer is {@code {"channel":..,"reply":..}} or the typed error with a 4xx/5xx status. Only channels the hub knows
 * as reqrep get a client, so the cache is bounded by the registry.
 */
final class RequestServlet extends ConsoleServlet implements AutoCloseable {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RequestServlet.class);
    private static final Duration DISCOVERY = Duration.ofSeconds(2);

    private final transient Hub hub;
    private final int maxBody;
    private final Duration timeout;
    private final transient Map<String, RequestClient> clients = new ConcurrentHashMap<>();
    private volatile boolean closed;

    RequestServlet(Gate access, Hub hub, int maxBody, Duration timeout) {
        super(access);
        this.hub = hub;
        this.maxBody = maxBody;
        this.timeout = timeout;
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getPathInfo();
        String name = path == null || path.length() < 2 ? "" : path.substring(1);
        byte[] payload;
        try {
            payload = payload(req);
        } catch (BadBody e) {
            Http.error(resp, e.status, e.code, e.getMessage());
            return;
        }
        try {
            ChannelInfo channel = Http.channelOr404(hub, name, resp);
            if (channel == null) {
                return;
            }
            if (channel.kind() != ChannelKind.REQREP) {
                Http.error(resp, 400, ErrorCode.INVALID_ARGUMENT.name(), name + " is a " + channel.kind().name().toLowerCase(java.util.Locale.ROOT)
                        + " channel; requests go to reqrep channels");
                return;
            }
            byte[] reply = client(name).request(payload, timeout);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("channel", name);
            out.put("reply", new String(reply, StandardCharsets.UTF_8));
            Http.json(resp, 200, out);
        } catch (LabHubException e) {
            if (e.code() == ErrorCode.CHANNEL_CLOSED) {
                RequestClient gone = clients.remove(name);
                if (gone != null) {
                    gone.close();
                }
            }
            Http.error(resp, status(e.code()), e.code().name(), String.valueOf(e.getMessage()));
        }
    }

    private RequestClient client(String name) {
        if (closed) {
            throw new LabHubException(ErrorCode.CHANNEL_CLOSED, "the web console is stopping");
        }
        return clients.computeIfAbsent(name, n -> hub.openClient(n, ConsumerOptions.DEFAULTS.withWaitForChannel(DISCOVERY)));
    }

    /** The HTTP status of a typed error: the caller's fault 4xx, the instrument's or the hub's 5xx. */
    static int status(ErrorCode code) {
        return switch (code) {
            case INVALID_ARGUMENT, INVALID_MESSAGE -> 400;
            case AUTH_FAILED -> 403;
            case CHANNEL_NOT_FOUND -> 404;
            case MESSAGE_TOO_LARGE -> 413;
            case QUOTA_EXCEEDED -> 429;
            case REMOTE_ERROR -> 502;
            case BUSY, TRANSPORT_UNAVAILABLE, BROKER_UNAVAILABLE, CHANNEL_CLOSED -> 503;
            case TIMEOUT -> 504;
            default -> 500;
        };
    }

    private static final class BadBody extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;
        final String code;

        BadBody(int status, String code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }
    }

    private byte[] payload(HttpServletRequest req) throws IOException, BadBody {
        long declared = req.getContentLengthLong();
        if (declared > maxBody) {
            throw new BadBody(413, ErrorCode.MESSAGE_TOO_LARGE.name(), "the body has " + declared + " bytes; at most " + maxBody);
        }
        byte[] body;
        try (InputStream in = req.getInputStream()) {
            body = in.readNBytes(maxBody + 1);
        }
        if (body.length > maxBody) {
            throw new BadBody(413, ErrorCode.MESSAGE_TOO_LARGE.name(), "the body is larger than " + maxBody + " bytes");
        }
        String type = req.getContentType();
        if (type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            JsonNode node;
            try {
                node = Http.JSON.readTree(body);
            } catch (JsonProcessingException e) {
                throw new BadBody(400, ErrorCode.INVALID_MESSAGE.name(), "the body is not JSON: " + e.getOriginalMessage());
            }
            if (node == null || node.isMissingNode()) {
                throw new BadBody(400, ErrorCode.INVALID_MESSAGE.name(), "the body is empty");
            }
            return node.isTextual() ? node.textValue().getBytes(StandardCharsets.UTF_8) : body;
        }
        return body;
    }

    @Override
    public void close() {
        closed = true;
        for (RequestClient c : clients.values()) {
            try {
                c.close();
            } catch (RuntimeException e) {
                LOG.debug("closing a request client: {}", e.toString());
            }
        }
        clients.clear();
    }
}
