package io.labhub.api;

/** No transport for that kind of channel is running in this framework. */
public class TransportUnavailableException extends LabHubException {
    private static final long serialVersionUID = 1L;

    public TransportUnavailableException(String message) {
        super(ErrorCode.TRANSPORT_UNAVAILABLE, message);
    }

    public TransportUnavailableException(String message, Throwable cause) {
        super(ErrorCode.TRANSPORT_UNAVAILABLE, message, cause);
    }
}
