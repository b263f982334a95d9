package io.labhub.api;

/** The state of a channel as the broker sees it. */
public enum ChannelState {
    /** The producer is registered and heartbeating. */
    ACTIVE("active"),
    /** The producer missed its heartbeats; consumers should expect no more data until it returns. */
    PRODUCER_LOST("producer_lost"),
    /** The producer closed the channel (a shm segment may live on while consumers are attached). */
    CLOSED("closed");

    private final String wireName;

    ChannelState(String wireName) {
        this.wireName = wireName;
    }

    /** @return the name used in the broker protocol */
    public String wireName() {
        return wireName;
    }

    /** @return the state with that wire name, or {@code null} when there is none */
    public static ChannelState fromWireName(String name) {
        for (ChannelState state : values()) {
            if (state.wireName.equals(name)) {
                return state;
            }
        }
        return null;
    }
}
