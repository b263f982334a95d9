package io.labhub.core.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assume.assumeTrue;

import io.labhub.api.ShmConsumer;
import io.labhub.api.ShmFrame;
import io.labhub.api.schema.Dtype;
import io.labhub.api.schema.Schema;
import io.labhub.recorder.Replayer;
import io.labhub.testkit.Await;
import io.labhub.testkit.Python;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.Rule;
import org.junit.Test;

/**
 * A recording in the recorder's layout that the recorder did not write (h5py: chunked datasets, big-endian values,
 * a gzip filter) replays byte for byte through jhdf's slice reads, window after window: the path a file of another
 * writer takes, where the recorder's own contiguous little-endian datasets are read straight from the file.
 * Skipped (and says so) without python3-h5py.
 */
public class ReplayOtherLayoutsTest {

    static final int N = 7;
    /** 512 KiB of pixels a frame: two frames a 1 MiB window, so the 7 are read in 4 windows */
    static final int SIDE = 512;
    static final Schema SCHEMA = Schema.builder().field("count", Dtype.U32).field("pixels", Dtype.U16, SIDE, SIDE)
            .field("gain", Dtype.F64).build();
    static final Duration WAIT = Duration.ofSeconds(20);

    @Rule
    public final ReplayRig rig = new ReplayRig();

    /** frame k: count above the signed range, pixels over the whole u16 range, a gain; padding zero */
    private static byte[] frame(int k) {
        ByteBuffer b = ByteBuffer.allocate(SCHEMA.size()).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(SCHEMA.field("count").offset(), k | 0x8000_0000);
        int px = SCHEMA.field("pixels").offset();
        for (int i = 0; i < SIDE * SIDE; i++) {
            b.putShort(px + 2 * i, (short) ((k * 131 + i * 7919) & 0xFFFF));
        }
        b.putDouble(SCHEMA.field("gain").offset(), k * 0.25);
        return b.array();
    }

    private static byte[] raw(int k) {
        byte[] p = new byte[1000 - 10 * k];
        for (int i = 0; i < p.length; i++) {
            p[i] = (byte) (k * 31 + i * 17);
        }
        return p;
    }

    @Test
    public void chunkedBigEndianAndFilteredDatasetsReplayByteForByte() throws Exception {
        assumeTrue("needs python3-h5py to write a file of another writer", Python.has("h5py", "numpy"));
        Path file = rig.tmp.getRoot().toPath().resolve("other.h5");
        Python.Result r = Python.run(String.join("\n",
                "import h5py, numpy as np, sys",
                "n, side = " + N + ", " + SIDE,
                "f = h5py.File(sys.argv[1], 'w')",
                "f.attrs['labhub.recording'] = np.bytes_('1')",
                "for name, typed in (('cam.frames', True), ('raw.frames', False)):",
                "    g = f.create_group(name)",
                "    g.attrs['channel'] = np.bytes_(name)",
                "    g.attrs['kind'] = np.bytes_('shm')",
                "    g.attrs['metadata.shm.policy'] = np.bytes_('reliable')",
                "    g.attrs['entries'] = np.int64(n)",
                "    g.create_dataset('sequence', data=np.arange(n, dtype='>i8'), chunks=(3,))",
                "    g.create_dataset('timestampNs', data=1000 + np.arange(n, dtype='>i8') * 1000, chunks=(3,))",
                "    if typed:",
                "        g.attrs['schema'] = np.bytes_(sys.argv[2])",
                "        fl = g.create_group('fields')",
                "        fl.create_dataset('count', data=np.arange(n, dtype=np.int64) | 0x80000000, dtype='>u4',"
                        + " chunks=(2,), compression='gzip')",
                "        i = np.arange(side * side, dtype=np.int64)",
                "        px = np.stack([((k * 131 + i * 7919) & 0xFFFF).reshape(side, side) for k in range(n)])",
                "        fl.create_dataset('pixels', data=px, dtype='>u2', chunks=(1, side // 2, side))",
                "        fl.create_dataset('gain', data=np.arange(n) * 0.25, dtype='>f8')",
                "    else:",
                "        ln = np.array([1000 - 10 * k for k in range(n)], dtype='>i4')",
                "        j = np.arange(1000, dtype=np.int64)",
                "        pl = np.stack([((k * 31 + j * 17) & 0xFF).astype(np.uint8).view(np.int8) for k in range(n)])",
                "        for k in range(n):",
                "            pl[k, ln[k]:] = 0",
                "        g.create_dataset('payload', data=pl, chunks=(2, 500), compression='gzip')",
                "        g.create_dataset('length', data=ln, chunks=(4,))",
                "f.close()",
                "print('written')"), file.toString(), SCHEMA.toJson());
        assertEquals(r.output(), 0, r.exit());
        for (String channel : new String[] {"cam.frames", "raw.frames"}) {
            rig.replayer.start(file, Replayer.Options.DEFAULTS.withChannel(channel).withRate(Replayer.MAX).withConsumers(1));
            try (ShmConsumer c = rig.consumers.openShmConsumer(channel)) {
                long first = -1;
                for (int k = 0; k < N; k++) {
                    ShmFrame f = c.next(WAIT);
                    try {
                        first = first < 0 ? f.sequence() : first;
                        assertEquals(channel + " sequence of frame " + k, first + k, f.sequence());
                        byte[] want = channel.equals("cam.frames") ? frame(k) : raw(k);
                        assertArrayEquals(channel + " frame " + k, want, f.segment().toArray(ValueLayout.JAVA_BYTE));
                    } finally {
                        f.release();
                    }
                }
                Await.until(channel + " is done", WAIT, () -> rig.replayer.status().getFirst().state().equals("done"));
                assertEquals(N, rig.replayer.status().getFirst().frames());
            }
            rig.replayer.stop(channel);
        }
    }
}
