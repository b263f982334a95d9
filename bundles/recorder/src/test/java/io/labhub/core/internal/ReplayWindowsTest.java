package io.labhub.core.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import io.labhub.api.ShmConsumer;
import io.labhub.api.ShmFrame;
import io.labhub.recorder.Replayer;
import io.labhub.recorder.internal.RecordingFixture;
import io.labhub.testkit.Await;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;

/**
 * The recorder's contiguous datasets read through windows: 300 payloads in rows of 20,000 bytes (below the size
 * read straight into the slot), so 52 rows a 1 MiB window and six windows, the last one short; every payload (of
 * its own length) and sequence arrives as recorded, across each window's edge.
 */
public class ReplayWindowsTest {

    static final int N = 300;
    static final int WIDTH = 20_000;
    static final Duration WAIT = Duration.ofSeconds(20);

    @Rule
    public final ReplayRig rig = new ReplayRig();

    private static byte[] payload(int k) {
        byte[] p = new byte[WIDTH - (k * 37) % 5000];
        for (int i = 0; i < p.length; i++) {
            p[i] = (byte) (k * 31 + i * 17 + 1);
        }
        return p;
    }

    @Test
    public void everyEntryCrossesTheWindowsIntact() {
        Path file = rig.tmp.getRoot().toPath().resolve("windows.h5");
        byte[][] payloads = new byte[N][];
        long[] ts = new long[N];
        for (int k = 0; k < N; k++) {
            payloads[k] = payload(k);
            ts[k] = 1_000 + k;
        }
        payloads[0] = java.util.Arrays.copyOf(payloads[0], WIDTH); // the longest: the dataset is WIDTH wide
        RecordingFixture.untyped(file, "wide.trace", "shm", Map.of("shm.policy", "reliable", "shm.slotCount", "4"),
                payloads, ts);
        rig.replayer.start(file, Replayer.Options.DEFAULTS.withRate(Replayer.MAX).withConsumers(1));
        try (ShmConsumer c = rig.consumers.openShmConsumer("wide.trace")) {
            long first = -1;
            for (int k = 0; k < N; k++) {
                ShmFrame f = c.next(WAIT);
                try {
                    first = first < 0 ? f.sequence() : first;
                    assertEquals("sequence of entry " + k, first + k, f.sequence());
                    assertArrayEquals("entry " + k, payloads[k], f.segment().toArray(ValueLayout.JAVA_BYTE));
                } finally {
                    f.release();
                }
            }
            Await.until("the replay is done", WAIT, () -> rig.replayer.status().getFirst().state().equals("done"));
            assertEquals(N, rig.replayer.status().getFirst().frames());
        }
    }
}
