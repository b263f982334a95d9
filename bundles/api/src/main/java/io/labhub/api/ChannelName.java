package io.labhub.api;

import java.util.Objects;

/**
 * The name of a channel, such as {@code camera1.frames}.
 *
 * <p>The rule (1-255 characters of {@code [A-Za-z0-9_.-]}, starting with a letter, dots separating
 * levels) is enforced in one place, the {@code Validator} service of the validation bundle; the
 * {@link Hub} checks every name it is given. This type only carries a name that has passed that check,
 * so code that holds a {@code ChannelName} need not check it again.
 *
 * @param value the name as text
 */
public record ChannelName(String value) implements Comparable<ChannelName> {

    public ChannelName {
        Objects.requireNonNull(value, "value");
    }

    @Override
    public int compareTo(ChannelName other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
