package io.labhub.recorder.internal;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Writes HDF5 files in the recorder's layout (docs/recording.md) with chosen timestamps and payloads, or with one
 * part wrong: what replay tests need and a live recording cannot give (exact timing, broken files).
 */
public final class RecordingFixture {

    private RecordingFixture() {
    }

    /**
     * A schema-less channel, as the recorder writes one.
     *
     * @param payloads    each entry's payload (any lengths)
     * @param timestampNs each entry's producer timestamp
     */
    public static void untyped(Path file, String channel, String kind, Map<String, String> metadata,
                               byte[][] payloads, long[] timestampNs) {
        write(file, true, channel, g -> {
            g.putAttribute("kind", kind);
            metadata.forEach((k, v) -> g.putAttribute("metadata." + k, v));
            int n = payloads.length;
            int width = 1;
            for (byte[] p : payloads) {
                width = Math.max(width, p.length);
            }
            byte[][] raw = new byte[n][width];
            int[] length = new int[n];
            long[] seq = new long[n];
            for (int k = 0; k < n; k++) {
                System.arraycopy(payloads[k], 0, raw[k], 0, payloads[k].length);
                length[k] = payloads[k].length;
                seq[k] = k;
            }
            g.putAttribute("entries", (long) n);
            g.putAttribute("badEntries", 0L);
            g.putDataset("sequence", seq);
            g.putDataset("timestampNs", timestampNs);
            g.putDataset("receivedNs", timestampNs);
            g.putDataset("skipped", new long[n]);
            g.putDataset("payload", raw);
            g.putDataset("length", length);
        });
    }

    /**
     * @param recording whether to mark the file as the recorder's ({@code labhub.recording} on the root)
     * @param channel   the group's name
     * @param fill      writes the group's attributes and datasets
     */
    public static void write(Path file, boolean recording, String channel, Consumer<WritableGroup> fill) {
        try (WritableHdfFile h5 = HdfFile.write(file)) {
            if (recording) {
                h5.putAttribute("labhub.recording", "1");
            }
            h5.putAttribute("runtime", "test@fixture");
            WritableGroup g = h5.putGroup(channel);
            g.putAttribute("channel", channel);
            fill.accept(g);
        }
    }
}
