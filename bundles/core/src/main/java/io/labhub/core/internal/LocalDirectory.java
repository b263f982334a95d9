package io.labhub.core.internal;

import io.labhub.api.ChannelExistsException;
import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelName;
import io.labhub.api.ChannelNotFoundException;
import io.labhub.api.ChannelState;
import io.labhub.api.spi.ChannelEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directory of a Hub without a broker: channels are visible inside this runtime only. Used when
 * the Hub is configured with {@code broker.mode=local} (e.g. a single embedded acquisition program).
 *
 * <p>Events reach listeners as {@link io.labhub.api.spi.ChannelContext#onEvent} promises: on one Hub thread
 * ({@value #EVENT_THREAD}), never concurrently, in the order they happened, and never inside the call
 * that caused them (a transport that offers a channel while holding its own lock is not called back under
 * it). One thread, as the broker client's event thread, rather than locking around listeners.
 */
final class LocalDirectory implements Directory {

    private static final Logger LOG = LoggerFactory.getLogger(LocalDirectory.class);

    private final Map<ChannelName, ChannelInfo> channels = new TreeMap<>();
    private final Map<ChannelName, Integer> attached = new TreeMap<>();
    private final List<Consumer<ChannelEvent>> listeners = new CopyOnWriteArrayList<>();
    private final String clientId;
    private final ExecutorService events = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, EVENT_THREAD);
        t.setDaemon(true);
        return t;
    });

    static final String EVENT_THREAD = "labhub-local-events";

    LocalDirectory(String clientId) {
        this.clientId = clientId;
    }

    @Override
    public void register(ChannelInfo offer) {
        ChannelInfo info;
        synchronized (this) {
            ChannelInfo old = channels.get(offer.name());
            if (old != null && old.state() == ChannelState.ACTIVE && !old.producer().equals(offer.producer())) {
                throw new ChannelExistsException("channel '" + offer.name() + "' is already offered by " + old.producer());
            }
            info = new ChannelInfo(offer.name(), offer.kind(), offer.producer(), offer.endpoint(), offer.serverKey(),
                    offer.metadata(), attached.getOrDefault(offer.name(), 0), ChannelState.ACTIVE, offer.schema());
            channels.put(offer.name(), info);
            notifyAll();
        }
        fire(new ChannelEvent(ChannelEvent.Type.REGISTERED, info));
    }

    @Override
    public void unregister(ChannelName name) {
        ChannelInfo removed;
        synchronized (this) {
            removed = channels.remove(name);
        }
        if (removed != null) {
            fire(new ChannelEvent(ChannelEvent.Type.CLOSED, withState(removed, ChannelState.CLOSED)));
        }
    }

    @Override
    public synchronized ChannelInfo discover(ChannelName name, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        ChannelInfo info;
        while ((info = channels.get(name)) == null) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new ChannelNotFoundException("channel '" + name + "' is not registered"
                        + (wait.isZero() ? "" : " (waited " + wait.toMillis() + " ms)") + "; known channels: " + channels.keySet());
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ChannelNotFoundException("interrupted while waiting for channel '" + name + "'");
            }
        }
        return info;
    }

    @Override
    public synchronized void attach(ChannelName name) {
        attached.merge(name, 1, Integer::sum);
        channels.computeIfPresent(name, (n, i) -> withConsumers(i, attached.get(n)));
    }

    @Override
    public synchronized void detach(ChannelName name) {
        attached.computeIfPresent(name, (n, c) -> c <= 1 ? null : c - 1);
        channels.computeIfPresent(name, (n, i) -> withConsumers(i, attached.getOrDefault(n, 0)));
    }

    @Override
    public synchronized List<ChannelInfo> list() {
        return new ArrayList<>(channels.values());
    }

    @Override
    public AutoCloseable subscribe(Consumer<ChannelEvent> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    private void fire(ChannelEvent event) {
        try {
            events.execute(() -> {
                for (Consumer<ChannelEvent> l : listeners) {
                    try {
                        l.accept(event);
                    } catch (RuntimeException e) {
                        LOG.warn("channel event listener failed on {} {}", event.type(), event.info().name(), e);
                    }
                }
            });
        } catch (RejectedExecutionException closed) {
            LOG.debug("directory closed: {} {} not delivered", event.type(), event.info().name());
        }
    }

    private static ChannelInfo withState(ChannelInfo i, ChannelState s) {
        return new ChannelInfo(i.name(), i.kind(), i.producer(), i.endpoint(), i.serverKey(), i.metadata(), i.consumers(), s, i.schema());
    }

    private static ChannelInfo withConsumers(ChannelInfo i, int consumers) {
        return new ChannelInfo(i.name(), i.kind(), i.producer(), i.endpoint(), i.serverKey(), i.metadata(), consumers, i.state(), i.schema());
    }

    @Override
    public String clientId() {
        return clientId;
    }

    @Override
    public String endpoint() {
        return "";
    }

    @Override
    public boolean connected() {
        return false;
    }

    @Override
    public Instant lastContact() {
        return null;
    }

    @Override
    public String statusMessage() {
        return "local mode: no broker; channels are visible inside this runtime only";
    }

    @Override
    public void close() {
        listeners.clear();
        events.shutdown();
    }
}
