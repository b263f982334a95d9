package io.labhub.transport.zmq.internal;

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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A stand-in for the Hub and broker in one process: a registry of channels, discovery with a deadline,
 * and events delivered on one thread (never concurrently), as {@link ChannelContext} promises.
 */
final class TestRegistry implements AutoCloseable {

    private final Map<String, ChannelInfo> channels = new ConcurrentHashMap<>();
    private final Map<String, List<Consumer<ChannelEvent>>> listeners = new ConcurrentHashMap<>();
    private final ExecutorService events = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "test-broker-events");
        t.setDaemon(true);
        return t;
    });

    /** The Hub side of one channel end. */
    final class Context implements ChannelContext {
        private final ChannelName name;
        private final ChannelKind kind;
        final AtomicInteger closedCalls = new AtomicInteger();
        private volatile boolean offered;

        Context(String name, ChannelKind kind) {
            this.name = new ChannelName(name);
            this.kind = kind;
        }

        @Override
        public ChannelName name() {
            return name;
        }

        @Override
        public void offer(String endpoint, String serverKey, Map<String, String> metadata) {
            ChannelInfo info = new ChannelInfo(name, kind, serverKey, endpoint, serverKey, metadata, 0, ChannelState.ACTIVE);
            ChannelInfo before = channels.putIfAbsent(name.value(), info);
            if (before != null) {
                throw new ChannelExistsException("channel " + name + " is already offered at " + before.endpoint());
            }
            offered = true;
            fire(new ChannelEvent(ChannelEvent.Type.REGISTERED, info));
        }

        @Override
        public ChannelInfo discover(Duration wait) {
            long end = System.nanoTime() + wait.toNanos();
            while (true) {
                ChannelInfo info = channels.get(name.value());
                if (info != null) {
                    return info;
                }
                if (System.nanoTime() - end >= 0) {
                    throw new ChannelNotFoundException("no channel named " + name);
                }
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ChannelNotFoundException("interrupted looking for " + name);
                }
            }
        }

        @Override
        public void attach() {
        }

        @Override
        public void detach() {
        }

        @Override
        public AutoCloseable onEvent(Consumer<ChannelEvent> listener) {
            List<Consumer<ChannelEvent>> list = listeners.computeIfAbsent(name.value(), k -> new CopyOnWriteArrayList<>());
            list.add(listener);
            return () -> list.remove(listener);
        }

        @Override
        public void closed() {
            closedCalls.incrementAndGet();
            if (offered) {
                ChannelInfo info = channels.remove(name.value());
                if (info != null) {
                    fire(new ChannelEvent(ChannelEvent.Type.CLOSED, new ChannelInfo(info.name(), info.kind(),
                            info.producer(), info.endpoint(), info.serverKey(), info.metadata(), 0, ChannelState.CLOSED)));
                }
            }
        }
    }

    Context context(String name, ChannelKind kind) {
        return new Context(name, kind);
    }

    ChannelInfo find(String name) {
        return channels.get(name);
    }

    /** Registers a producer living elsewhere (another process), replacing any registration: fires REGISTERED. */
    void register(ChannelInfo info) {
        channels.put(info.name().value(), info);
        fire(new ChannelEvent(ChannelEvent.Type.REGISTERED, info));
    }

    /** Forgets a registration without its producer closing (as the broker does for a lost producer). */
    void forget(String name) {
        channels.remove(name);
    }

    /** Announces that the channel's producer was declared lost (the broker's PRODUCER_LOST event). */
    void lose(String name) {
        ChannelInfo info = channels.get(name);
        fire(new ChannelEvent(ChannelEvent.Type.PRODUCER_LOST, new ChannelInfo(info.name(), info.kind(), info.producer(),
                info.endpoint(), info.serverKey(), info.metadata(), 0, ChannelState.PRODUCER_LOST)));
    }

        private void fire(ChannelEvent event) {
        List<Consumer<ChannelEvent>> list = listeners.getOrDefault(event.info().name().value(), List.of());
        for (Consumer<ChannelEvent> l : list) {
            events.execute(() -> l.accept(event));
        }
    }

    @Override
    public void close() {
        events.shutdownNow();
    }
}
