package io.labhub.broker.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.labhub.agent.SocketIdleStrategy;
import io.labhub.api.LabHubException;
import io.labhub.api.spi.ChannelEvent;
import io.labhub.broker.protocol.Wire;
import io.labhub.security.AdvertisedAddress;
import io.labhub.security.CurveSecurity;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * The broker's events for this client's listeners: a SUB to the broker's events endpoint (opened once
 * someone listens and a session told us the endpoint, reopened with each session: the broker may be a
 * new one), read on the socket thread, delivered to the listeners on one thread of their own so that a
 * slow listener never holds up the session.
 */
final class EventFeed {

    private static final Logger LOG = LoggerFactory.getLogger(EventFeed.class);

    /** Any thread adds and removes. */
    final List<Consumer<ChannelEvent>> listeners = new CopyOnWriteArrayList<>();

    private final CurveSecurity security;
    private final String brokerPublicKey;
    private final SocketIdleStrategy idle;
    private final ExecutorService deliveryThread;
    /** Socket thread only. */
    private ZMQ.Socket sub;

    EventFeed(CurveSecurity security, String brokerPublicKey, SocketIdleStrategy idle) {
        this.security = security;
        this.brokerPublicKey = brokerPublicKey;
        this.idle = idle;
        this.deliveryThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "labhub-broker-client-events");
            t.setDaemon(true);
            return t;
        });
    }

    /** Replaces a wildcard host in the events endpoint by the host we reach the broker at. */
    static String connectable(String events, String brokerEndpoint) {
        int scheme = events.indexOf("://");
        int colon = events.lastIndexOf(':');
        if (scheme < 0 || colon <= scheme + 2) {
            return events;
        }
        if (!AdvertisedAddress.isWildcard(events.substring(scheme + 3, colon))) {
            return events;
        }
        int bScheme = brokerEndpoint.indexOf("://");
        int bColon = brokerEndpoint.lastIndexOf(':');
        if (bScheme < 0 || bColon <= bScheme + 2) {
            return events;
        }
        return events.substring(0, scheme + 3) + brokerEndpoint.substring(bScheme + 3, bColon) + events.substring(colon);
    }

    boolean open() {
        return sub != null;
    }

    boolean wanted() {
        return !listeners.isEmpty();
    }

    /** (Re)subscribes to {@code eventsEndpoint}; with {@code null}, only closes the old SUB. */
    void subscribe(String eventsEndpoint) {
        closeSocket();
        if (eventsEndpoint == null) {
            return;
        }
        sub = security.context().createSocket(SocketType.SUB);
        sub.setLinger(0);
        security.secureClient(sub, brokerPublicKey);
        sub.subscribe(new byte[0]);
        sub.connect(eventsEndpoint);
        idle.watch(sub);
    }

    /** Reads what arrived (at most 1000 events) and hands it to the delivery thread. @return events read */
    int read() {
        if (sub == null) {
            return 0;
        }
        int n = 0;
        for (; n < 1000; n++) {
            byte[] topic = sub.recv(ZMQ.DONTWAIT);
            if (topic == null) {
                return n;
            }
            byte[] body = sub.hasReceiveMore() ? sub.recv(0) : null;
            while (sub.hasReceiveMore()) {
                sub.recv(0);
            }
            if (body == null) {
                continue;
            }
            try {
                ObjectNode node = Wire.parseObject(body);
                ChannelEvent.Type type = Wire.eventType(node.path(Wire.TYPE).asText());
                if (type == null) {
                    continue; // an event type newer than this client: ignored
                }
                ChannelEvent event = new ChannelEvent(type, Wire.readChannel(node.get(Wire.CHANNEL)));
                deliveryThread.execute(() -> deliver(event));
            } catch (LabHubException e) {
                LOG.warn("ignored a malformed event from the broker: {}", e.getMessage());
            } catch (RejectedExecutionException e) {
                return n; // closing
            }
        }
        return n;
    }

    private void deliver(ChannelEvent event) {
        for (Consumer<ChannelEvent> listener : listeners) {
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                LOG.warn("a broker event listener failed on {} {}", event.type(), event.info().name(), e);
            }
        }
    }

    /** Socket thread: closes the SUB. */
    void closeSocket() {
        if (sub != null) {
            idle.unwatch(sub);
            security.context().destroySocket(sub);
            sub = null;
        }
    }

    /** After the socket thread ended: lets the delivery thread finish what it has (5 s at most). */
    void shutdown() {
        deliveryThread.shutdown();
        try {
            if (!deliveryThread.awaitTermination(5, TimeUnit.SECONDS)) {
                deliveryThread.shutdownNow();
            }
        } catch (InterruptedException e) {
            deliveryThread.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
