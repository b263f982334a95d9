package io.labhub.api;

/** No live channel has the name asked for. */
public class ChannelNotFoundException extends LabHubException {
    private static final long serialVersionUID = 1L;

    public ChannelNotFoundException(String message) {
        super(ErrorCode.CHANNEL_NOT_FOUND, message);
    }

    public ChannelNotFoundException(String message, Throwable cause) {
        super(ErrorCode.CHANNEL_NOT_FOUND, message, cause);
    }
}
