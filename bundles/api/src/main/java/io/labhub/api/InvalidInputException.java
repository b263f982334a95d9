package io.labhub.api;

/**
 * An input broke a validation rule: a channel name, a key, a size, metadata, a malformed message.
 * The message names the rule and quotes the offending value (truncated, with control and non-ASCII
 * characters escaped), so that it is safe to log.
 */
public class InvalidInputException extends LabHubException {
    private static final long serialVersionUID = 1L;

    private final String rule;
    private final String value;

    /**
     * @param rule    the rule broken, a short stable identifier such as {@code channel-name.charset}
     * @param value   the offending value, already escaped and truncated for display
     * @param message a sentence saying what is wrong
     */
    public InvalidInputException(String rule, String value, String message) {
        super(ErrorCode.INVALID_ARGUMENT, message);
        this.rule = rule;
        this.value = value;
    }

    /** @return the identifier of the rule broken */
    public String rule() {
        return rule;
    }

    /** @return the offending value, escaped and truncated for display */
    public String value() {
        return value;
    }
}
