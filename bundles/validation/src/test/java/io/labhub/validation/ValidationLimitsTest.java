package io.labhub.validation;

import org.junit.Test;

import static io.labhub.validation.Refused.assertRefused;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;

public class ValidationLimitsTest {

    @Test
    public void defaultsAreTheDocumentedFigures() {
        ValidationLimits d = ValidationLimits.DEFAULTS;
        assertEquals(1024L * 1024 * 1024, d.maxSegmentBytes());
        assertEquals(256 * 1024 * 1024, d.maxSlotSize());
        assertEquals(65536, d.maxSlotCount());
        assertEquals(64, d.maxMetadataEntries());
        assertEquals(4, d.maxMetadataDepth());
        assertEquals(4096, d.maxMetadataValueLength());
        assertSame(ValidationLimits.DEFAULTS, Validators.defaults().limits());
    }

    @Test
    public void createAppliesTheGivenLimits() {
        ValidationLimits limits = new ValidationLimits(10, 2, 5, 7, 2, 9);
        assertEquals(limits, Validators.create(limits).limits());
    }

    @Test
    public void refusesLimitsBelowOne() {
        assertRefused("limits.maxSegmentBytes", () -> new ValidationLimits(0, 1, 1, 1, 1, 1));
        assertRefused("limits.maxSegmentBytes", () -> new ValidationLimits(Long.MIN_VALUE, 1, 1, 1, 1, 1));
        assertRefused("limits.maxSlotSize", () -> new ValidationLimits(1, -1, 1, 1, 1, 1));
        assertRefused("limits.maxSlotCount", () -> new ValidationLimits(1, 1, 0, 1, 1, 1));
        assertRefused("limits.maxMetadataEntries", () -> new ValidationLimits(1, 1, 1, 0, 1, 1));
        assertRefused("limits.maxMetadataDepth", () -> new ValidationLimits(1, 1, 1, 1, 0, 1));
        assertEquals("-5", assertRefused("limits.maxMetadataValueLength",
                () -> new ValidationLimits(1, 1, 1, 1, 1, -5)).value());
    }
}
