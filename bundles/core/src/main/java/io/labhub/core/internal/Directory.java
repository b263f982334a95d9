package io.labhub.core.internal;

import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelName;
import io.labhub.api.spi.ChannelEvent;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * Where the Hub registers and finds channels: the broker, or (with no broker configured) this runtime
 * alone. Kept behind one small interface so that the Hub's logic does not care which.
 */
interface Directory extends AutoCloseable {

    /** Offers a channel; remembered and re-sent as needed. @throws io.labhub.api.ChannelExistsException */
    void register(ChannelInfo offer);

    void unregister(ChannelName name);

    /** @throws io.labhub.api.ChannelNotFoundException when not registered within {@code wait} */
    ChannelInfo discover(ChannelName name, Duration wait);

    void attach(ChannelName name);

    void detach(ChannelName name);

    List<ChannelInfo> list();

    /** Events for every channel; listener called on one thread at a time. */
    AutoCloseable subscribe(Consumer<ChannelEvent> listener);

    /** Who this runtime is to the directory (its client key, or "local"). */
    String clientId();

    String endpoint();

    boolean connected();

    java.time.Instant lastContact();

    String statusMessage();

    @Override
    void close();
}
