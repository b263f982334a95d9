package io.labhub.api;

/**
 * What {@link ShmConsumer#poll(FrameHandler, int)} returns besides a count of frames: ordinary conditions
 * of a polling loop are return values, not exceptions (Aeron's {@code Publication.offer} codes). A positive
 * result is the number of frames handed to the handler.
 */
public final class PollResult {

    /** No frame was committed yet (or none arrived within the wait): poll again. */
    public static final int NOTHING_YET = 0;

    /** The consumer is closed: no frame will come; a polling loop ends. */
    public static final int CLOSED = -1;

    private PollResult() {
    }
}
