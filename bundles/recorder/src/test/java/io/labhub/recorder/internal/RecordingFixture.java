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
            fixedParts(g, seq, timestampNs);
            g.putDataset("payload", raw);
            g.putDataset("length", length);
        });
    }

    /**
     * A channel of records as the recorder writes one, with the group's {@code schema} attribute {@code said} and
     * the {@code records} dataset of {@code type}'s compound type (another schema's, to give a file that lies).
     */
    public static void records(Path file, String channel, io.labhub.api.schema.Schema said,
                               io.labhub.api.schema.Schema type, byte[][] rows) {
        write(file, true, channel, g -> {
            int n = rows.length;
            g.putAttribute("kind", "shm");
            g.putAttribute("schema", said.toJson());
            g.putAttribute("schemaHash", said.hash());
            long[] seq = new long[n];
            for (int k = 0; k < n; k++) {
                seq[k] = k + 1;
            }
            fixedParts(g, seq, seq);
            g.putDataset("records", new StreamedDataset("records", g, new RecordType(type), n, out -> {
                for (byte[] row : rows) { // each row cut to the type's size
                    out.putLittleEndian(row, 0, type.size(), 1);
                }
            }));
        });
    }

    /** The attributes and datasets every recorded channel has: entries, none bad, received when produced, none lost. */
    private static void fixedParts(WritableGroup g, long[] sequence, long[] timestampNs) {
        g.putAttribute("entries", (long) sequence.length);
        g.putAttribute("badEntries", 0L);
        g.putDataset("sequence", sequence);
        g.putDataset("timestampNs", timestampNs);
        g.putDataset("receivedNs", timestampNs);
        g.putDataset("skipped", new long[sequence.length]);
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
