package io.labhub.transport.zmq.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.labhub.api.ErrorCode;
import io.labhub.api.text.SafeText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The JSON body of an error reply: {@code {"code":"REMOTE_ERROR","remoteType":"java.lang.X","message":"..."}}.
 * {@code code} is an {@link ErrorCode} name; an unknown or missing one is kept as {@code rawCode}.
 */
record ErrorBody(ErrorCode code, String rawCode, String remoteType, String message) {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    static byte[] encode(ErrorCode code, String remoteType, String message) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("code", code.name());
        o.put("remoteType", remoteType);
        o.put("message", message == null ? "" : message);
        try {
            return MAPPER.writeValueAsBytes(o);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode an error reply", e);
        }
    }

    static ErrorBody decode(byte[] body) {
        try {
            JsonNode n = MAPPER.readTree(body);
            if (n == null || !n.isObject()) {
                return malformed(body);
            }
            String raw = n.path("code").asText("");
            ErrorCode code = null;
            try {
                code = ErrorCode.valueOf(raw);
            } catch (IllegalArgumentException unknown) {
                // kept as rawCode: a newer peer may know more codes than we do
            }
            return new ErrorBody(code, raw, n.path("remoteType").asText(""), n.path("message").asText(""));
        } catch (IOException e) {
            return malformed(body);
        }
    }

    private static ErrorBody malformed(byte[] body) {
        String text = new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8);
        return new ErrorBody(ErrorCode.INVALID_MESSAGE, "INVALID_MESSAGE", "",
                "the server sent an error reply that is not a JSON object: " + SafeText.display(text));
    }
}
