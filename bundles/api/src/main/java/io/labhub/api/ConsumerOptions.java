package io.labhub.api;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the consuming side of any channel kind (shm consumer, subscriber, request client).
 *
 * @param waitForChannel how long opening waits for the channel to be registered; {@link Duration#ZERO}
 *                       fails at once with {@link ChannelNotFoundException} when it is unknown
 * @param waitStrategy        how blocking reads wait (spin, yield, block)
 * @param maxMessageSize largest payload accepted, in bytes (ZeroMQ kinds); larger messages are refused
 *                       and counted as errors
 * @param highWaterMark  messages queued before drops (subscriber)
 */
public record ConsumerOptions(Duration waitForChannel, WaitStrategy waitStrategy, int maxMessageSize, int highWaterMark) {

    /** Fail at once for unknown channels, default waiting, 16 MiB messages, HWM 1000. */
    public static final ConsumerOptions DEFAULTS = new ConsumerOptions(Duration.ZERO, WaitStrategy.DEFAULT, 16 << 20, 1000);

    public ConsumerOptions {
        Objects.requireNonNull(waitForChannel, "waitForChannel");
        Objects.requireNonNull(waitStrategy, "waitStrategy");
    }

    public static ConsumerOptions defaults() {
        return DEFAULTS;
    }

    public ConsumerOptions withWaitForChannel(Duration d) {
        return new ConsumerOptions(d, waitStrategy, maxMessageSize, highWaterMark);
    }

    public ConsumerOptions withWait(WaitStrategy w) {
        return new ConsumerOptions(waitForChannel, w, maxMessageSize, highWaterMark);
    }

    public ConsumerOptions withMaxMessageSize(int max) {
        return new ConsumerOptions(waitForChannel, waitStrategy, max, highWaterMark);
    }

    public ConsumerOptions withHighWaterMark(int hwm) {
        return new ConsumerOptions(waitForChannel, waitStrategy, maxMessageSize, hwm);
    }
}
