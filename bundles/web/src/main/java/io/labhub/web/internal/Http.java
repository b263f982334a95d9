package io.labhub.web.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.labhub.api.ChannelInfo;
import io.labhub.api.ErrorCode;
import io.labhub.api.Hub;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The one JSON mapper and the one error body of the console: {@code {"error":{"code":..,"message":..}}}. */
final class Http {

    static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private Http() {
    }

    static void json(HttpServletResponse resp, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        resp.setStatus(status);
        resp.setContentType("application/json");
        resp.setCharacterEncoding("UTF-8");
        resp.setHeader("Cache-Control", "no-store");
        resp.setContentLength(bytes.length);
        resp.getOutputStream().write(bytes);
    }

    static void error(HttpServletResponse resp, int status, String code, String message) throws IOException {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("code", code);
        e.put("message", message);
        json(resp, status, Map.of("error", e));
    }

    /** @return the channel {@code name}, or null after answering 404 {@code CHANNEL_NOT_FOUND} */
    static ChannelInfo channelOr404(Hub hub, String name, HttpServletResponse resp) throws IOException {
        Optional<ChannelInfo> info = hub.find(name);
        if (info.isEmpty()) {
            error(resp, 404, ErrorCode.CHANNEL_NOT_FOUND.name(), "no channel " + name);
            return null;
        }
        return info.get();
    }
}
