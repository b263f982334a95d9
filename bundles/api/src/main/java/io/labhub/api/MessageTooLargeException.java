package io.labhub.api;

/** A message is larger than the channel's configured maximum. */
public class MessageTooLargeException extends LabHubException {
    private static final long serialVersionUID = 1L;

    public MessageTooLargeException(String message) {
        super(ErrorCode.MESSAGE_TOO_LARGE, message);
    }

    public MessageTooLargeException(String message, Throwable cause) {
        super(ErrorCode.MESSAGE_TOO_LARGE, message, cause);
    }
}
