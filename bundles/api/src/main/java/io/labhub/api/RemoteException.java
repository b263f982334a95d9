package io.labhub.api;

/**
 * The server of a request/reply channel handled the request and failed: its handler threw. The
 * message is the server's; {@link #remoteType()} names the exception class it threw.
 */
public class RemoteException extends LabHubException {
    private static final long serialVersionUID = 1L;

    private final String remoteType;

    public RemoteException(String remoteType, String message) {
        super(ErrorCode.REMOTE_ERROR, message);
        this.remoteType = remoteType;
    }

    /** @return the class name of the exception thrown on the server side */
    public String remoteType() {
        return remoteType;
    }
}
