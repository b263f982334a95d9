package io.labhub.api;

import java.lang.foreign.MemorySegment;

/**
 * A slot claimed by a {@link ShmProducer}: write the frame into {@link #segment()}, then
 * {@link #commit(long)} it (or {@link #abort()}). Consumers never see a slot before it is committed.
 *
 * <p>Threading: a claim belongs to the thread that made it; exactly one of {@code commit} or
 * {@code abort} must be called, after which the segment must not be touched. Closing the claim without
 * either aborts it.
 */
@org.osgi.annotation.versioning.ProviderType
public interface ShmClaim extends AutoCloseable {

    /** The writable slot payload; its size is the length asked for in {@link ShmProducer#claim(int)}. */
    MemorySegment segment();

    /** The sequence number the frame will carry once committed. */
    long sequence();

    /**
     * Publishes the first {@code length} bytes of the segment as one frame and wakes sleeping consumers.
     *
     * @throws InvalidInputException when {@code length} is negative or exceeds the claimed length
     */
    void commit(long length);

    /** Gives the slot back without publishing anything; the sequence number is not used. */
    void abort();

    /** Aborts the claim if neither {@code commit} nor {@code abort} was called. */
    @Override
    void close();
}
