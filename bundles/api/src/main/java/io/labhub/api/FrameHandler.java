package io.labhub.api;

/**
 * Receives the frames of a {@link ShmConsumer#poll(FrameHandler, int)} batch, on the polling thread, in
 * sequence order (Aeron's {@code FragmentHandler}).
 *
 * <p>The frame is a zero-copy view that is valid only during the call: read what you need, or copy it,
 * before returning, and never keep the frame or its {@link ShmFrame#segment()}. Under
 * {@link ShmPolicy#LATEST} the producer may overwrite the slot while you read: call
 * {@link ShmFrame#release()} before acting on what you read to learn whether it was stable ({@code false}:
 * discard it; the loss is counted in the consumer's gaps). If you do not, the consumer releases the frame
 * when the call returns.
 *
 * <p>Must not block for long: under {@link ShmPolicy#RELIABLE} the producer waits for it.
 */
@FunctionalInterface
@org.osgi.annotation.versioning.ConsumerType
public interface FrameHandler {

    /**
     * One frame. An exception thrown here ends the batch and reaches the caller of {@code poll} unchanged;
     * this frame counts as consumed (released, received), the frames after it stay for the next poll.
     */
    void onFrame(ShmFrame frame);
}
