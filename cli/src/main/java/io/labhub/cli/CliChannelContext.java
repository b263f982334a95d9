package io.labhub.cli;

import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelName;
import io.labhub.api.ChannelState;
import io.labhub.api.spi.ChannelContext;
import io.labhub.api.spi.ChannelEvent;
import io.labhub.broker.client.BrokerClient;
import io.labhub.broker.protocol.Wire;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The Hub's side of one channel for the real transports (transport-zmq, transport-shm) used on a class path:
 * what {@code HubEngine.Context} is inside a runtime, cut to what a short-lived command needs.
 *
 * <ul>
 *   <li>Consumers discover through the session-less {@link BrokerLink}. They do not {@code attach} (that needs a
 *   session) and get no broker events: a command that tails for seconds does not follow a producer that moves.</li>
 *   <li>A producer ({@code publish}) offers through a {@link BrokerClient}, started on the first offer, whose session
 *   ends with the command; closing the channel unregisters it.</li>
 * </ul>
 */
final class CliChannelContext implements ChannelContext {

    private final ChannelName name;
    private final ChannelKind kind;
    private final BrokerLink link;
    private final Supplier<BrokerClient> producerClient;
    private volatile BrokerClient client;
    private volatile ChannelInfo known;

    /**
     * @param known          the channel as already discovered, handed to the transport's first discover
     * @param producerClient makes the broker client a producer offers through (only {@code publish} asks)
     */
    CliChannelContext(ChannelName name, ChannelKind kind, BrokerLink link, ChannelInfo known,
                      Supplier<BrokerClient> producerClient) {
        this.name = name;
        this.kind = kind;
        this.link = link;
        this.known = known;
        this.producerClient = producerClient;
    }

    @Override
    public ChannelName name() {
        return name;
    }

    @Override
    public void offer(String endpoint, String serverKey, Map<String, String> metadata) {
        BrokerClient c = producerClient.get();
        client = c;
        c.register(new ChannelInfo(name, kind, c.status().clientKey(), endpoint, serverKey, metadata, 0, ChannelState.ACTIVE));
    }

    @Override
    public ChannelInfo discover(Duration wait) {
        ChannelInfo first = known;
        if (first != null) {
            known = null;
            return first;
        }
        return Wire.readChannel(link.discover(name.value()));
    }

    @Override
    public void attach() {
        // counted only with a session (see the class comment)
    }

    @Override
    public void detach() {
        // nothing was attached
    }

    @Override
    public AutoCloseable onEvent(Consumer<ChannelEvent> listener) {
        return () -> { };
    }

    @Override
    public void closed() {
        BrokerClient c = client;
        if (c != null) {
            client = null;
            c.unregister(name);
        }
    }
}
