package io.labhub.api;

import java.lang.foreign.MemorySegment;

/**
 * A zero-copy, read-only view of one committed slot, handed out by a {@link ShmConsumer}.
 *
 * <p>The producer may overwrite the slot at any time under {@link ShmPolicy#LATEST}. Read what you
 * need, then call {@link #release()}: it returns {@code true} only if the slot was not overwritten
 * while you read it. If it returns {@code false} the data you read may be torn and must be discarded.
 * Under {@link ShmPolicy#RELIABLE} the producer does not overwrite a slot before it is released (up to
 * the reliable timeout).
 */
@org.osgi.annotation.versioning.ProviderType
public interface ShmFrame extends AutoCloseable {

    long sequence();

    /**
     * Nanoseconds since the Unix epoch on the producer's clock, set at commit; 0 when its producer takes no commit
     * timestamps ({@link ShmOptions#withCommitTimestamps(boolean)}).
     */
    long timestampNanos();

    /** Frames lost between the previous frame this consumer saw and this one. */
    long skipped();

    /** The payload, read-only, exactly the committed length. Invalid after {@link #release()}. */
    MemorySegment segment();

    /**
     * Ends the read and validates it.
     *
     * @return {@code true} when the slot still held this frame for the whole read
     */
    boolean release();

    /** Same as {@link #release()}, ignoring the result. */
    @Override
    void close();
}
