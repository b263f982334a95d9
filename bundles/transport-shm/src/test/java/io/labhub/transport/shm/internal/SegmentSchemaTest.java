package io.labhub.transport.shm.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.labhub.api.ErrorCode;
import io.labhub.api.InvalidInputException;
import io.labhub.api.LabHubException;
import io.labhub.api.ShmFrame;
import io.labhub.api.ShmOptions;
import io.labhub.api.ShmPolicy;
import io.labhub.api.WaitStrategy;
import io.labhub.api.schema.Dtype;
import io.labhub.api.schema.Schema;
import io.labhub.transport.shm.internal.ShmLayout.Expectation;
import io.labhub.transport.shm.internal.platform.SegmentNames;
import io.labhub.transport.shm.internal.platform.ShmPlatform;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The schema region of a segment (issue 15, docs/shm-layout.md): the producer writes the schema's JSON and
 * hash, the table moves behind it, and a consumer whose broker announced another schema is refused with
 * {@code schema.mismatch}.
 */
public class SegmentSchemaTest {

    private static final Schema FRAME = Schema.builder().field("sequence", Dtype.U64)
            .field("pixels", Dtype.U16, 4, 6).unit("counts").at(32).attribute("serial", "CAM-0001").build();

    private Path dir;
    private ShmPlatform platform;
    private String segment;
    private RingProducer producer;

    @Before
    public void setUp() throws Exception {
        dir = ShmTestSupport.newDirectory();
        platform = ShmTestSupport.platform(dir);
        segment = SegmentNames.random();
        producer = ShmTestSupport.producer(platform, segment, new ShmOptions(FRAME.size(), 4, ShmPolicy.LATEST,
                Duration.ofSeconds(1), WaitStrategy.BLOCKING, false, Map.of(), FRAME), null);
    }

    @After
    public void tearDown() throws Exception {
        producer.close();
        ShmTestSupport.removeDirectory(dir);
    }

    private RingConsumer open(String hash) {
        return RingConsumer.open(platform, ShmTestSupport.CHANNEL, new RingConsumer.Endpoint(segment,
                new Expectation(FRAME.size(), 4, ShmLayout.LAYOUT_VERSION, hash)), WaitStrategy.BLOCKING,
                ShmTestSupport.FAST, null, null, null);
    }

    @Test
    public void theSegmentHoldsTheSchemaJsonAndHashAndTheTableFollowsIt() throws Exception {
        MemorySegment file = MemorySegment.ofArray(Files.readAllBytes(dir.resolve(segment)));
        byte[] json = FRAME.toJson().getBytes(StandardCharsets.UTF_8);
        assertEquals(json.length, file.get(ValueLayout.JAVA_INT_UNALIGNED, ShmLayout.SCHEMA_LENGTH_OFFSET));
        assertEquals(ShmLayout.PAGE, file.get(ValueLayout.JAVA_INT_UNALIGNED, ShmLayout.SCHEMA_OFFSET_OFFSET));
        assertArrayEquals(json, file.asSlice(ShmLayout.PAGE, json.length).toArray(ValueLayout.JAVA_BYTE));
        assertEquals(FRAME.hash(), ShmLayout.schemaHash(file));
        assertEquals(2 * ShmLayout.PAGE, file.get(ValueLayout.JAVA_INT_UNALIGNED, ShmLayout.TABLE_OFFSET_OFFSET));
    }

    @Test
    public void aConsumerWithTheBrokersHashReadsFramesThroughTheSchema() {
        try (RingConsumer c = open(FRAME.hash())) {
            producer.publish(FRAME.writer().setU64("sequence", 7).setU16("pixels", 23, 65535).bytes());
            try (ShmFrame f = c.next(Duration.ofSeconds(5))) {
                assertEquals(7, FRAME.view(f.segment()).getU64("sequence"));
                assertEquals(65535, FRAME.view(f.segment()).getU16("pixels", 23));
                assertTrue(f.release());
            }
        }
        try (RingConsumer c = open(null)) { // no schema from the broker: nothing to compare
            assertEquals(segment, c.segmentName());
        }
    }

    @Test
    public void anotherHashIsRefusedAsSchemaMismatch() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> open("0".repeat(64)));
        assertEquals("schema.mismatch", e.rule());
        assertTrue(e.getMessage(), e.getMessage().contains(FRAME.hash()));
    }

    @Test
    public void aSegmentWithoutASchemaMismatchesABrokerSchema() throws Exception {
        String plain = SegmentNames.random();
        try (RingProducer p = ShmTestSupport.producer(platform, plain, new ShmOptions(64, 4, ShmPolicy.LATEST,
                Duration.ofSeconds(1), WaitStrategy.BLOCKING, false, Map.of()), null)) {
            MemorySegment file = MemorySegment.ofArray(Files.readAllBytes(dir.resolve(plain)));
            assertNull(ShmLayout.schemaHash(file));
            assertEquals(ShmLayout.PAGE, file.get(ValueLayout.JAVA_INT_UNALIGNED, ShmLayout.TABLE_OFFSET_OFFSET));
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> RingConsumer.open(platform,
                    ShmTestSupport.CHANNEL, new RingConsumer.Endpoint(plain, new Expectation(64, 4, ShmLayout.LAYOUT_VERSION,
                            FRAME.hash())), WaitStrategy.BLOCKING, ShmTestSupport.FAST, null, null, null));
            assertEquals("schema.mismatch", e.rule());
        }
    }

    @Test
    public void aHostileSchemaLengthIsAnInvalidSegment() throws Exception {
        byte[] copy = Files.readAllBytes(dir.resolve(segment));
        MemorySegment.ofArray(copy).set(ValueLayout.JAVA_INT_UNALIGNED, ShmLayout.SCHEMA_LENGTH_OFFSET, 1 << 30);
        String bad = SegmentNames.random();
        Files.write(dir.resolve(bad), copy);
        LabHubException e = assertThrows(LabHubException.class, () -> RingConsumer.open(platform, ShmTestSupport.CHANNEL,
                new RingConsumer.Endpoint(bad, Expectation.NONE), WaitStrategy.BLOCKING, ShmTestSupport.FAST, null, null, null));
        assertEquals(ErrorCode.SEGMENT_INVALID, e.code());
        assertTrue(e.getMessage(), e.getMessage().contains("schema length"));
    }
}
