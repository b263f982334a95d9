package io.labhub.api;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * The producing end of a shared-memory channel: a ring of fixed-size slots in a segment that consumers
 * on the same host map read-only.
 *
 * <p>Threading: any thread may claim and publish; the producer serialises them (a claim holds the producer
 * until its commit or abort, and a close from another thread waits for it up to the reliable timeout plus
 * 1 s). A producer created with {@link ShmOptions#withSingleWriter(boolean) single writer} takes no lock:
 * it belongs to one thread, and a close never waits for it. {@link #close()} may be called from any thread.
 *
 * <p>Blocking: under {@link ShmPolicy#LATEST} {@code claim} and {@code publish} never wait. Under
 * {@link ShmPolicy#RELIABLE} they wait for the slowest live consumer at most
 * {@link ShmOptions#reliableTimeout()}, then drop that consumer (counted) and go on.
 */
@org.osgi.annotation.versioning.ProviderType
public interface ShmProducer extends Channel {

    /** The largest frame one slot holds, in bytes. */
    int maxFrameSize();

    /**
     * Claims the next slot for a frame of up to {@code length} bytes (zero copy).
     *
     * @throws MessageTooLargeException when {@code length} exceeds {@link #maxFrameSize()}
     * @throws ChannelClosedException   when the producer is closed
     */
    ShmClaim claim(int length);

    /** Copies {@code payload} into the next slot and commits it; returns its sequence number. */
    long publish(byte[] payload);

    /** Copies the remaining bytes of {@code payload} (position unchanged) and commits them. */
    long publish(ByteBuffer payload);

    /** Copies {@code payload} into the next slot and commits it. */
    long publish(MemorySegment payload);
}
