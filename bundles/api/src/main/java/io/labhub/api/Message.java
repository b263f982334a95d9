package io.labhub.api;

/**
 * One message as a consumer received it (a copy, owned by the caller).
 *
 * @param sequence       the producer's sequence number, starting at 1 and increasing by one per message
 * @param timestampNanos when the producer sent it: nanoseconds since the Unix epoch on the producer's clock
 * @param skipped        how many messages were lost between the previous message this consumer received
 *                       and this one (0 when none); also added to {@link ChannelCounters#gaps()}
 * @param payload        the bytes as the producer sent them
 */
public record Message(long sequence, long timestampNanos, long skipped, byte[] payload) {
}
