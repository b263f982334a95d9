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
    public void lostChannelCanBeTakenOverAndKeepsItsConsumers() {
        registry.hello(A, now);
        registry.hello(B, now);
        register(A, "seg-1");
        registry.attach(B, CAM);
        now = now.plusMillis(350);
        registry.touch(B, now);
        registry.expire(now);
        registry.drainEvents();

        ChannelInfo taken = register(B, "seg-2");
        assertEquals(B, taken.producer());
        assertEquals(ChannelState.ACTIVE, taken.state());
        assertEquals(1, taken.consumers());
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
