package io.labhub.api;

import java.util.Objects;

/**
 * A copy of one committed frame of a {@code shm} channel, taken as an observer ({@link Hub#latestFrame}):
 * the bytes are the frame's own as its producer committed them, checked against a concurrent overwrite.
 *
 * @param sequence       the frame's sequence number (1, 2, ...)
 * @param timestampNanos the producer's commit time, epoch nanoseconds on the producer's clock
 * @param payload        the frame's payload (a copy; the caller owns it)
 * @since 1.7
 */
public record FrameSnapshot(long sequence, long timestampNanos, byte[] payload) {

    public FrameSnapshot {
        Objects.requireNonNull(payload, "payload");
    }
}
