package io.labhub.zmq;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.labhub.api.ErrorCode;
import io.labhub.api.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.Test;

public class JsonTest {

    public record Status(String stage, double temperature, List<Integer> axes) {
    }

    @Test
    public void objectsRoundTripThroughUtf8Json() {
        Status s = new Status("homed", 21.5, List.of(1, 2));
        byte[] bytes = Json.toBytes(s);
        assertEquals("{\"stage\":\"homed\",\"temperature\":21.5,\"axes\":[1,2]}", new String(bytes, StandardCharsets.UTF_8));
        assertEquals(s, Json.fromBytes(bytes, Status.class));
        assertEquals(21.5, Json.tree(bytes).path("temperature").asDouble(), 0.0);
    }

    @Test
    public void unknownFieldsFromNewerProducersAreIgnored() {
        byte[] newer = "{\"stage\":\"moving\",\"temperature\":1,\"axes\":[],\"extra\":true}".getBytes(StandardCharsets.UTF_8);
        assertEquals("moving", Json.fromBytes(newer, Status.class).stage());
    }

    @Test
    public void malformedPayloadsAreRefusedWithATypedEscapedError() {
        byte[] garbage = "{\"stage\": \u0001 not json".getBytes(StandardCharsets.UTF_8);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Json.fromBytes(garbage, Status.class));
        assertEquals("json.malformed", e.rule());
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage(), e.getMessage().contains("\\u0001"));
        assertFalse(e.getMessage().contains("\u0001"));
        assertThrows(InvalidInputException.class, () -> Json.fromBytes(new byte[0], Status.class));
        assertThrows(InvalidInputException.class, () -> Json.fromBytes("null".getBytes(StandardCharsets.UTF_8), Status.class));
        assertThrows(InvalidInputException.class, () -> Json.tree(new byte[] {(byte) 0xff, 1}));
        assertThrows(InvalidInputException.class, () -> Json.fromBytes("[1,2]".getBytes(StandardCharsets.UTF_8), Status.class));
    }

    @Test
    public void valuesJacksonCannotWriteAreRefusedTyped() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Json.toBytes(new Object()));
        assertEquals("json.serialize", e.rule());
    }
}
