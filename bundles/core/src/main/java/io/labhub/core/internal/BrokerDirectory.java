package io.labhub.core.internal;

import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelName;
import io.labhub.api.ChannelNotFoundException;
import io.labhub.api.spi.ChannelEvent;
import io.labhub.broker.client.BrokerClient;
import io.labhub.broker.client.BrokerClientStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** The directory backed by the broker, through the broker client library (which never blocks a driver). */
final class BrokerDirectory implements Directory {

    private final BrokerClient client;
    private final String clientKey;
    private final Duration requestTimeout;

    BrokerDirectory(BrokerClient client, String clientKey, Duration requestTimeout) {
        this.client = client;
        this.clientKey = clientKey;
        this.requestTimeout = requestTimeout;
    }

    @Override
    public void register(ChannelInfo offer) {
        client.register(offer);
    }

    @Override
    public void unregister(ChannelName name) {
        client.unregister(name);
    }

    /**
     * Discovers at once, or, with a wait, again whenever the broker announces that channel (and at least
     * every 250 ms, since events are best effort) until the deadline.
     */
    @Override
    public ChannelInfo discover(ChannelName name, Duration wait) {
        if (wait.isZero() || wait.isNegative()) {
            return client.discover(name, requestTimeout);
        }
        long deadline = System.nanoTime() + wait.toNanos();
        Semaphore announced = new Semaphore(0);
        try (AutoCloseable sub = client.subscribe(e -> {
            if (e.type() == ChannelEvent.Type.REGISTERED && e.info().name().equals(name)) {
                announced.release();
            }
        })) {
            while (true) {
                long left = deadline - System.nanoTime();
                try {
                    return client.discover(name, Duration.ofNanos(Math.max(left, requestTimeout.toNanos())));
                } catch (ChannelNotFoundException e) {
                    if (left <= 0) {
                        throw new ChannelNotFoundException("channel '" + name + "' was not registered within "
                                + wait.toMillis() + " ms");
                    }
                }
                announced.tryAcquire(Math.min(TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()), 250),
                        TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChannelNotFoundException("interrupted while waiting for channel '" + name + "'");
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e); // closing the subscription does not throw checked exceptions
        }
    }

    @Override
    public void attach(ChannelName name) {
        client.attach(name);
    }

    @Override
    public void detach(ChannelName name) {
        client.detach(name);
    }

    @Override
    public List<ChannelInfo> list() {
        return client.list(requestTimeout);
    }

    @Override
    public AutoCloseable subscribe(Consumer<ChannelEvent> listener) {
        return client.subscribe(listener);
    }

    @Override
    public String clientId() {
        return clientKey;
    }

    @Override
    public String endpoint() {
        return client.status().brokerEndpoint();
    }

    @Override
    public boolean connected() {
        return client.status().connected();
    }

    @Override
    public Instant lastContact() {
        return client.status().lastContact();
    }

    @Override
    public String statusMessage() {
        BrokerClientStatus s = client.status();
        return s.message();
    }

    @Override
    public void close() {
        client.close();
    }
}
