package io.labhub.broker.internal;

import io.labhub.api.ChannelExistsException;
import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelName;
import io.labhub.api.ChannelNotFoundException;
import io.labhub.api.ChannelState;
import io.labhub.api.ErrorCode;
import io.labhub.api.LabHubException;
import io.labhub.api.spi.ChannelEvent;
import io.labhub.broker.BrokerConfig;
import org.junit.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/** The registry's rules, with a hand-driven clock: no sockets, no sleeps. */
public class RegistryTest {

    private static final String A = "A".repeat(40);
    private static final String B = "B".repeat(40);
    private static final ChannelName CAM = new ChannelName("camera1.frames");

    private final Registry registry = new Registry(Duration.ofMillis(100), 3);
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    private ChannelInfo register(String client, String endpoint) {
        return registry.register(client, CAM, ChannelKind.SHM, endpoint, null, Map.of("unit", "px"), now);
    }

    @Test
    public void registerNeedsASession() {
        LabHubException e = assertThrows(LabHubException.class, () -> register(A, "seg-1"));
        assertEquals(ErrorCode.UNKNOWN_CLIENT, e.code());
        assertTrue(registry.list().isEmpty());
    }

    @Test
    public void registerThenDiscoverThenUnregister() {
        registry.hello(A, now);
        ChannelInfo info = register(A, "seg-1");
        assertEquals(A, info.producer());
        assertEquals(ChannelState.ACTIVE, info.state());
        assertEquals(info, registry.discover(CAM));
        assertEquals(List.of(ChannelEvent.Type.REGISTERED), types(registry.drainEvents()));

        registry.unregister(A, CAM);
        assertEquals(List.of(ChannelEvent.Type.CLOSED), types(registry.drainEvents()));
        assertThrows(ChannelNotFoundException.class, () -> registry.discover(CAM));
        assertTrue(registry.list().isEmpty());
    }

    @Test
    public void anotherClientIsRefusedTheSameClientIsIdempotent() {
        registry.hello(A, now);
        registry.hello(B, now);
        register(A, "seg-1");
        registry.drainEvents();
        assertThrows(ChannelExistsException.class, () -> register(B, "seg-2"));
        assertEquals(A, registry.discover(CAM).producer());

        register(A, "seg-1");
        assertTrue("the same offer again publishes nothing", registry.drainEvents().isEmpty());
        register(A, "seg-9");
        assertEquals("seg-9", registry.discover(CAM).endpoint());
        assertEquals(List.of(ChannelEvent.Type.REGISTERED), types(registry.drainEvents()));
    }

    @Test
    public void unregisterByAnotherClientIsNotOwner() {
        registry.hello(A, now);
        register(A, "seg-1");
        LabHubException e = assertThrows(LabHubException.class, () -> registry.unregister(B, CAM));
        assertEquals(ErrorCode.NOT_OWNER, e.code());
        assertThrows(ChannelNotFoundException.class, () -> registry.unregister(A, new ChannelName("other")));
    }

    @Test
    public void silentClientIsLostItsChannelsAndAttachmentsGo() {
        registry.hello(A, now);
        registry.hello(B, now);
        register(A, "seg-1");
        registry.attach(B, CAM);
        registry.drainEvents();

        now = now.plusMillis(250);
        registry.touch(B, now);
        registry.expire(now);
        assertTrue("not lost before heartbeat x missedBeats", registry.drainEvents().isEmpty());

        now = now.plusMillis(100); // A silent for 350 ms > 300 ms
        registry.touch(B, now);
        registry.expire(now);
        List<ChannelEvent> events = registry.drainEvents();
        assertEquals(List.of(ChannelEvent.Type.PRODUCER_LOST), types(events));
        assertEquals(ChannelState.PRODUCER_LOST, registry.list().get(0).state());
        assertThrows(ChannelNotFoundException.class, () -> registry.discover(CAM));
        LabHubException e = assertThrows(LabHubException.class, () -> registry.requireSession(A));
        assertEquals(ErrorCode.UNKNOWN_CLIENT, e.code());
        assertEquals(1, registry.list().get(0).consumers());

        now = now.plusMillis(400); // now B is silent too: its attachment is dropped
        registry.expire(now);
        assertEquals(0, registry.list().get(0).consumers());
    }

    @Test
    public void lostChannelIsReservedForItsKeyThenCanBeTakenOverAndKeepsItsConsumers() {
        registry.hello(A, now);
        registry.hello(B, now);
        register(A, "seg-1");
        registry.attach(B, CAM);
        now = now.plusMillis(350);
        registry.touch(B, now);
        registry.expire(now);
        registry.drainEvents();

        LabHubException reserved = assertThrows(LabHubException.class, () -> register(B, "seg-2"));
        assertEquals(ErrorCode.CHANNEL_RESERVED, reserved.code());
        now = now.plus(BrokerConfig.DEFAULT_RESERVATION_GRACE).plusMillis(1);
        registry.touch(B, now);
        ChannelInfo taken = register(B, "seg-2");
        assertEquals(B, taken.producer());
        assertEquals(ChannelState.ACTIVE, taken.state());
        assertEquals(1, taken.consumers());
        List<Registry.Event> events = registry.drain();
        assertEquals(1, events.size());
        assertEquals(A, events.get(0).previousProducer());
    }

    @Test
    public void theLostProducersKeyGetsItsNameBackDuringTheGrace() {
        registry.hello(A, now);
        register(A, "seg-1");
        now = now.plusMillis(400);
        registry.expire(now);
        assertEquals(ChannelState.PRODUCER_LOST, registry.list().get(0).state());
        registry.drain();
        registry.hello(A, now);
        ChannelInfo back = register(A, "seg-3");
        assertEquals(A, back.producer());
        assertEquals(null, registry.drain().get(0).previousProducer());
    }

    @Test
    public void quotasCountActiveAndReservedChannelsAndMetadataBytes() {
        Registry small = new Registry(Duration.ofMillis(100), 3, new Registry.Limits(2, 10, Duration.ofSeconds(30)));
        small.hello(A, now);
        small.register(A, new ChannelName("a.one"), ChannelKind.SHM, "s", null, Map.of("k", "1234"), now); // 5 bytes
        QuotaExceededException bytes = assertThrows(QuotaExceededException.class, () -> small.register(A,
                new ChannelName("a.two"), ChannelKind.SHM, "s", null, Map.of("k", "123456"), now)); // 5 + 7 > 10
        assertEquals("maxMetadataBytesPerKey", bytes.quota());
        assertEquals(10, bytes.limit());
        small.register(A, new ChannelName("a.two"), ChannelKind.SHM, "s", null, Map.of("k", "1"), now);
        QuotaExceededException count = assertThrows(QuotaExceededException.class, () -> small.register(A,
                new ChannelName("a.three"), ChannelKind.SHM, "s", null, Map.of(), now));
        assertEquals("maxChannelsPerKey", count.quota());
        now = now.plusMillis(400);
        small.expire(now);
        small.hello(A, now);
        assertThrows("lost but reserved channels still count", QuotaExceededException.class, () -> small.register(A,
                new ChannelName("a.three"), ChannelKind.SHM, "s", null, Map.of(), now));
        small.unregister(A, new ChannelName("a.one"));
        small.register(A, new ChannelName("a.three"), ChannelKind.SHM, "s", null, Map.of(), now);
    }

    @Test
    public void secondSessionOfALiveKeyIsKeyInUse() {
        registry.hello(A, "0".repeat(32), "c1", now);
        LabHubException e = assertThrows(LabHubException.class, () -> registry.hello(A, "1".repeat(32), "c2", now));
        assertEquals(ErrorCode.KEY_IN_USE, e.code());
        assertEquals(ErrorCode.KEY_IN_USE, assertThrows(LabHubException.class,
                () -> registry.checkConnection(A, "c2")).code());
        registry.checkConnection(A, "c1");
        registry.hello(A, "0".repeat(32), "c3", now); // same session, new connection: same client
        registry.checkConnection(A, "c3");
        now = now.plusMillis(400); // silent: lost, then the new session is accepted
        registry.hello(A, "1".repeat(32), "c2", now);
        registry.checkConnection(A, "c2");
        assertEquals(ErrorCode.KEY_IN_USE, assertThrows(LabHubException.class,
                () -> registry.checkConnection(A, "c1")).code());
    }

    @Test
    public void pagesAreBoundedAndContinueAfterTheLastName() {
        registry.hello(A, now);
        for (int i = 0; i < 25; i++) {
            registry.register(A, new ChannelName(String.format("p.c%02d", i)), ChannelKind.SHM, "s", null, Map.of(), now);
        }
        Registry.Page first = registry.page(null, 10, Long.MAX_VALUE);
        assertEquals(10, first.channels().size());
        assertEquals("p.c09", first.next());
        Registry.Page second = registry.page(new ChannelName(first.next()), 10, Long.MAX_VALUE);
        assertEquals("p.c10", second.channels().get(0).name().value());
        Registry.Page last = registry.page(new ChannelName("p.c19"), 10, Long.MAX_VALUE);
        assertEquals(5, last.channels().size());
        assertEquals(null, last.next());
        Registry.Page tiny = registry.page(null, 10, 1);
        assertEquals("at least one channel per page", 1, tiny.channels().size());
        assertEquals("p.c00", tiny.next());
    }

    @Test
    public void closedShmChannelLivesWhileConsumersAreAttached() {
        registry.hello(A, now);
        registry.hello(B, now);
        register(A, "seg-1");
        assertEquals(1, registry.attach(B, CAM).consumers());
        assertEquals("attach is idempotent per client", 1, registry.attach(B, CAM).consumers());

        ChannelInfo closed = registry.unregister(A, CAM);
        assertEquals(ChannelState.CLOSED, closed.state());
        assertEquals(1, registry.list().size());
        assertThrows(ChannelNotFoundException.class, () -> registry.discover(CAM));

        assertEquals(0, registry.detach(B, CAM).consumers());
        assertTrue("removed when the last consumer leaves", registry.list().isEmpty());
    }

    @Test
    public void lostClientsAndLostChannelsAreForgottenAfterRetention() {
        registry.hello(A, now);
        register(A, "seg-1");
        now = now.plusMillis(400);
        registry.expire(now);
        assertEquals(1, registry.list().size());
        assertEquals(1, registry.clients().size());
        now = now.plus(Registry.RETENTION).plusMillis(1);
        registry.expire(now);
        assertTrue(registry.list().isEmpty());
        assertTrue(registry.clients().isEmpty());
    }

    private static List<ChannelEvent.Type> types(List<ChannelEvent> events) {
        return events.stream().map(ChannelEvent::type).toList();
    }
}
