package io.labhub.api;

/**
 * The sending end of a pubsub channel. Every message carries a sequence number and a timestamp.
 *
 * <p>Threading: safe to call from several threads (sends are serialised internally). Blocking: never
 * waits for subscribers; when a subscriber's queue is full (high-water mark) its messages are dropped
 * and counted in {@link ChannelCounters#dropped()}.
 */
@org.osgi.annotation.versioning.ProviderType
public interface Publisher extends Channel {

    /**
     * Sends one message to every current subscriber.
     *
     * @return the message's sequence number
     * @throws MessageTooLargeException when the payload exceeds the channel's maximum message size
     * @throws ChannelClosedException   when the publisher is closed
     */
    long publish(byte[] payload);
}
