package io.labhub.validation;

import io.labhub.api.InvalidInputException;
import io.labhub.validation.internal.Refusals;

/**
 * The tunable limits a {@link Validator} applies. In the runtime they come from the ConfigAdmin
 * configuration {@code io.labhub.validation} (property names are the component names below).
 *
 * @param maxSegmentBytes        largest shared-memory ring, slot size &times; slot count, in bytes
 * @param maxSlotSize            largest slot payload, in bytes
 * @param maxSlotCount           most slots in one ring
 * @param maxMetadataEntries     most entries in one metadata map, counted at every level (map entries
 *                               and list elements)
 * @param maxMetadataDepth       most levels of nested containers in a metadata map (the map itself is 1)
 * @param maxMetadataValueLength longest metadata string value, in characters
 */
public record ValidationLimits(long maxSegmentBytes, int maxSlotSize, int maxSlotCount,
                               int maxMetadataEntries, int maxMetadataDepth, int maxMetadataValueLength) {

    /** Default of {@link #maxSegmentBytes()}: 1 GiB. */
    public static final long DEFAULT_MAX_SEGMENT_BYTES = 1L << 30;
    /** Default of {@link #maxSlotSize()}: 256 MiB. */
    public static final int DEFAULT_MAX_SLOT_SIZE = 1 << 28;
    /** Default of {@link #maxSlotCount()}: 65536 slots. */
    public static final int DEFAULT_MAX_SLOT_COUNT = 65536;
    /** Default of {@link #maxMetadataEntries()}: 64 entries. */
    public static final int DEFAULT_MAX_METADATA_ENTRIES = 64;
    /** Default of {@link #maxMetadataDepth()}: 4 levels. */
    public static final int DEFAULT_MAX_METADATA_DEPTH = 4;
    /** Default of {@link #maxMetadataValueLength()}: 4096 characters. */
    public static final int DEFAULT_MAX_METADATA_VALUE_LENGTH = 4096;

    /** 1 GiB segments, 256 MiB slots, 65536 slots, 64 metadata entries, 4 levels, 4096-character values. */
    public static final ValidationLimits DEFAULTS = new ValidationLimits(DEFAULT_MAX_SEGMENT_BYTES,
            DEFAULT_MAX_SLOT_SIZE, DEFAULT_MAX_SLOT_COUNT, DEFAULT_MAX_METADATA_ENTRIES,
            DEFAULT_MAX_METADATA_DEPTH, DEFAULT_MAX_METADATA_VALUE_LENGTH);

    /**
     * @throws InvalidInputException {@code limits.<component>} when a limit is zero or negative
     */
    public ValidationLimits {
        positive("maxSegmentBytes", maxSegmentBytes);
        positive("maxSlotSize", maxSlotSize);
        positive("maxSlotCount", maxSlotCount);
        positive("maxMetadataEntries", maxMetadataEntries);
        positive("maxMetadataDepth", maxMetadataDepth);
        positive("maxMetadataValueLength", maxMetadataValueLength);
    }

    private static void positive(String component, long value) {
        if (value < 1) {
            throw Refusals.refuse("limits." + component, Long.toString(value),
                    "the limit " + component + " must be at least 1");
        }
    }
}
