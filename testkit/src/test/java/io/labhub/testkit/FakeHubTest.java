package io.labhub.testkit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.labhub.api.ChannelExistsException;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelNotFoundException;
import io.labhub.api.ChannelState;
import io.labhub.api.spi.ChannelEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.After;
import org.junit.Test;

public class FakeHubTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private final FakeHub hub = new FakeHub();

    @After
    public void close() {
        hub.close();
    }

    @Test
    public void eventsArriveOnOneHubThreadNeverConcurrentlyAndInOrder() throws Exception {
        FakeHub.Context consumer = hub.context("a.b", ChannelKind.PUBSUB);
        List<String> seen = new CopyOnWriteArrayList<>();
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        consumer.onEvent(e -> {
            if (inside.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
            }
            seen.add(Thread.currentThread().getName() + " " + e.type());
            inside.decrementAndGet();
        });
        FakeHub.Context producer = hub.context("a.b", ChannelKind.PUBSUB);
        Thread[] offerers = new Thread[2];
        producer.offer("tcp://127.0.0.1:1", "key", Map.of());
        hub.producerLost("a.b");
        for (int i = 0; i < offerers.length; i++) {
            offerers[i] = new Thread(() -> hub.register(hub.info("a.b")));
            offerers[i].start();
        }
        for (Thread t : offerers) {
            t.join();
        }
        hub.awaitEvents(WAIT);
        assertEquals(0, overlaps.get());
        assertEquals(List.of("fake-hub-events REGISTERED", "fake-hub-events PRODUCER_LOST", "fake-hub-events REGISTERED",
                "fake-hub-events REGISTERED"), seen);
    }

    @Test
    public void offerOfALiveNameIsRefusedDiscoverWaitsAndCloseAnnounces() throws Exception {
        FakeHub.Context producer = hub.context("a.b", ChannelKind.PUBSUB);
        FakeHub.Context other = hub.context("a.b", ChannelKind.PUBSUB);
        FakeHub.Context consumer = hub.context("a.b", ChannelKind.PUBSUB);
        assertThrows(ChannelNotFoundException.class, () -> consumer.discover(Duration.ofMillis(20)));
        List<ChannelEvent.Type> events = new CopyOnWriteArrayList<>();
        AutoCloseable handle = consumer.onEvent(e -> events.add(e.type()));
        producer.offer("tcp://127.0.0.1:1", "key", Map.of());
        assertThrows(ChannelExistsException.class, () -> other.offer("tcp://127.0.0.1:2", "key2", Map.of()));
        assertEquals("tcp://127.0.0.1:1", consumer.discover(WAIT).endpoint());
        consumer.attach();
        consumer.attach();
        assertEquals(1, hub.attachCount(consumer.name()));
        producer.closed();
        assertEquals("a consumer is attached: the closed channel stays", ChannelState.CLOSED, hub.info("a.b").state());
        assertThrows(ChannelNotFoundException.class, () -> consumer.discover(Duration.ZERO));
        hub.awaitEvents(WAIT);
        assertEquals(List.of(ChannelEvent.Type.REGISTERED, ChannelEvent.Type.CLOSED), events);
        consumer.closed();
        consumer.detach();
        assertEquals(0, hub.attachCount(consumer.name()));
        assertEquals("the last consumer left: unregistered", null, hub.info("a.b"));
        handle.close();
        other.offer("tcp://127.0.0.1:2", "key2", Map.of()); // a closed name may be offered again
        hub.awaitEvents(WAIT);
        assertEquals(2, events.size());
        assertEquals(1, consumer.detaches.get());
        assertTrue(consumer.closes.get() == 1);
    }
}
