package io.labhub.cli;

import io.labhub.api.ErrorCode;
import io.labhub.api.LabHubException;
import io.labhub.api.text.SafeText;

/**
 * A failure the command reports as its one line, {@code labhub-cli: CODE: message}, with its exit status.
 * Every other exception is turned into one of these by {@link #from(RuntimeException)}.
 */
final class CliException extends RuntimeException {

    /** Exit statuses, as docs/cli.md lists them. */
    static final int OK = 0;
    /** The command ran and failed: unknown channel, timeout, refused request, remote error. */
    static final int FAILED = 1;
    /** Bad usage: unknown verb or option, wrong number of arguments, a malformed value. */
    static final int USAGE = 2;
    /** The hub's broker cannot be reached (nothing listens, no answer in time, wrong broker key). */
    static final int UNREACHABLE = 3;
    /** The broker does not admit this client's key (not in its allow-list, or in use by another process). */
    static final int NOT_ALLOWED = 4;

    private final String code;
    private final int exit;

    CliException(String code, int exit, String message) {
        super(message);
        this.code = code;
        this.exit = exit;
    }

    static CliException usage(String message) {
        return new CliException("USAGE", USAGE, message);
    }

    String code() {
        return code;
    }

    int exit() {
        return exit;
    }

    /** @return the one line on stderr; foreign text in it went through SafeText where it was built */
    String line() {
        return "labhub-cli: " + code + ": " + getMessage();
    }

    /** Maps any failure to its code and exit status; LabHub exceptions keep their own code. */
    static CliException from(RuntimeException e) {
        if (e instanceof CliException c) {
            return c;
        }
        if (e instanceof LabHubException l) {
            return new CliException(l.code().name(), exitFor(l.code()), oneLine(l.getMessage()));
        }
        return new CliException(ErrorCode.INTERNAL.name(), FAILED, oneLine(String.valueOf(e)));
    }

    static int exitFor(ErrorCode code) {
        return switch (code) {
            case BROKER_UNAVAILABLE -> UNREACHABLE;
            case AUTH_FAILED, KEY_IN_USE -> NOT_ALLOWED;
            default -> FAILED;
        };
    }

    /** A message kept to one line (a cause's message may carry line breaks). */
    static String oneLine(String message) {
        String m = message == null ? "" : message;
        return m.replace("\r", " ").replace("\n", " ").strip();
    }

    static String safe(String foreign) {
        return SafeText.display(foreign);
    }
}
