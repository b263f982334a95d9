package io.labhub.transport.shm.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import io.labhub.api.ChannelExistsException;
import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelNotFoundException;
import io.labhub.api.ConsumerOptions;
import io.labhub.api.ErrorCode;
import io.labhub.api.LabHubException;
import io.labhub.api.ShmConsumer;
import io.labhub.api.ShmOptions;
import io.labhub.api.ShmPolicy;
import io.labhub.api.ShmProducer;
import io.labhub.api.WaitStrategy;
import io.labhub.transport.shm.internal.platform.SegmentAccess;
import io.labhub.transport.shm.internal.platform.SegmentNames;

/** The transport against a broker stand-in: registration, discovery, attach counts, lifetime, events. */
public class ShmTransportTest {

    private Path dir;
    private ShmTransportImpl transport;
    private InProcessRegistry registry;
    private final ShmOptions options = ShmOptions.defaults().withSlots(512, 8).withWait(WaitStrategy.BLOCKING)
            .withMetadata(Map.of("format", "mono8"));

    @Before
    public void setUp() throws Exception {
        dir = ShmTestSupport.newDirectory();
        transport = new ShmTransportImpl(ShmTestSupport.platform(dir), ShmTestSupport.FAST, SegmentAccess.OWNER_ONLY);
        registry = new InProcessRegistry();
    }

    @After
    public void tearDown() throws Exception {
        transport.deactivate();
        assertEquals(List.of(), ShmTestSupport.removeDirectory(dir));
    }

    @Test
    public void producerRegistersAnOwnerOnlyUnguessableSegmentWithItsLayout() throws Exception {
        InProcessRegistry.Context ctx = registry.context(ShmTestSupport.CHANNEL);
        try (ShmProducer p = transport.createProducer(ctx, options)) {
            ChannelInfo info = registry.info(ShmTestSupport.CHANNEL);
            assertTrue(info.endpoint(), SegmentNames.isValid(info.endpoint()));
            assertFalse(info.endpoint().contains("test"));
            assertEquals("512", info.metadata().get(ShmTransportImpl.META_SLOT_SIZE));
            assertEquals("8", info.metadata().get(ShmTransportImpl.META_SLOT_COUNT));
            assertEquals(Integer.toString(ShmLayout.LAYOUT_VERSION), info.metadata().get(ShmTransportImpl.META_LAYOUT_VERSION));
            assertEquals("latest", info.metadata().get(ShmTransportImpl.META_POLICY));
            assertEquals("mono8", info.metadata().get("format"));
            Path file = dir.resolve(info.endpoint());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS)));
            assertEquals(512, p.maxFrameSize());
        }
        assertEquals(1, ctx.closes.get());
    }

    @Test
    public void twoProducersGetDifferentSegmentsAndASecondOfferIsRefused() {
        ShmProducer p = transport.createProducer(registry.context(ShmTestSupport.CHANNEL), options);
        String first = registry.info(ShmTestSupport.CHANNEL).endpoint();
        assertThrows(ChannelExistsException.class, () -> transport.createProducer(registry.context(ShmTestSupport.CHANNEL), options));
        assertEquals("the refused producer's segment must be removed", List.of(first), listing());
        p.close();
        ShmProducer other = transport.createProducer(registry.context(new io.labhub.api.ChannelName("test.other")), options);
        assertNotEquals(first, registry.info(new io.labhub.api.ChannelName("test.other")).endpoint());
        other.close();
    }

    @Test
    public void consumerAttachesReadsAndTheSegmentOutlivesTheProducerUntilTheLastConsumerLeaves() {
        ShmProducer p = transport.createProducer(registry.context(ShmTestSupport.CHANNEL), options);
        String segment = registry.info(ShmTestSupport.CHANNEL).endpoint();
        InProcessRegistry.Context cctx = registry.context(ShmTestSupport.CHANNEL);
        ShmConsumer c = transport.openConsumer(cctx, ConsumerOptions.DEFAULTS);
        assertEquals(1, registry.attachCount(ShmTestSupport.CHANNEL));
        p.publish("frame".getBytes());
        assertArrayEquals("frame".getBytes(), c.read(Duration.ofSeconds(5)).payload());
        p.close();
        assertEquals("a consumer is attached: the segment stays", List.of(segment), listing());
        assertFalse(c.producerAlive());
        assertEquals("the producer closed: lost to this consumer", io.labhub.api.ChannelState.PRODUCER_LOST, c.producerState());
        c.close();
        assertEquals(io.labhub.api.ChannelState.CLOSED, c.producerState());
        assertEquals(1, cctx.detaches.get());
        assertEquals(1, cctx.closes.get());
        assertEquals(0, registry.attachCount(ShmTestSupport.CHANNEL));
        assertEquals("the last consumer left after the producer: removed", List.of(), listing());
    }

    @Test
    public void unknownChannelAndMismatchedLayoutAreTypedErrors() {
        assertThrows(ChannelNotFoundException.class, () -> transport.openConsumer(registry.context(ShmTestSupport.CHANNEL),
                ConsumerOptions.DEFAULTS.withWaitForChannel(Duration.ofMillis(50))));
        try (ShmProducer p = transport.createProducer(registry.context(ShmTestSupport.CHANNEL), options)) {
            ChannelInfo real = registry.info(ShmTestSupport.CHANNEL);
            registry.register(ShmTestSupport.CHANNEL, real.endpoint(), Map.of(ShmTransportImpl.META_SLOT_SIZE, "1024"));
            LabHubException e = assertThrows(LabHubException.class,
                    () -> transport.openConsumer(registry.context(ShmTestSupport.CHANNEL), ConsumerOptions.DEFAULTS));
            assertEquals(ErrorCode.SEGMENT_INVALID, e.code());
            assertEquals("a refused consumer is not counted", 0, registry.attachCount(ShmTestSupport.CHANNEL));
        }
    }

    @Test
    public void brokerEventsReachTheConsumer() {
        InProcessRegistry.Context pctx = registry.context(ShmTestSupport.CHANNEL);
        ShmProducer p1 = transport.createProducer(pctx, options);
        ShmConsumer c = transport.openConsumer(registry.context(ShmTestSupport.CHANNEL), ConsumerOptions.DEFAULTS);
        assertTrue(c.producerAlive());
        assertEquals(io.labhub.api.ChannelState.ACTIVE, c.producerState());
        registry.producerLost(ShmTestSupport.CHANNEL);
        assertFalse("a producer_lost event makes the producer not alive", c.producerAlive());
        assertEquals(io.labhub.api.ChannelState.PRODUCER_LOST, c.producerState());
        p1.close();
        // a new producer registers: the consumer switches at its next read
        ShmProducer p2 = transport.createProducer(registry.context(ShmTestSupport.CHANNEL), options);
        p2.publish(new byte[] {7});
        assertEquals(7, c.read(Duration.ofSeconds(5)).payload()[0]);
        assertEquals(1, c.counters().reconnects());
        assertTrue(c.producerAlive());
        c.close();
        p2.close();
    }

    @Test
    public void groupOptionOpensTheFileToTheGroup() throws Exception {
        String group = Files.readAttributes(dir, java.nio.file.attribute.PosixFileAttributes.class).group().getName();
        ShmTransportImpl grouped = new ShmTransportImpl(ShmTestSupport.platform(dir), ShmTestSupport.FAST, new SegmentAccess(group));
        try (ShmProducer p = grouped.createProducer(registry.context(ShmTestSupport.CHANNEL), options)) {
            Path file = dir.resolve(registry.info(ShmTestSupport.CHANNEL).endpoint());
            assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        } finally {
            grouped.deactivate();
        }
    }

    private List<String> listing() {
        try {
            return ShmTestSupport.listing(dir);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
