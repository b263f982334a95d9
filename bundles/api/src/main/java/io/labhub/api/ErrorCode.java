package io.labhub.api;

/**
 * The one list of error codes. The broker protocol sends {@link #name()} in its error replies
 * ({@code "code":"CHANNEL_NOT_FOUND"}); every {@link LabHubException} carries one. docs/protocol.md
 * lists them with their meaning.
 */
public enum ErrorCode {
    /** The message is not a JSON object, has several frames, or is binary garbage. */
    INVALID_MESSAGE,
    /** The message's protocol version {@code v} is not one this peer speaks. */
    UNSUPPORTED_VERSION,
    /** The message's {@code type} is unknown. */
    UNKNOWN_TYPE,
    /** The message or payload is larger than the configured maximum. */
    MESSAGE_TOO_LARGE,
    /** A field is missing, has the wrong type, or breaks a validation rule (name, key, size, metadata). */
    INVALID_ARGUMENT,
    /** No live channel has that name. */
    CHANNEL_NOT_FOUND,
    /** Another client already offers a live channel of that name. */
    CHANNEL_EXISTS,
    /** The client tried to change a channel it does not own. */
    NOT_OWNER,
    /** The broker does not know the client (it restarted, or the client was declared lost): register again. */
    UNKNOWN_CLIENT,
    /** A request or wait ran out of time. */
    TIMEOUT,
    /** The remote side handled the request and failed; the message says how. */
    REMOTE_ERROR,
    /** The channel was closed. */
    CHANNEL_CLOSED,
    /** No transport for that kind of channel is running. */
    TRANSPORT_UNAVAILABLE,
    /** The broker cannot be reached. */
    BROKER_UNAVAILABLE,
    /** The peer refused our credentials, or ours refused theirs. */
    AUTH_FAILED,
    /** A shared-memory segment is truncated, foreign, of another layout version, or not yet ready. */
    SEGMENT_INVALID,
    /**
     * A per-key quota of the broker (channels, metadata bytes, in-flight requests) would be exceeded;
     * the message names the quota and its configured limit.
     */
    QUOTA_EXCEEDED,
    /**
     * The peer is at its bound of queued requests or queued bytes and refused this one without handling
     * it; retrying later may succeed.
     */
    BUSY,
    /**
     * The name belongs to a producer that was lost less than the reservation grace period ago; only
     * the same client key may register it until the grace period ends.
     */
    CHANNEL_RESERVED,
    /** Another live client is already connected to the broker with this client's key. */
    KEY_IN_USE,
    /** A fault inside LabHub; the message and the log say more. */
    INTERNAL
}
