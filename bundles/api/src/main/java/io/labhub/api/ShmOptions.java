package io.labhub.api;

import io.labhub.api.schema.Schema;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of a shared-memory channel, chosen by its producer. Immutable; derive variants with the
 * {@code with*} methods. The Hub validates the sizes (slot size, slot count, their product against the
 * configured maximum) before anything is mapped.
 *
 * @param slotSize        bytes of payload one slot can hold (the largest frame)
 * @param slotCount       number of slots in the ring
 * @param policy          what happens when a consumer lags, see {@link ShmPolicy}
 * @param reliableTimeout how long a {@link ShmPolicy#RELIABLE} producer waits for a consumer
 * @param waitStrategy         how consumers of this channel wait by default
 * @param crc32c          whether each frame carries a CRC32C that consumers verify
 * @param metadata        free-form description published through the broker (e.g. width, height, format)
 * @param schema          the type of each slot's payload (docs/schemas.md), published through the broker and
 *                        written into the segment; {@code null} for untyped bytes
 * @param singleWriter    whether the producer is bound to one publishing thread and takes no lock per frame
 *                        (Aeron's exclusive publication), see {@link #withSingleWriter(boolean)}
 * @param commitTimestamps whether each commit stamps its frame with the clock (the default), see
 *                        {@link #withCommitTimestamps(boolean)}
 */
public record ShmOptions(int slotSize, int slotCount, ShmPolicy policy, Duration reliableTimeout,
                         WaitStrategy waitStrategy, boolean crc32c, Map<String, String> metadata,
                         Schema schema, boolean singleWriter, boolean commitTimestamps) {

    /**
     * 1 MiB slots, 8 of them, {@code latest}, 1 s reliable timeout, default waiting, no CRC, any thread,
     * commit timestamps.
     */
    public static final ShmOptions DEFAULTS = new ShmOptions(1 << 20, 8, ShmPolicy.LATEST,
            Duration.ofSeconds(1), WaitStrategy.DEFAULT, false, Map.of(), null, false, true);

    public ShmOptions {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(reliableTimeout, "reliableTimeout");
        Objects.requireNonNull(waitStrategy, "waitStrategy");
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    /** Options without a schema (the form before API 1.5). */
    public ShmOptions(int slotSize, int slotCount, ShmPolicy policy, Duration reliableTimeout,
                      WaitStrategy waitStrategy, boolean crc32c, Map<String, String> metadata) {
        this(slotSize, slotCount, policy, reliableTimeout, waitStrategy, crc32c, metadata, null, false, true);
    }

    /** Options for a producer any thread may use (the form before API 1.8). */
    public ShmOptions(int slotSize, int slotCount, ShmPolicy policy, Duration reliableTimeout,
                      WaitStrategy waitStrategy, boolean crc32c, Map<String, String> metadata, Schema schema) {
        this(slotSize, slotCount, policy, reliableTimeout, waitStrategy, crc32c, metadata, schema, false, true);
    }

    public static ShmOptions defaults() {
        return DEFAULTS;
    }

    public ShmOptions withSlots(int size, int count) {
        return new ShmOptions(size, count, policy, reliableTimeout, waitStrategy, crc32c, metadata, schema,
                singleWriter, commitTimestamps);
    }

    public ShmOptions withPolicy(ShmPolicy p) {
        return new ShmOptions(slotSize, slotCount, p, reliableTimeout, waitStrategy, crc32c, metadata, schema,
                singleWriter, commitTimestamps);
    }

    public ShmOptions withReliableTimeout(Duration t) {
        return new ShmOptions(slotSize, slotCount, policy, t, waitStrategy, crc32c, metadata, schema,
                singleWriter, commitTimestamps);
    }

    public ShmOptions withWait(WaitStrategy w) {
        return new ShmOptions(slotSize, slotCount, policy, reliableTimeout, w, crc32c, metadata, schema,
                singleWriter, commitTimestamps);
    }

    public ShmOptions withCrc32c(boolean on) {
        return new ShmOptions(slotSize, slotCount, policy, reliableTimeout, waitStrategy, on, metadata, schema,
                singleWriter, commitTimestamps);
    }

    public ShmOptions withMetadata(Map<String, String> m) {
        return new ShmOptions(slotSize, slotCount, policy, reliableTimeout, waitStrategy, crc32c, m, schema,
                singleWriter, commitTimestamps);
    }

    /**
     * @return these options with a schema for the slots' payload; a schema whose size exceeds the slot
     *         size is refused when the producer is created
     * @since 1.5
     */
    public ShmOptions withSchema(Schema s) {
        return new ShmOptions(slotSize, slotCount, policy, reliableTimeout, waitStrategy, crc32c, metadata, s,
                singleWriter, commitTimestamps);
    }

    /**
     * @return these options with the producer bound to one publishing thread ({@code true}) or usable from any
     *         thread ({@code false}, the default). A single-writer producer takes no lock per frame (Aeron's
     *         {@code ExclusivePublication}): the thread of its first claim or publish is its writer, and a claim
     *         or publish from another thread throws {@link IllegalStateException} while that thread is alive
     *         (after it ended, the next thread to publish becomes the writer). {@link ShmProducer#close()} may
     *         still come from any thread and never waits: a claim open meanwhile ends with
     *         {@link ChannelClosedException} at its commit, and writes into its segment after the close throw
     *         {@link IllegalStateException} (the mapping is gone; nothing is written to freed memory).
     * @since 1.8
     */
    public ShmOptions withSingleWriter(boolean on) {
        return new ShmOptions(slotSize, slotCount, policy, reliableTimeout, waitStrategy, crc32c, metadata, schema, on,
                commitTimestamps);
    }

    /**
     * @return these options with ({@code true}, the default) or without commit timestamps. Without, the producer
     *         reads no clock per frame and every frame's {@link ShmFrame#timestampNanos()} is 0 (what a recording
     *         and the shell then show): the clock read is about 22 ns on a 2-core x86 VM, a fifth of a 64 B round
     *         trip through two rings (benchmarks/README.md, 2026-12-08). For a driver whose frames carry their own
     *         time (a camera's exposure stamp in the payload), or that wants Aeron's latency, which stamps nothing.
     * @since 1.8
     */
    public ShmOptions withCommitTimestamps(boolean on) {
        return new ShmOptions(slotSize, slotCount, policy, reliableTimeout, waitStrategy, crc32c, metadata, schema,
                singleWriter, on);
    }
}
