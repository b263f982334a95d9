package io.labhub.broker.protocol;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelName;
import io.labhub.api.ChannelState;
import io.labhub.api.ErrorCode;
import io.labhub.api.LabHubException;
import io.labhub.api.spi.ChannelEvent;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.Test;

/** The protocol package on its own (no broker): what both sides rely on when they read and write. */
public class WireTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    public void parsingIsStrictAndEveryFailureIsInvalidMessage() {
        for (String bad : new String[] {"", "[1]", "\"text\"", "{\"a\":1}{\"b\":2}", "{\"a\":1,\"a\":2}",
                "{" + "\"a\":{".repeat(20) + "}".repeat(21)}) {
            LabHubException e = assertThrows(bad, LabHubException.class, () -> Wire.parseObject(utf8(bad)));
            assertEquals(bad, ErrorCode.INVALID_MESSAGE, e.code());
        }
        LabHubException e = assertThrows(LabHubException.class,
                () -> Wire.parseObject(new byte[] {'{', '"', (byte) 0xc3, '"', ':', '1', '}'}));
        assertEquals(ErrorCode.INVALID_MESSAGE, e.code());
        assertTrue(e.getMessage(), e.getMessage().contains("UTF-8"));
    }

    @Test
    public void aRequestRoundTripsThroughTheOneMapper() {
        ObjectNode request = Wire.request(Wire.DISCOVER, "c7");
        request.put(Wire.NAME, "lab.thermometer");
        ObjectNode back = Wire.parseObject(Wire.write(request));
        assertEquals(Wire.VERSION, back.get(Wire.V).intValue());
        assertEquals("c7", back.get(Wire.ID).textValue());
        assertEquals(Wire.DISCOVER, Wire.requireString(back, Wire.TYPE));
        assertNull(Wire.optionalString(back, Wire.SERVER_KEY));
        LabHubException e = assertThrows(LabHubException.class, () -> Wire.requireString(back, Wire.ENDPOINT));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    }

    @Test
    public void aChannelAndItsEventsReadBackAsWritten() {
        ChannelInfo info = new ChannelInfo(new ChannelName("cam.frames"), ChannelKind.PUBSUB, "P".repeat(40),
                "tcp://10.0.0.5:40000", "S".repeat(40), Map.of("unit", "K"), 2, ChannelState.ACTIVE);
        assertEquals(info.endpoint(), Wire.readChannel(Wire.channel(info)).endpoint());
        assertEquals(info.metadata(), Wire.readChannel(Wire.parseObject(Wire.write(Wire.channel(info)))).metadata());

        ChannelEvent lost = new ChannelEvent(ChannelEvent.Type.PRODUCER_LOST, info);
        assertEquals("cam.frames producer_lost", Wire.topic(lost));
        ObjectNode event = Wire.event(9, lost);
        assertEquals(ChannelEvent.Type.PRODUCER_LOST, Wire.eventType(event.get(Wire.TYPE).textValue()));
        assertFalse(event.has(Wire.PRODUCER_CHANGED));
        ObjectNode moved = Wire.event(10, new ChannelEvent(ChannelEvent.Type.REGISTERED, info), "Q".repeat(40));
        assertTrue(moved.get(Wire.PRODUCER_CHANGED).booleanValue());
        assertNull("an event type newer than this code", Wire.eventType("channel_renamed"));
        assertEquals(500, Wire.DEFAULT_HEARTBEAT_INTERVAL_MS);
    }
}
