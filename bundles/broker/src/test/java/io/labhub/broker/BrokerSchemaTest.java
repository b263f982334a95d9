package io.labhub.broker;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.labhub.api.schema.Schema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;

/** A channel's schema (issue 15): stored with the registration, returned with its hash, hostile ones refused. */
public class BrokerSchemaTest {

    private static final String CAMERA = "{\"fields\":[{\"name\":\"magic\",\"dtype\":\"u32\",\"offset\":0},"
            + "{\"name\":\"seq\",\"dtype\":\"u64\",\"offset\":8},"
            + "{\"name\":\"pixels\",\"dtype\":\"u16\",\"shape\":[1024,1024],\"unit\":\"counts\",\"offset\":32}],"
            + "\"size\":2097184,\"attributes\":{\"pixelFormat\":\"mono16\",\"exposureUs\":1000,\"serial\":\"CAM-0001\"}}";

    @Rule
    public final TestBed bed = new TestBed();

    private TestBed.Raw raw;

    @Before
    public void start() throws IOException {
        bed.startBroker();
        raw = bed.raw();
        assertEquals("ok", raw.request("hello", "").path("status").asText());
    }

    private static String cameraFields(String schema) {
        return "\"name\":\"camera1.frames\",\"kind\":\"shm\",\"endpoint\":\"" + TestBed.segment() + "\",\"metadata\":"
                + "{\"shm.slotSize\":\"2097184\",\"shm.slotCount\":\"4\"},\"schema\":" + schema;
    }

    @Test
    public void discoverReturnsTheSchemaAndItsHash() throws Exception {
        JsonNode registered = raw.request("register", cameraFields(CAMERA));
        assertEquals(registered.toString(), "ok", registered.path("status").asText());
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(
                "size=2097184;magic:u32@0;seq:u64@8;pixels:u16[1024,1024]@32".getBytes(StandardCharsets.UTF_8)));
        assertEquals(hash, registered.path("channel").path("schemaHash").asText());

        JsonNode found = raw.request("discover", "\"name\":\"camera1.frames\"");
        JsonNode channel = found.path("channel");
        assertEquals(found.toString(), hash, channel.path("schemaHash").asText());
        assertEquals(found.toString(), 32, channel.path("schema").path("fields").path(2).path("offset").intValue());
        assertEquals("counts", channel.path("schema").path("fields").path(2).path("unit").asText());
        assertEquals("CAM-0001", channel.path("schema").path("attributes").path("serial").asText());
        Schema stored = bed.broker().channels().getFirst().schema();
        assertEquals(hash, stored.hash());

        JsonNode listed = raw.request("list", "");
        assertEquals(listed.toString(), hash, listed.path("channels").path(0).path("schemaHash").asText());
    }

    @Test
    public void aChannelWithoutASchemaHasNullSchemaFields() throws IOException {
        raw.request("register", TestBed.shmFields("plain.bytes"));
        JsonNode channel = raw.request("discover", "\"name\":\"plain.bytes\"").path("channel");
        assertTrue(channel.toString(), channel.has("schema") && channel.get("schema").isNull());
        assertTrue(channel.toString(), channel.has("schemaHash") && channel.get("schemaHash").isNull());
    }

    @Test
    public void hostileSchemasAreRefusedWithTheirRuleAndNothingIsStored() throws IOException {
        String[][] cases = {
                {"{\"fields\":[{\"name\":\"a\",\"dtype\":\"u128\"}]}", "schema.dtype"},
                {"{\"fields\":[{\"name\":\"a\",\"dtype\":\"u8\",\"shape\":[-1024]}]}", "schema.shape"},
                {"{\"fields\":[{\"name\":\"a\",\"dtype\":\"u64\",\"shape\":[2147483647,2147483647,2147483647]}]}", "schema.size"},
                {"{\"fields\":[{\"name\":\"a b\",\"dtype\":\"u8\"}]}", "schema.name"},
                {"{\"fields\":[{\"name\":\"a\",\"dtype\":\"u32\"},{\"name\":\"b\",\"dtype\":\"u8\",\"offset\":1}]}", "schema.offset"},
                {"{\"fields\":[{\"name\":\"a\",\"dtype\":\"u8\"}],\"attributes\":{\"k\":{\"x\":1}}}", "schema.depth"},
                {"{\"fields\":[{\"name\":\"a\",\"dtype\":\"u8\"}],\"endian\":\"big\"}", "schema.unknownKey"},
                {"{\"fields\":[{\"name\":\"a\",\"dtype\":\"u8\"}],\"reply\":{\"fields\":[{\"name\":\"r\",\"dtype\":\"u8\"}]}}", "schema.unknownKey"},
                {"\"u8\"", "field.schema"},
        };
        for (String[] c : cases) {
            JsonNode reply = raw.request("register", cameraFields(c[0]));
            assertEquals(reply.toString(), "INVALID_ARGUMENT", reply.path("code").asText());
            assertEquals(reply.toString(), c[1], reply.path("rule").asText());
            assertTrue("nothing stored after " + c[0], bed.broker().channels().isEmpty());
        }
    }

    @Test
    public void theSchemaCountsAgainstTheMetadataQuota() throws IOException {
        bed.stopBroker();
        bed.startBroker(bed.config().withQuotas(BrokerConfig.DEFAULT_MAX_CHANNELS_PER_KEY, 200,
                BrokerConfig.DEFAULT_MAX_IN_FLIGHT_PER_KEY));
        raw = bed.raw();
        raw.request("hello", "");
        JsonNode reply = raw.request("register", cameraFields(CAMERA));
        assertEquals(reply.toString(), "QUOTA_EXCEEDED", reply.path("code").asText());
        assertTrue(bed.broker().channels().isEmpty());
        // the same registration without its schema (33 bytes of metadata) fits
        String plain = cameraFields(CAMERA).replace(",\"schema\":" + CAMERA, "");
        assertEquals("ok", raw.request("register", plain).path("status").asText());
    }
}
