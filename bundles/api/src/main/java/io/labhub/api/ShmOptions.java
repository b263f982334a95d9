package io.labhub.api;

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
 */
public record ShmOptions(int slotSize, int slotCount, ShmPolicy policy, Duration reliableTimeout,
                         WaitStrategy waitStrategy, boolean crc32c, Map<String, String> metadata) {

    /** 1 MiB slots, 8 of them, {@code latest}, 1 s reliable timeout, default waiting, no CRC. */
    public static final ShmOptions DEFAULTS = new ShmOptions(1 << 20, 8, ShmPolicy.LATEST,
            Duration.ofSeconds(1), WaitStrategy.DEFAULT, false, Map.of());

    public ShmOptions {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(reliableTimeout, "reliableTimeout");
        Objects.requireNonNull(waitStrategy, "waitStrategy");
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    public static ShmOptions defaults() {
        return DEFAULTS;
    }

    public ShmOptions withSlots(int size, int count) {
        return new ShmOptions(size, count, policy, reliableTimeout, waitStrategy, crc32c, metadata);
    }

    public ShmOptions withPolicy(ShmPolicy p) {
        return new ShmOptions(slotSize, slotCount, p, reliableTimeout, waitStrategy, crc32c, metadata);
    }

    public ShmOptions withReliableTimeout(Duration t) {
        return new ShmOptions(slotSize, slotCount, policy, t, waitStrategy, crc32c, metadata);
    }

    public ShmOptions withWait(WaitStrategy w) {
        return new ShmOptions(slotSize, slotCount, policy, reliableTimeout, w, crc32c, metadata);
    }

    public ShmOptions withCrc32c(boolean on) {
        return new ShmOptions(slotSize, slotCount, policy, reliableTimeout, waitStrategy, on, metadata);
    }

    public ShmOptions withMetadata(Map<String, String> m) {
        return new ShmOptions(slotSize, slotCount, policy, reliableTimeout, waitStrategy, crc32c, m);
    }
}
