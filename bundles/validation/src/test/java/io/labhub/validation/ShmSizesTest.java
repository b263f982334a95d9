package io.labhub.validation;

import io.labhub.api.InvalidInputException;
import org.junit.Test;

import static io.labhub.validation.Refused.assertRefused;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

public class ShmSizesTest {

    private static final int MIB = 1 << 20;

    private final Validator validator = Validators.defaults();

    @Test
    public void acceptsSizesWithinTheLimits() {
        validator.shmSizes(1, 1);
        validator.shmSizes(MIB, 8);
        validator.shmSizes(1, 65536);
        validator.shmSizes(256 * MIB, 1);
        // Exactly the 1 GiB maximum.
        validator.shmSizes(256 * MIB, 4);
        validator.shmSizes(16384, 65536);
    }

    @Test
    public void refusesSlotSizesOutOfRange() {
        for (long size : new long[] {0, -1, Integer.MIN_VALUE, Long.MIN_VALUE, 256L * MIB + 1, Integer.MAX_VALUE,
                Long.MAX_VALUE}) {
            InvalidInputException e = assertRefused("shm.slotSize", () -> validator.shmSizes(size, 1));
            assertEquals(Long.toString(size), e.value());
        }
    }

    @Test
    public void refusesSlotCountsOutOfRange() {
        for (long count : new long[] {0, -1, Long.MIN_VALUE, 65537, Long.MAX_VALUE}) {
            InvalidInputException e = assertRefused("shm.slotCount", () -> validator.shmSizes(64, count));
            assertEquals(Long.toString(count), e.value());
        }
    }

    @Test
    public void refusesATotalAboveTheMaximum() {
        InvalidInputException e = assertRefused("shm.total", () -> validator.shmSizes(256 * MIB, 5));
        assertEquals("5 x 268435456 = 1342177280", e.value());
        assertTrue(e.getMessage().contains("at most 1073741824 bytes"));
        assertRefused("shm.total", () -> validator.shmSizes(16385, 65536));
    }

    @Test
    public void refusesProductsThatWouldOverflowWithATypedError() {
        // Each factor is refused by its own range before any multiplication can overflow.
        assertRefused("shm.slotSize", () -> validator.shmSizes(Long.MAX_VALUE, Long.MAX_VALUE));
        assertRefused("shm.slotSize", () -> validator.shmSizes(Long.MAX_VALUE, 2));
        assertRefused("shm.slotCount", () -> validator.shmSizes(2, Long.MAX_VALUE));
        assertRefused("shm.slotCount", () -> validator.shmSizes(1L << 20, 1L << 44));
        // With the widest limits there are, the largest product fits a long and is checked exactly.
        Validator widest = Validators.create(new ValidationLimits(Long.MAX_VALUE, Integer.MAX_VALUE,
                Integer.MAX_VALUE, 1, 1, 1));
        widest.shmSizes(Integer.MAX_VALUE, Integer.MAX_VALUE);
        Validator tight = Validators.create(new ValidationLimits((long) Integer.MAX_VALUE * Integer.MAX_VALUE - 1,
                Integer.MAX_VALUE, Integer.MAX_VALUE, 1, 1, 1));
        assertRefused("shm.total", () -> tight.shmSizes(Integer.MAX_VALUE, Integer.MAX_VALUE));
    }

    @Test
    public void appliesConfiguredLimits() {
        Validator small = Validators.create(new ValidationLimits(1000, 100, 10, 1, 1, 1));
        small.shmSizes(100, 10);
        assertRefused("shm.slotSize", () -> small.shmSizes(101, 1));
        assertRefused("shm.slotCount", () -> small.shmSizes(1, 11));
        Validator smallSegment = Validators.create(new ValidationLimits(999, 100, 10, 1, 1, 1));
        assertRefused("shm.total", () -> smallSegment.shmSizes(100, 10));
    }
}
