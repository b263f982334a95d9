package io.labhub.core.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.labhub.api.ChannelClosedException;
import io.labhub.api.ChannelCounters;
import io.labhub.api.ChannelExistsException;
import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelName;
import io.labhub.api.ChannelNotFoundException;
import io.labhub.api.ConsumerOptions;
import io.labhub.api.InvalidInputException;
import io.labhub.api.Message;
import io.labhub.api.Publisher;
import io.labhub.api.ShmOptions;
import io.labhub.api.Subscriber;
import io.labhub.api.TransportUnavailableException;
import io.labhub.api.ZmqOptions;
import io.labhub.api.spi.ChannelContext;
import io.labhub.api.spi.ChannelEvent;
import io.labhub.api.spi.PubSubTransport;
import io.labhub.testkit.Await;
import io.labhub.validation.Validators;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.Test;

/**
 * The Hub's own logic: validation before anything else, transport choice by kind, registration,
 * duplicate producers, discovery with a deadline, events and cleanup when a bundle goes away. The
 * transport here is a minimal in-memory one that goes through the SPI exactly as a real one does.
 */
public class HubEngineTest {

    /** Counts calls and registers what it creates through the ChannelContext, as real transports do. */
    static final class RecordingTransport implements PubSubTransport {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public Publisher createPublisher(ChannelContext context, ZmqOptions options) {
            calls.incrementAndGet();
            context.offer("inproc://" + context.name(), null, Map.of("unit", "K"));
            return new Publisher() {
                boolean open = true;
                long sent;

                @Override
                public long publish(byte[] payload) {
                    if (!open) {
                        throw new ChannelClosedException("closed");
                    }
                    return ++sent;
                }

                @Override
                public ChannelName name() {
                    return context.name();
                }

                @Override
                public ChannelKind kind() {
                    return ChannelKind.PUBSUB;
                }

                @Override
                public ChannelCounters counters() {
                    return new ChannelCounters(sent, 0, 0, 0, 0, 0, 0, 0, 0);
                }

                @Override
                public boolean isOpen() {
                    return open;
                }

                @Override
                public void close() {
                    if (open) {
                        open = false;
                        context.closed();
                    }
                }
            };
        }

        @Override
        public Subscriber openSubscriber(ChannelContext context, ConsumerOptions options) {
            calls.incrementAndGet();
            ChannelInfo info = context.discover(options.waitForChannel());
            return new Subscriber() {
                @Override
                public Message receive(Duration timeout) {
                    return new Message(1, 0, 0, info.endpoint().getBytes());
                }

                @Override
                public Optional<Message> poll() {
                    return Optional.empty();
                }

                @Override
                public ChannelName name() {
                    return context.name();
                }

                @Override
                public ChannelKind kind() {
                    return ChannelKind.PUBSUB;
                }

                @Override
                public ChannelCounters counters() {
                    return ChannelCounters.ZERO;
                }

                @Override
                public boolean isOpen() {
                    return true;
                }

                @Override
                public void close() {
                    context.closed();
                }
            };
        }
    }

    private final HubEngine engine = new HubEngine(Validators.defaults(), new LocalDirectory("local"));
    private final BundleHub driverA = new BundleHub(engine, "driver.a");
    private final BundleHub driverB = new BundleHub(engine, "driver.b");

    @Test
    public void missingTransportNamesTheKind() {
        TransportUnavailableException e = assertThrows(TransportUnavailableException.class, () -> driverA.createPublisher("lab.t"));
        assertTrue(e.getMessage(), e.getMessage().contains("'pubsub'"));
        assertThrows(TransportUnavailableException.class, () -> driverA.createShmProducer("lab.s"));
        assertThrows(TransportUnavailableException.class, () -> driverA.openClient("lab.r"));
    }

    @Test
    public void badNamesAndOptionsAreRefusedBeforeTheTransportIsCalled() {
        RecordingTransport t = new RecordingTransport();
        engine.addTransport(t);
        for (String bad : List.of("", "1abc", "a/b", "a..b", "../etc", "x".repeat(256), "a\u0000b", "c\u0430mera")) {
            assertThrows(bad, InvalidInputException.class, () -> driverA.createPublisher(bad));
        }
        InvalidInputException size = assertThrows(InvalidInputException.class,
                () -> driverA.createPublisher("lab.t", ZmqOptions.DEFAULTS.withMaxMessageSize(0)));
        assertEquals("options.maxMessageSize", size.rule());
        assertThrows(InvalidInputException.class, () -> driverA.createPublisher("lab.t", null));
        assertThrows(InvalidInputException.class, () -> driverA.createServer("lab.t", null));
        assertThrows(InvalidInputException.class,
                () -> driverA.createShmProducer("lab.s", ShmOptions.DEFAULTS.withSlots(Integer.MAX_VALUE, 1 << 16)));
        assertEquals("no transport call for refused input", 0, t.calls.get());
        assertEquals(0, engine.status().localChannels());
    }

    @Test
    public void latestFrameRefusesBadInputAndIsEmptyWithoutAShmTransport() {
        assertThrows(InvalidInputException.class, () -> driverA.latestFrame("../etc", 1024));
        InvalidInputException negative = assertThrows(InvalidInputException.class, () -> driverA.latestFrame("lab.camera", -1));
        assertEquals("latest-frame.max-bytes", negative.rule());
        engine.addTransport(new RecordingTransport());
        assertEquals("no shm transport: nothing to copy", Optional.empty(), driverA.latestFrame("lab.camera", 1024));
    }

    @Test
    public void createdChannelIsRegisteredFoundAndUnregisteredOnClose() {
        engine.addTransport(new RecordingTransport());
        Publisher p = driverA.createPublisher("lab.thermometer");
        ChannelInfo info = driverA.find("lab.thermometer").orElseThrow();
        assertEquals(ChannelKind.PUBSUB, info.kind());
        assertEquals("inproc://lab.thermometer", info.endpoint());
        assertEquals(Map.of("unit", "K"), info.metadata());
        assertEquals(1, engine.status().localChannels());
        assertTrue(engine.status().transports().contains(ChannelKind.PUBSUB));

        p.close();
        assertEquals(Optional.empty(), driverA.find("lab.thermometer"));
        assertEquals(0, engine.status().localChannels());
    }

    @Test
    public void producerCountersAreVisibleToEveryBundleOfTheRuntimeWhileTheProducerLives() {
        engine.addTransport(new RecordingTransport());
        Publisher p = driverA.createPublisher("lab.counted");
        p.publish(new byte[] {1});
        p.publish(new byte[] {2});
        assertEquals(2, driverB.producerCounters("lab.counted").orElseThrow().messagesSent());
        Subscriber s = driverB.openSubscriber("lab.counted");
        assertEquals("the producer's, not the consumer's", 2, driverA.producerCounters("lab.counted").orElseThrow().messagesSent());
        assertEquals("nobody produces it here", Optional.empty(), driverA.producerCounters("lab.other"));
        assertThrows(InvalidInputException.class, () -> driverB.producerCounters("../etc"));
        s.close();
        p.close();
        assertEquals(Optional.empty(), driverB.producerCounters("lab.counted"));
    }

    @Test
    public void secondProducerOfANameIsRefusedUntilTheFirstCloses() {
        engine.addTransport(new RecordingTransport());
        Publisher first = driverA.createPublisher("lab.shared");
        ChannelExistsException e = assertThrows(ChannelExistsException.class, () -> driverB.createPublisher("lab.shared"));
        assertTrue(e.getMessage(), e.getMessage().contains("driver.a"));
        assertEquals(1, engine.status().localChannels());
        first.close();
        Publisher second = driverB.createPublisher("lab.shared");
        assertTrue(second.isOpen());
    }

    @Test
    public void unknownChannelFailsAtOnceOrAfterItsDeadline() throws Exception {
        engine.addTransport(new RecordingTransport());
        ChannelNotFoundException e = assertThrows(ChannelNotFoundException.class, () -> driverB.openSubscriber("lab.nothing"));
        assertTrue(e.getMessage(), e.getMessage().contains("lab.nothing"));

        // With a deadline, a subscriber opened before its publisher exists finds it once it appears.
        CompletableFuture<Subscriber> late = CompletableFuture.supplyAsync(
                () -> driverB.openSubscriber("lab.late", ConsumerOptions.DEFAULTS.withWaitForChannel(Duration.ofSeconds(30))));
        driverA.createPublisher("lab.late");
        Subscriber s = late.get(30, TimeUnit.SECONDS);
        assertEquals("inproc://lab.late", new String(s.receive(Duration.ZERO).payload()));
    }

    @Test
    public void eventsReachOnlyTheListenersOfTheirChannel() throws Exception {
        List<ChannelEvent> seen = new CopyOnWriteArrayList<>();
        engine.addTransport(new RecordingTransport());
        HubEngine.Context ctx = engine.new Context(driverB, Validators.defaults().channelName("lab.watched"), ChannelKind.PUBSUB);
        try (AutoCloseable sub = ctx.onEvent(seen::add)) {
            driverA.createPublisher("lab.other").close();
            Publisher p = driverA.createPublisher("lab.watched");
            p.close();
            // events come on the Hub's event thread, after the calls that caused them
            Await.until("both events of lab.watched delivered", Duration.ofSeconds(10), () -> seen.size() >= 2);
        }
        assertEquals(List.of(ChannelEvent.Type.REGISTERED, ChannelEvent.Type.CLOSED), seen.stream().map(ChannelEvent::type).toList());
        assertTrue(seen.stream().allMatch(ev -> ev.info().name().value().equals("lab.watched")));
    }

    @Test
    public void stoppingABundleClosesAndUnregistersWhatItLeftOpen() {
        engine.addTransport(new RecordingTransport());
        Publisher p = driverA.createPublisher("lab.forgotten");
        driverB.createPublisher("lab.kept");
        driverA.deactivate();
        assertFalse(p.isOpen());
        assertEquals(Optional.empty(), driverB.find("lab.forgotten"));
        assertTrue(driverB.find("lab.kept").isPresent());
        assertEquals(1, engine.status().localChannels());
    }

    @Test
    public void removedTransportMakesItsKindUnavailableAgain() {
        RecordingTransport t = new RecordingTransport();
        engine.addTransport(t);
        assertTrue(engine.status().transports().contains(ChannelKind.PUBSUB));
        engine.removeTransport(t);
        assertFalse(engine.status().transports().contains(ChannelKind.PUBSUB));
        assertThrows(TransportUnavailableException.class, () -> driverA.createPublisher("lab.t"));
    }
}
