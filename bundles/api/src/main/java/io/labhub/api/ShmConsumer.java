package io.labhub.api;

import java.time.Duration;
import java.util.Optional;

/**
 * The consuming end of a shared-memory channel. Attaching is counted by the broker, so the segment
 * outlives its producer while consumers use it.
 *
 * <p>Threading: one consumer is for one reading thread. {@link #close()} may be called from any thread
 * and wakes a blocked read, which then throws {@link ChannelClosedException}.
 */
@org.osgi.annotation.versioning.ProviderType
public interface ShmConsumer extends Channel {

    /** The next frame if one is committed, without waiting. */
    Optional<ShmFrame> poll();

    /**
     * Hands up to {@code limit} committed frames to {@code handler} in one batch, without waiting (Aeron's
     * {@code Subscription.poll}): the way to read on a hot path. Each frame is released when the handler
     * returns; a frame handed to the handler counts as consumed (under {@link ShmPolicy#RELIABLE} the
     * producer may then reuse its slot). An exception from the handler ends the batch and reaches the caller
     * unchanged, with that frame consumed and the rest left for the next poll.
     *
     * @param limit at most this many frames, at least 1
     * @return the number of frames handled, {@link PollResult#NOTHING_YET} (0) when none is committed, or
     *         {@link PollResult#CLOSED} once this consumer is closed. Never throws for "nothing yet" or
     *         "closed"; a segment that became unusable still throws {@link LabHubException}
     *         {@link ErrorCode#SEGMENT_INVALID}
     * @throws InvalidInputException when {@code limit} is below 1
     * @since 1.4
     */
    default int poll(FrameHandler handler, int limit) {
        return poll(handler, limit, Duration.ZERO);
    }

    /**
     * As {@link #poll(FrameHandler, int)}, but when nothing is committed waits for the first frame (spin,
     * yield, block, as for {@link #next(Duration)}) at most {@code wait}; returns
     * {@link PollResult#NOTHING_YET} when none arrived in time (no exception, not counted as a timeout).
     *
     * @since 1.4
     */
    default int poll(FrameHandler handler, int limit, Duration wait) {
        java.util.Objects.requireNonNull(handler, "handler");
        if (limit < 1) {
            throw new InvalidInputException("shm.pollLimit", Integer.toString(limit), "a poll limit must be at least 1");
        }
        int n = 0;
        while (n < limit) {
            if (!isOpen()) {
                return n > 0 ? n : PollResult.CLOSED;
            }
            ShmFrame frame;
            try {
                if (n == 0 && !wait.isZero()) {
                    frame = next(wait);
                } else {
                    frame = poll().orElse(null);
                }
            } catch (ChannelTimeoutException e) {
                return PollResult.NOTHING_YET;
            } catch (ChannelClosedException e) {
                return n > 0 ? n : PollResult.CLOSED;
            }
            if (frame == null) {
                return n;
            }
            n++;
            try {
                handler.onFrame(frame);
            } finally {
                frame.release();
            }
        }
        return n;
    }

    /**
     * The next frame, waiting (spin, yield, block) at most {@code timeout}.
     *
     * @throws ChannelTimeoutException when nothing arrives in time
     * @throws ChannelClosedException  when this consumer is closed
     */
    ShmFrame next(Duration timeout);

    /** The newest committed frame, skipping (and counting) any older unread ones; empty if none yet. */
    Optional<ShmFrame> latest();

    /** A validated copy of the next frame, waiting at most {@code timeout}; retried internally on a torn read. */
    Message read(Duration timeout);

    /** Whether the producer is alive (header heartbeat fresh and no {@code producer_lost} event). */
    boolean producerAlive();
}
