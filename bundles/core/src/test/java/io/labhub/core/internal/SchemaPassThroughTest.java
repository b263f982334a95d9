package io.labhub.core.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;

import io.labhub.api.ChannelInfo;
import io.labhub.api.InvalidInputException;
import io.labhub.api.Publisher;
import io.labhub.api.ZmqOptions;
import io.labhub.api.schema.Dtype;
import io.labhub.api.schema.Schema;
import io.labhub.validation.Validators;
import org.junit.Test;

/** A producer's schema (issue 15) reaches the directory with its channel, whatever the transport; bad ones never do. */
public class SchemaPassThroughTest {

    private final HubEngine engine = new HubEngine(Validators.defaults(), new LocalDirectory("local"));
    private final BundleHub driver = new BundleHub(engine, "driver.a");

    @Test
    public void theOptionsSchemaIsRegisteredWithTheChannel() {
        HubEngineTest.RecordingTransport t = new HubEngineTest.RecordingTransport();
        engine.addTransport(t);
        Schema schema = Schema.builder().field("celsius", Dtype.F64).unit("degC").field("timestampNs", Dtype.I64).build();
        try (Publisher p = driver.createPublisher("lab.thermometer", ZmqOptions.DEFAULTS.withSchema(schema))) {
            ChannelInfo info = driver.find("lab.thermometer").orElseThrow();
            assertEquals(schema, info.schema());
            assertEquals(schema.hash(), info.schemaHash());
        }
        try (Publisher p = driver.createPublisher("lab.untyped")) {
            assertNull(driver.find("lab.untyped").orElseThrow().schema());
        }
    }

    @Test
    public void aSchemaBreakingARuleIsRefusedBeforeTheTransportIsCalled() {
        HubEngineTest.RecordingTransport t = new HubEngineTest.RecordingTransport();
        engine.addTransport(t);
        Schema badName = Schema.builder().field("not an identifier", Dtype.U8).build();
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> driver.createPublisher("lab.t", ZmqOptions.DEFAULTS.withSchema(badName)));
        assertEquals("schema.name", e.rule());
        Schema withReply = Schema.builder().text("command", Dtype.UTF8, 0)
                .reply(Schema.builder().text("reply", Dtype.UTF8, 0).build()).build();
        InvalidInputException reply = assertThrows(InvalidInputException.class,
                () -> driver.createPublisher("lab.t", ZmqOptions.DEFAULTS.withSchema(withReply)));
        assertEquals("schema.unknownKey", reply.rule());
        assertEquals(0, t.calls.get());
    }
}
