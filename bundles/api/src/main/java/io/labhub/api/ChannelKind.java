package io.labhub.api;

import java.util.Locale;
import java.util.Optional;

/** The three kinds of channel; {@link #wireName()} is how the broker protocol spells them. */
public enum ChannelKind {
    /** A ring of slots in shared memory on one host: camera frames, waveforms. */
    SHM("shm"),
    /** ZeroMQ publish/subscribe: telemetry, status, events. */
    PUBSUB("pubsub"),
    /** ZeroMQ request/reply: commands to an instrument. */
    REQREP("reqrep");

    private final String wireName;

    ChannelKind(String wireName) {
        this.wireName = wireName;
    }

    /** @return the lower-case name used in the broker protocol and in the shell */
    public String wireName() {
        return wireName;
    }

    /**
     * @param name a wire name such as {@code "shm"}, case-insensitive
     * @return the kind, or empty when the name is not one of the three
     */
    public static Optional<ChannelKind> fromWireName(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String lower = name.toLowerCase(Locale.ROOT);
        for (ChannelKind kind : values()) {
            if (kind.wireName.equals(lower)) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }
}
