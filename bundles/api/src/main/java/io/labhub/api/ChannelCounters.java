package io.labhub.api;

/**
 * A snapshot of a channel's counters. Counters only grow; a rate is the difference of two snapshots.
 * A counter that a kind of channel does not have stays zero.
 *
 * @param messagesSent     messages (frames) sent or published
 * @param bytesSent        payload bytes sent
 * @param messagesReceived messages (frames) received
 * @param bytesReceived    payload bytes received
 * @param dropped          messages the transport dropped (a full queue, a consumer dropped for being slow)
 * @param gaps             messages a consumer knows it missed, from sequence numbers
 * @param reconnects       times a consumer reconnected to a (restarted) producer
 * @param timeouts         requests or waits that ran out of time
 * @param errors           refused or malformed messages
 */
public record ChannelCounters(
        long messagesSent,
        long bytesSent,
        long messagesReceived,
        long bytesReceived,
        long dropped,
        long gaps,
        long reconnects,
        long timeouts,
        long errors) {

    /** Counters that are all zero. */
    public static final ChannelCounters ZERO = new ChannelCounters(0, 0, 0, 0, 0, 0, 0, 0, 0);
}
