package io.labhub.api.spi;

import io.labhub.api.ChannelInfo;
import java.util.Objects;

/**
 * Something the broker announced about a channel.
 *
 * @param type what happened
 * @param info the channel as the broker describes it after the event
 */
public record ChannelEvent(Type type, ChannelInfo info) {

    public enum Type {
        /** A producer registered the channel (possibly again, at a new endpoint). */
        REGISTERED,
        /** The producer closed the channel. */
        CLOSED,
        /** The producer missed its heartbeats and was declared lost. */
        PRODUCER_LOST
    }

    public ChannelEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(info, "info");
    }
}
