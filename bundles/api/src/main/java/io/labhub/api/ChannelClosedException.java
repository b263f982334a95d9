package io.labhub.api;

/** The channel was closed, locally or by its producer. */
public class ChannelClosedException extends LabHubException {
    private static final long serialVersionUID = 1L;

    public ChannelClosedException(String message) {
        super(ErrorCode.CHANNEL_CLOSED, message);
    }

    public ChannelClosedException(String message, Throwable cause) {
        super(ErrorCode.CHANNEL_CLOSED, message, cause);
    }
}
