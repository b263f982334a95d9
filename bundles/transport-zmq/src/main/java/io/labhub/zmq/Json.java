package io.labhub.zmq;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.labhub.api.InvalidInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * JSON payloads for channels whose payload is bytes: {@code publisher.publish(Json.toBytes(status))},
 * {@code Json.fromBytes(message.payload(), Status.class)}. UTF-8, one shared thread-safe Jackson mapper;
 * unknown properties are ignored so that producers may add fields.
 *
 * <p>Malformed input is refused with an {@link InvalidInputException} (rule {@code json.malformed})
 * whose message quotes the start of the payload, escaped; never a Jackson exception.
 */
public final class Json {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private Json() {
    }

    /** @return {@code value} as UTF-8 JSON */
    public static byte[] toBytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException("json.serialize", value == null ? "null" : value.getClass().getName(),
                    "cannot write a " + (value == null ? "null" : value.getClass().getName()) + " as JSON: "
                            + e.getOriginalMessage());
        }
    }

    /** @return the JSON in {@code payload} as a {@code type} */
    public static <T> T fromBytes(byte[] payload, Class<T> type) {
        if (payload == null || payload.length == 0) {
            throw malformed(payload == null ? new byte[0] : payload, type.getSimpleName(), "the payload is empty");
        }
        try {
            T value = MAPPER.readValue(payload, type);
            if (value == null) {
                throw malformed(payload, type.getSimpleName(), "the payload is JSON null");
            }
            return value;
        } catch (IOException e) {
            throw malformed(payload, type.getSimpleName(), originalMessage(e));
        }
    }

    /** @return the JSON in {@code payload} as a tree */
    public static JsonNode tree(byte[] payload) {
        if (payload == null || payload.length == 0) {
            throw malformed(payload == null ? new byte[0] : payload, "JSON", "the payload is empty");
        }
        try {
            return MAPPER.readTree(payload);
        } catch (IOException e) {
            throw malformed(payload, "JSON", originalMessage(e));
        }
    }

    private static String originalMessage(IOException e) {
        return e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
    }

    private static InvalidInputException malformed(byte[] payload, String target, String why) {
        String shown = escape(new String(payload, 0, Math.min(payload.length, 80), StandardCharsets.UTF_8))
                + (payload.length > 80 ? "..." : "");
        return new InvalidInputException("json.malformed", shown,
                "payload of " + payload.length + " bytes is not valid JSON for " + target + " (" + why + "): '" + shown + "'");
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f) {
                b.append(c);
            } else {
                b.append(String.format("\\u%04x", (int) c));
            }
        }
        return b.toString();
    }
}
