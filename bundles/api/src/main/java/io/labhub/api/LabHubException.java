package io.labhub.api;

import java.util.Objects;

/**
 * The root of every LabHub failure. Unchecked, so that driver code stays readable; each failure names
 * its {@link ErrorCode}, and its subclasses let callers catch the cases they can act on.
 */
public class LabHubException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public LabHubException(ErrorCode code, String message) {
        this(code, message, null);
    }

    public LabHubException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    /** @return what went wrong, as one of the documented codes */
    public ErrorCode code() {
        return code;
    }

    /**
     * Makes the exception that fits a code received from a peer (a broker error reply, a server's
     * error reply), so that callers can catch the same subclasses for remote and local failures.
     *
     * @param code    the code, as received
     * @param message the peer's message
     * @return a new exception of the matching subclass
     */
    public static LabHubException of(ErrorCode code, String message) {
        return switch (code) {
            case INVALID_ARGUMENT -> new InvalidInputException("remote", message, message);
            case CHANNEL_NOT_FOUND -> new ChannelNotFoundException(message);
            case CHANNEL_EXISTS -> new ChannelExistsException(message);
            case CHANNEL_CLOSED -> new ChannelClosedException(message);
            case TIMEOUT -> new ChannelTimeoutException(message);
            case MESSAGE_TOO_LARGE -> new MessageTooLargeException(message);
            default -> new LabHubException(code, message);
        };
    }
}
