package io.labhub.launcher;

/** The framework could not be started, a feature is broken, or something did not become ready in time. */
public class LaunchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LaunchException(String message) {
        super(message);
    }

    public LaunchException(String message, Throwable cause) {
        super(message, cause);
    }
}
