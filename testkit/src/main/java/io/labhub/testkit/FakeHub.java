package io.labhub.testkit;

import io.labhub.api.ChannelExistsException;
import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelName;
import io.labhub.api.ChannelNotFoundException;
import io.labhub.api.ChannelState;
import io.labhub.api.spi.ChannelContext;
import io.labhub.api.spi.ChannelEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The Hub and the broker in one object, for transport tests: a registry of channels and the
 * {@link ChannelContext}s that transports are given. It keeps the SPI contract the real Hub keeps:
 * <ul>
 *   <li>events reach listeners on one Hub thread ({@value #EVENT_THREAD}), never concurrently and never on
 *       the caller's thread, in the order they happened; a listener is called until its handle is closed or
 *       its context is {@link ChannelContext#closed() closed};</li>
 *   <li>{@link ChannelContext#offer} of a name another live producer holds throws
 *       {@link ChannelExistsException}; {@link ChannelContext#discover} waits at most its time and throws
 *       {@link ChannelNotFoundException};</li>
 *   <li>{@link ChannelContext#attach}/{@link ChannelContext#detach} are counted once per context
 *       (detach is idempotent); {@code closed()} of a producer marks the channel CLOSED and announces it, and
 *       the registration goes once no consumer is attached (the broker's {@code unregister}).</li>
 * </ul>
 * Tests play the broker's other part with {@link #register}, {@link #producerLost} and {@link #forget}.
 */
public final class FakeHub implements AutoCloseable {

    /** The name of the thread that delivers events. */
    public static final String EVENT_THREAD = "fake-hub-events";

    /** The producer a channel offered without a server key (shm) is registered under. */
    public static final String PRODUCER = "producer";

    private final Map<ChannelName, ChannelInfo> channels = new ConcurrentHashMap<>();
    private final Map<ChannelName, AtomicInteger> attached = new ConcurrentHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService events = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, EVENT_THREAD);
        t.setDaemon(true);
        return t;
    });

    private record Listener(Context owner, Consumer<ChannelEvent> callback) {
    }

    /** The Hub's side of one channel end, as a transport gets it. */
    public Context context(String name, ChannelKind kind) {
        return new Context(new ChannelName(name), kind);
    }

    public Context context(ChannelName name, ChannelKind kind) {
        return new Context(name, kind);
    }

    /**
     * The channel as the broker has it now, PRODUCER_LOST included, or {@code null} when it is not registered.
     * A closed channel stays (CLOSED) while consumers are attached, as in the broker.
     */
    public ChannelInfo info(String name) {
        return info(new ChannelName(name));
    }

    public ChannelInfo info(ChannelName name) {
        return channels.get(name);
    }

    /** How many consumer contexts are attached to the channel now. */
    public int attachCount(ChannelName name) {
        return counter(name).get();
    }

    /** A producer elsewhere (another process) registered {@code info}, replacing any registration: REGISTERED. */
    public void register(ChannelInfo info) {
        channels.put(info.name(), info);
        fire(new ChannelEvent(ChannelEvent.Type.REGISTERED, info));
    }

    /** The broker declares the channel's producer lost: the registration says PRODUCER_LOST, and so does an event. */
    public void producerLost(String name) {
        producerLost(new ChannelName(name));
    }

    public void producerLost(ChannelName name) {
        ChannelInfo lost = channels.computeIfPresent(name, (n, info) -> with(info, ChannelState.PRODUCER_LOST));
        if (lost == null) {
            throw new IllegalArgumentException("no channel named " + name);
        }
        fire(new ChannelEvent(ChannelEvent.Type.PRODUCER_LOST, lost));
    }

    /** Forgets the registration without an event (as a broker restart does). */
    public void forget(String name) {
        channels.remove(new ChannelName(name));
    }

    /** Waits until every event fired so far has been delivered. */
    public void awaitEvents(Duration timeout) {
        try {
            events.submit(() -> { }).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for the events to be delivered");
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("events not delivered within " + timeout.toMillis() + " ms (a listener blocks?)", e);
        }
    }

    @Override
    public void close() {
        events.shutdownNow();
    }

    private AtomicInteger counter(ChannelName name) {
        return attached.computeIfAbsent(name, n -> new AtomicInteger());
    }

    private void fire(ChannelEvent event) {
        for (Listener l : listeners) {
            if (l.owner().name.equals(event.info().name())) {
                events.execute(() -> {
                    if (listeners.contains(l)) { // not after its handle was closed meanwhile
                        l.callback().accept(event);
                    }
                });
            }
        }
    }

    /** As the broker: a closed channel stays registered (state CLOSED) while consumers are attached, then goes. */
    private void removeIfUnused(ChannelName name) {
        channels.computeIfPresent(name, (n, info) ->
                info.state() == ChannelState.CLOSED && counter(n).get() == 0 ? null : info);
    }

    private static ChannelInfo with(ChannelInfo info, ChannelState state) {
        return new ChannelInfo(info.name(), info.kind(), info.producer(), info.endpoint(), info.serverKey(),
                info.metadata(), info.consumers(), state);
    }

    /** One channel end; the counters say what the transport told the Hub. */
    public final class Context implements ChannelContext {
        private final ChannelName name;
        private final ChannelKind kind;
        public final AtomicInteger offers = new AtomicInteger();
        public final AtomicInteger attaches = new AtomicInteger();
        public final AtomicInteger detaches = new AtomicInteger();
        public final AtomicInteger closes = new AtomicInteger();
        private String offeredAt; // the endpoint this context offered, or null; guarded by this
        private boolean attachedNow; // guarded by this

        private Context(ChannelName name, ChannelKind kind) {
            this.name = name;
            this.kind = kind;
        }

        @Override
        public ChannelName name() {
            return name;
        }

        @Override
        public void offer(String endpoint, String serverKey, Map<String, String> metadata) {
            ChannelInfo info = new ChannelInfo(name, kind, serverKey != null ? serverKey : PRODUCER, endpoint, serverKey,
                    metadata, attachCount(name), ChannelState.ACTIVE);
            ChannelInfo before = channels.compute(name, (n, old) -> old != null && old.state() == ChannelState.ACTIVE ? old : info);
            if (before != info) {
                throw new ChannelExistsException("channel " + name + " is already offered at " + before.endpoint());
            }
            synchronized (this) {
                offeredAt = endpoint;
            }
            offers.incrementAndGet();
            fire(new ChannelEvent(ChannelEvent.Type.REGISTERED, info));
        }

        @Override
        public ChannelInfo discover(Duration wait) {
            long deadline = System.nanoTime() + wait.toNanos();
            while (true) {
                ChannelInfo info = channels.get(name);
                if (info != null && info.state() != ChannelState.CLOSED) {
                    return info;
                }
                if (System.nanoTime() - deadline >= 0) {
                    throw new ChannelNotFoundException("no channel named " + name + " registered within " + wait.toMillis() + " ms");
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // a polling interval, as the Hub's discovery
                if (Thread.interrupted()) {
                    Thread.currentThread().interrupt();
                    throw new ChannelNotFoundException("interrupted looking for " + name);
                }
            }
        }

        @Override
        public synchronized void attach() {
            if (!attachedNow) {
                attachedNow = true;
                attaches.incrementAndGet();
                counter(name).incrementAndGet();
            }
        }

        @Override
        public synchronized void detach() {
            if (attachedNow) {
                attachedNow = false;
                detaches.incrementAndGet();
                counter(name).decrementAndGet();
                removeIfUnused(name);
            }
        }

        @Override
        public AutoCloseable onEvent(Consumer<ChannelEvent> listener) {
            Listener l = new Listener(this, listener);
            listeners.add(l);
            return () -> listeners.remove(l);
        }

        @Override
        public void closed() {
            closes.incrementAndGet();
            listeners.removeIf(l -> l.owner() == this);
            detach();
            String endpoint;
            synchronized (this) {
                endpoint = offeredAt;
                offeredAt = null;
            }
            if (endpoint != null) { // a producer: its registration (not a newer one of another producer) closes
                ChannelInfo closed = channels.computeIfPresent(name, (n, info) ->
                        endpoint.equals(info.endpoint()) && info.state() == ChannelState.ACTIVE ? with(info, ChannelState.CLOSED) : info);
                if (closed != null && closed.state() == ChannelState.CLOSED && endpoint.equals(closed.endpoint())) {
                    fire(new ChannelEvent(ChannelEvent.Type.CLOSED, closed));
                    removeIfUnused(name);
                }
            }
        }
    }
}
