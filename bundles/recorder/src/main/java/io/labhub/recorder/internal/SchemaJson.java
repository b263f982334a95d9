package io.labhub.recorder.internal;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.labhub.api.InvalidInputException;
import java.util.Map;
import java.util.function.Function;

/**
 * A stored schema's JSON (a spool's header, a recording's {@code schema} attribute) as the map that
 * {@code Validator.schema} reads: the one place the recorder turns text back into a schema's plain values.
 */
final class SchemaJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SchemaJson() {
    }

    /**
     * @param refuse turns why ("is not JSON: ...", "is not a JSON object") into the caller's typed refusal
     * @return the JSON object, for {@code Validator.schema}
     */
    static Map<String, ?> map(String json, Function<String, InvalidInputException> refuse) {
        Object parsed;
        try {
            parsed = JSON.readValue(json, Object.class);
        } catch (JacksonException e) {
            throw refuse.apply("is not JSON: " + e.getOriginalMessage());
        }
        if (!(parsed instanceof Map<?, ?> map)) {
            throw refuse.apply("is not a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, ?> m = (Map<String, ?>) map;
        return m;
    }
}
