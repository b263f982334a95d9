package io.labhub.api;

/** A request or a wait ran out of the time the caller gave it. */
public class ChannelTimeoutException extends LabHubException {
    private static final long serialVersionUID = 1L;

    public ChannelTimeoutException(String message) {
        super(ErrorCode.TIMEOUT, message);
    }

    public ChannelTimeoutException(String message, Throwable cause) {
        super(ErrorCode.TIMEOUT, message, cause);
    }
}
