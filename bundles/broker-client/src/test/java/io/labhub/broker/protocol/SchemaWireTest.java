package io.labhub.broker.protocol;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelName;
import io.labhub.api.ChannelState;
import io.labhub.api.ErrorCode;
import io.labhub.api.InvalidInputException;
import io.labhub.api.LabHubException;
import io.labhub.api.schema.Dtype;
import io.labhub.api.schema.Schema;
import io.labhub.validation.Validators;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.Test;

/** A channel's schema through the protocol's JSON: written, parsed, read back equal, with its hash. */
public class SchemaWireTest {

    private static final Schema CAMERA = Schema.builder()
            .field("magic", Dtype.U32).field("seq", Dtype.U64).at(8)
            .field("pixels", Dtype.U16, 1024, 1024).unit("counts").at(32)
            .attribute("pixelFormat", "mono16").attribute("exposureUs", 1000).attribute("cooled", true)
            .attribute("gain", 1.5).build();

    private static ChannelInfo info(ChannelKind kind, Schema schema) {
        return new ChannelInfo(new ChannelName("camera1.frames"), kind, "P".repeat(40), "tcp://10.0.0.5:40000",
                "S".repeat(40), Map.of("unit", "K"), 0, ChannelState.ACTIVE, schema);
    }

    @Test
    public void aChannelsSchemaAndHashRoundTrip() {
        ObjectNode node = Wire.parseObject(Wire.write(Wire.channel(info(ChannelKind.PUBSUB, CAMERA))));
        assertEquals(CAMERA.hash(), node.get(Wire.SCHEMA_HASH).textValue());
        assertEquals(2097184, node.get(Wire.SCHEMA).get("size").intValue());
        assertEquals(32, node.get(Wire.SCHEMA).get("fields").get(2).get("offset").intValue());
        ChannelInfo back = Wire.readChannel(node);
        assertEquals(CAMERA, back.schema());
        assertEquals(CAMERA.hash(), back.schemaHash());
        assertEquals(CAMERA.toJson(), new String(Wire.write(Wire.schema(back.schema())), StandardCharsets.UTF_8));
    }

    @Test
    public void aChannelWithoutASchemaHasNulls() {
        ObjectNode node = Wire.channel(info(ChannelKind.PUBSUB, null));
        assertTrue(node.get(Wire.SCHEMA).isNull());
        assertTrue(node.get(Wire.SCHEMA_HASH).isNull());
        assertNull(Wire.readChannel(node).schema());
        node.remove(Wire.SCHEMA); // an older broker
        node.remove(Wire.SCHEMA_HASH);
        assertNull(Wire.readChannel(node).schema());
    }

    @Test
    public void aReqrepReplySchemaTravels() {
        Schema request = Schema.builder().text("command", Dtype.UTF8, 0)
                .reply(Schema.builder().text("reply", Dtype.UTF8, 0).build()).build();
        ChannelInfo back = Wire.readChannel(Wire.parseObject(Wire.write(Wire.channel(info(ChannelKind.REQREP, request)))));
        assertEquals(request, back.schema());
        assertEquals("size=0;reply:utf8*@0", back.schema().reply().layout());
    }

    @Test
    public void aHostileOrMismatchedSchemaIsRefused() {
        ObjectNode node = Wire.channel(info(ChannelKind.PUBSUB, CAMERA));
        ((ObjectNode) node.get(Wire.SCHEMA).get("fields").get(0)).put("dtype", "u128");
        LabHubException e = assertThrows(LabHubException.class, () -> Wire.readChannel(node));
        assertEquals(ErrorCode.INVALID_MESSAGE, e.code());
        assertTrue(e.getMessage(), e.getMessage().contains("[schema.dtype]"));

        ObjectNode other = Wire.channel(info(ChannelKind.PUBSUB, CAMERA));
        other.put(Wire.SCHEMA_HASH, "0".repeat(64));
        LabHubException m = assertThrows(LabHubException.class, () -> Wire.readChannel(other));
        assertTrue(m.getMessage(), m.getMessage().contains("[schema.mismatch]"));

        ObjectNode request = Wire.object();
        request.put(Wire.SCHEMA, "u8");
        InvalidInputException notObject = assertThrows(InvalidInputException.class,
                () -> Wire.readSchema(request.get(Wire.SCHEMA), ChannelKind.PUBSUB, Validators.defaults()));
        assertEquals("field.schema", notObject.rule());
    }
}
