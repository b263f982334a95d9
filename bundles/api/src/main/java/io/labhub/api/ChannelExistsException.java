package io.labhub.api;

/** Another client already offers a live channel of that name. */
public class ChannelExistsException extends LabHubException {
    private static final long serialVersionUID = 1L;

    public ChannelExistsException(String message) {
        super(ErrorCode.CHANNEL_EXISTS, message);
    }

    public ChannelExistsException(String message, Throwable cause) {
        super(ErrorCode.CHANNEL_EXISTS, message, cause);
    }
}
