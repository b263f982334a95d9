package io.labhub.transport.shm.internal;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.labhub.api.ChannelExistsException;
import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelName;
import io.labhub.api.ChannelNotFoundException;
import io.labhub.api.ChannelState;
import io.labhub.api.spi.ChannelContext;
import io.labhub.api.spi.ChannelEvent;

/** A broker stand-in for tests: one registry of channels, contexts that record what they were told. */
public final class InProcessRegistry {

    private final Map<ChannelName, ChannelInfo> channels = new ConcurrentHashMap<>();
    private final Map<ChannelName, AtomicInteger> attached = new ConcurrentHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    private record Listener(ChannelName name, Consumer<ChannelEvent> callback) {
    }

    public Context context(ChannelName name) {
        return new Context(name);
    }

    public ChannelInfo info(ChannelName name) {
        return channels.get(name);
    }

    public int attachCount(ChannelName name) {
        return attached.computeIfAbsent(name, n -> new AtomicInteger()).get();
    }

    /** Registers a channel offered by another process (the child JVMs of the crash tests). */
    public void register(ChannelName name, String segment, Map<String, String> metadata) {
        ChannelInfo info = new ChannelInfo(name, ChannelKind.SHM, "producer", segment, null, metadata,
                attachCount(name), ChannelState.ACTIVE);
        channels.put(name, info);
        fire(new ChannelEvent(ChannelEvent.Type.REGISTERED, info));
    }

    public void producerLost(ChannelName name) {
        ChannelInfo old = channels.get(name);
        ChannelInfo lost = new ChannelInfo(name, ChannelKind.SHM, old.producer(), old.endpoint(), null, old.metadata(),
                old.consumers(), ChannelState.PRODUCER_LOST);
        channels.put(name, lost);
        fire(new ChannelEvent(ChannelEvent.Type.PRODUCER_LOST, lost));
    }

    private void fire(ChannelEvent event) {
        for (Listener l : listeners) {
            if (l.name().equals(event.info().name())) {
                l.callback().accept(event);
            }
        }
    }

    public final class Context implements ChannelContext {
        private final ChannelName name;
        public final AtomicInteger attaches = new AtomicInteger();
        public final AtomicInteger detaches = new AtomicInteger();
        public final AtomicInteger closes = new AtomicInteger();
        private boolean attachedNow;

        Context(ChannelName name) {
            this.name = name;
        }

        @Override
        public ChannelName name() {
            return name;
        }

        @Override
        public void offer(String endpoint, String serverKey, Map<String, String> metadata) {
            ChannelInfo existing = channels.get(name);
            if (existing != null && existing.state() == ChannelState.ACTIVE) {
                throw new ChannelExistsException("channel " + name + " exists");
            }
            register(name, endpoint, metadata);
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
                    throw new ChannelNotFoundException("channel " + name + " is not registered");
                }
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
        }

        @Override
        public synchronized void attach() {
            if (!attachedNow) {
                attachedNow = true;
                attaches.incrementAndGet();
                attached.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
            }
        }

        @Override
        public synchronized void detach() {
            if (attachedNow) {
                attachedNow = false;
                detaches.incrementAndGet();
                attached.get(name).decrementAndGet();
            }
        }

        @Override
        public AutoCloseable onEvent(Consumer<ChannelEvent> listener) {
            Listener l = new Listener(name, listener);
            listeners.add(l);
            return () -> listeners.remove(l);
        }

        @Override
        public void closed() {
            closes.incrementAndGet();
            ChannelInfo info = channels.get(name);
            if (info != null && !attachedNow && attaches.get() == 0) {
                // the producer side closed: the broker marks it closed
                channels.put(name, new ChannelInfo(name, ChannelKind.SHM, info.producer(), info.endpoint(), null,
                        info.metadata(), info.consumers(), ChannelState.CLOSED));
            }
        }
    }
}
