package io.labhub.bench;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

/** The shm curve's latency histogram ({@link ScaleGroup.Hist}): its quantiles are within one bucket (6.25%). */
public class LatencyHistTest {

    @Test
    public void quantilesAreWithinABucket() {
        ScaleGroup.Hist h = new ScaleGroup.Hist();
        assertTrue(Double.isNaN(h.percentile(0.99)));
        for (long v = 1; v <= 100_000; v++) {
            h.add(v * 1_000); // 1 us .. 100 ms, evenly
        }
        assertEquals(99_000_000, h.percentile(0.99), 99_000_000 * 0.0625);
        assertEquals(50_000_000, h.percentile(0.50), 50_000_000 * 0.0625);
        assertEquals(1_000, h.percentile(0.0), 1_000 * 0.0625);
    }

    @Test
    public void bucketsRiseWithTheValue() {
        double last = -1;
        for (int i = 0; i < 60 * 16; i++) { // the buckets of 0 .. 2^63
            double v = ScaleGroup.Hist.value(i);
            assertTrue("bucket " + i, v > last);
            last = v;
        }
        for (long v : new long[] {0, 1, 15, 16, 17, 1_000, 123_456_789, Long.MAX_VALUE / 3}) {
            double mid = ScaleGroup.Hist.value(ScaleGroup.Hist.index(v));
            assertEquals("value " + v, v, mid, Math.max(1, v * 0.0625));
        }
    }
}
