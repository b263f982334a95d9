package io.labhub.recorder.internal;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.labhub.api.ChannelKind;
import io.labhub.api.InvalidInputException;
import io.labhub.api.schema.Dtype;
import io.labhub.api.schema.Field;
import io.labhub.api.schema.Schema;
import io.labhub.validation.Validator;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a recorder's HDF5 file back into payloads: the inverse of {@link HdfExport} (layout: docs/recording.md).
 * Each schema field's dataset is read whole in its widened stored type, narrowed back to the dtype's width, and
 * each entry's values written back at {@code field.offset() + j * elementSize} of a little-endian record of
 * {@code schema.size()} bytes (padding zeroed), straight into the slot an shm producer claimed for it; a channel
 * without a schema gives its {@code payload} rows cut to {@code length}. A channel's datasets are held in memory
 * while it replays (as the export holds them while it writes: jhdf reads no streams either).
 *
 * <p>Anything that is not such a file is refused with rule {@code replay.file}; the schema is checked by the
 * {@link Validator}, and every dataset against it (present, of the stored type, of the shape it implies).
 */
final class HdfReplay {

    static final String RULE = "replay.file";
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * One recorded channel, in memory.
     *
     * @param channel     its recorded name
     * @param kind        shm or pubsub
     * @param metadata    the recorded channel metadata (the group's {@code metadata.*} attributes)
     * @param schema      its schema, or {@code null}
     * @param timestampNs the producer's timestamp of each entry
     */
    record Track(String channel, ChannelKind kind, Map<String, String> metadata, Schema schema, long[] timestampNs,
                 Payloads payloads) {

        int entries() {
            return timestampNs.length;
        }

        int maxPayload() {
            return payloads.maxLength();
        }
    }

    /** Builds each entry's payload, into a slot claimed for it (zero copy) or into an array. */
    interface Payloads {
        /** @return entry {@code entry}'s length in bytes */
        int length(int entry);

        /** Writes every byte of entry {@code entry} into {@code dst} (a slot that may hold an older frame). */
        void write(int entry, MemorySegment dst);

        int maxLength();

        default byte[] payload(int entry) {
            byte[] b = new byte[length(entry)];
            write(entry, MemorySegment.ofArray(b));
            return b;
        }
    }

    private HdfReplay() {
    }

    /**
     * @param channel the one channel to read, or {@code null} for all
     * @return the channels, in file order
     * @throws InvalidInputException {@code replay.file} for a file that is not a readable recording,
     *                               {@code replay.channel} when {@code channel} is not in it
     */
    static List<Track> read(Path file, String channel, Validator validator) {
        Map<String, Long> names = channels(file);
        if (channel != null && !names.containsKey(channel)) {
            throw new InvalidInputException("replay.channel", channel, "the file has no such channel; it has " + names.keySet());
        }
        List<Track> out = new ArrayList<>();
        try (HdfFile h5 = new HdfFile(file)) {
            for (String name : names.keySet()) {
                Node node = h5.getChild(name);
                // a whole-file replay passes over request/reply logs (they have no producer to replay as)
                boolean log = "reqrep".equals(text(node, "kind"));
                if (channel == null ? !log : channel.equals(name)) {
                    out.add(track(node, names.get(name), validator));
                }
            }
        } catch (InvalidInputException e) {
            throw e;
        } catch (RuntimeException e) { // jhdf's HdfException, a wrong cast of an attribute's or dataset's data
            throw refuse(file.toString(), "unreadable recording: " + e);
        }
        if (out.isEmpty()) {
            throw new InvalidInputException("replay.channel", file.toString(), "the file has no shm or pubsub channel to replay");
        }
        return out;
    }

    /** RecordingFiles checks signature, labhub.recording and readability; its errors become {@code replay.file}. */
    private static Map<String, Long> channels(Path file) {
        if (!Files.isRegularFile(file)) {
            throw refuse(file.toString(), "no such file");
        }
        try {
            return RecordingFiles.channels(file);
        } catch (InvalidInputException e) {
            throw refuse(e.value(), e.getMessage());
        } catch (UncheckedIOException e) {
            throw refuse(file.toString(), "cannot read the file: " + e.getCause());
        }
    }

    private static Track track(Node node, long entries, Validator validator) {
        String name = node.getName();
        if (!(node instanceof Group g)) {
            throw refuse(name, "a channel is a group; this is a " + node.getType());
        }
        String kindName = text(g, "kind");
        ChannelKind kind = kindName == null ? ChannelKind.SHM : ChannelKind.fromWireName(kindName)
                .filter(k -> k != ChannelKind.REQREP)
                .orElseThrow(() -> refuse(name + " kind " + kindName, "only shm and pubsub channels are replayed"));
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, Attribute> a : g.getAttributes().entrySet()) {
            if (a.getKey().startsWith("metadata.")) {
                metadata.put(a.getKey().substring("metadata.".length()), String.valueOf(a.getValue().getData()));
            }
        }
        Schema schema = schema(g, kind, validator);
        int n = Math.toIntExact(entries);
        if (n == 0) {
            return new Track(name, kind, metadata, schema, new long[0], empty(schema));
        }
        long[] ts = (long[]) dataset(g, "timestampNs", long.class, n).getDataFlat();
        Payloads payloads = schema == null ? raw(g, n) : new Fields(g, schema, n);
        return new Track(name, kind, metadata, schema, ts, payloads);
    }

    private static Schema schema(Group g, ChannelKind kind, Validator validator) {
        String json = text(g, "schema");
        if (json == null) {
            return null;
        }
        Map<String, ?> m = SchemaJson.map(json, why -> refuse(g.getName(), "the schema attribute " + why));
        try {
            return validator.schema(kind, m);
        } catch (InvalidInputException e) {
            throw refuse(g.getName(), "the schema breaks rule " + e.rule() + ": " + e.getMessage());
        }
    }

    private static Payloads empty(Schema schema) {
        int size = schema == null ? 0 : schema.size();
        return new Payloads() {
            @Override
            public int length(int entry) {
                throw new IndexOutOfBoundsException(entry);
            }

            @Override
            public void write(int entry, MemorySegment dst) {
                throw new IndexOutOfBoundsException(entry);
            }

            @Override
            public int maxLength() {
                return size;
            }
        };
    }

    /** A channel without a schema: {@code payload} [n, L] int8 and {@code length} [n] int32. */
    private static Payloads raw(Group g, int n) {
        Dataset payload = child(g, "payload");
        int[] dims = payload.getDimensions();
        if (dims.length != 2 || dims[0] != n || payload.getJavaType() != byte.class) {
            throw refuse(g.getName() + "/payload " + Arrays.toString(dims), "payload must be int8 [" + n + ", L]");
        }
        int width = dims[1];
        byte[] bytes = (byte[]) payload.getDataFlat();
        int[] length = (int[]) dataset(g, "length", int.class, n).getDataFlat();
        int max = 0;
        for (int len : length) {
            if (len < 0 || len > width) {
                throw refuse(g.getName() + "/length " + len, "a length is 0.." + width);
            }
            max = Math.max(max, len);
        }
        int maxLength = max;
        return new Payloads() {
            @Override
            public int length(int entry) {
                return length[entry];
            }

            @Override
            public void write(int entry, MemorySegment dst) {
                MemorySegment.copy(bytes, entry * width, dst, ValueLayout.JAVA_BYTE, 0, length[entry]);
            }

            @Override
            public int maxLength() {
                return maxLength;
            }
        };
    }

    /** A channel with a schema: one dataset per field under {@code fields/}. */
    private static final class Fields implements Payloads {
        private final List<Column> columns = new ArrayList<>();
        /** byte ranges [from, to) no field covers (alignment padding): zeroed in every entry */
        private final List<int[]> gaps = new ArrayList<>();
        private final int size;

        Fields(Group g, Schema schema, int n) {
            Node fields = g.getChild("fields");
            if (!(fields instanceof Group fg)) {
                throw refuse(g.getName() + "/fields", "a channel with a schema has a fields group");
            }
            int openLength = 0;
            for (Field f : schema.fields()) {
                Column c = new Column(f, fg, n);
                columns.add(c);
                if (f.open()) {
                    openLength = c.perEntry;
                }
            }
            // an open last field was stored padded to the longest entry: every replayed entry has that length
            this.size = schema.size() + openLength;
            List<Column> byOffset = new ArrayList<>(columns);
            byOffset.sort(Comparator.comparingInt(c -> c.field.offset()));
            int covered = 0;
            for (Column c : byOffset) {
                if (c.field.offset() > covered) {
                    gaps.add(new int[] {covered, c.field.offset()});
                }
                covered = Math.max(covered, c.field.offset() + c.perEntry * c.elementSize);
            }
            if (covered < size) {
                gaps.add(new int[] {covered, size});
            }
        }

        @Override
        public int length(int entry) {
            return size;
        }

        @Override
        public void write(int entry, MemorySegment dst) {
            for (int[] g : gaps) {
                dst.asSlice(g[0], g[1] - g[0]).fill((byte) 0);
            }
            for (Column c : columns) {
                c.write(entry, dst);
            }
        }

        @Override
        public int maxLength() {
            return size;
        }
    }

    /** One field's dataset, read flat in the type {@link HdfExport} stored it in, held in the schema's width. */
    private static final class Column {
        final Field field;
        final Object flat;
        final int perEntry;
        final int elementSize;

        Column(Field f, Group fields, int n) {
            this.field = f;
            String path = fields.getParent().getName() + "/fields/" + f.name();
            Node node = fields.getChild(f.name());
            if (!(node instanceof Dataset d)) {
                throw refuse(path, "the schema's field " + f.name() + " has no dataset");
            }
            boolean text = f.dtype().sized();
            List<Integer> want = new ArrayList<>();
            want.add(n);
            want.addAll(f.shape());
            int[] dims = d.getDimensions();
            if (text) {
                want.add(f.open() ? (dims.length > 0 ? Math.max(1, dims[dims.length - 1]) : 1) : f.length());
            }
            if (!Arrays.equals(dims, want.stream().mapToInt(Integer::intValue).toArray())) {
                throw refuse(path + " " + Arrays.toString(dims), "the schema gives the shape " + want);
            }
            this.elementSize = text ? 1 : f.dtype().size();
            checkType(path, f.dtype(), d.getDataType(), elementSize);
            int per = 1;
            for (int k = 1; k < dims.length; k++) {
                per = Math.multiplyExact(per, dims[k]);
            }
            this.perEntry = per;
            this.flat = values(d, f.dtype(), (long) n * per * elementSize);
        }

        /**
         * The file's type is the one {@link HdfExport} writes for the schema's dtype: an integer of the same size
         * and signedness, or a float of the same size (text and bool as 8-bit signed integers).
         */
        private static void checkType(String path, Dtype dtype, io.jhdf.object.datatype.DataType t, int size) {
            boolean ok;
            if (dtype == Dtype.F32 || dtype == Dtype.F64) {
                ok = t instanceof io.jhdf.object.datatype.FloatingPoint && t.getSize() == size;
            } else {
                ok = t instanceof io.jhdf.object.datatype.FixedPoint fp && fp.getSize() == size
                        && fp.isSigned() != HdfExport.unsigned(dtype);
            }
            if (!ok) {
                throw refuse(path + " " + t.getClass().getSimpleName() + " of " + t.getSize() + " bytes",
                        "the schema's " + dtype + " is stored as " + (HdfExport.unsigned(dtype) ? "an unsigned " : "a ")
                                + size + "-byte " + (dtype == Dtype.F32 || dtype == Dtype.F64 ? "float" : "integer"));
            }
        }

        /**
         * The values in the schema's own width, read once: a contiguous dataset (as the recorder writes them) as
         * its little-endian bytes, taken whole, so each entry is then one bulk copy into its slot; any other
         * layout through jhdf's typed read, which widens unsigned values, narrowed back.
         */
        private static Object values(Dataset d, Dtype dtype, long bytes) {
            if (d instanceof io.jhdf.api.dataset.ContiguousDataset c
                    && byteOrder(d.getDataType()) == ByteOrder.LITTLE_ENDIAN) {
                java.nio.ByteBuffer b = c.getBuffer();
                if (b.remaining() != bytes) {
                    throw refuse(d.getPath() + " of " + b.remaining() + " bytes", "the dataset holds " + bytes + " bytes");
                }
                byte[] out = new byte[Math.toIntExact(bytes)];
                b.get(out);
                return out;
            }
            return narrow(dtype, d.getDataFlat());
        }

        private static ByteOrder byteOrder(io.jhdf.object.datatype.DataType t) {
            if (t instanceof io.jhdf.object.datatype.FixedPoint fp) {
                return fp.getByteOrder();
            }
            return t instanceof io.jhdf.object.datatype.FloatingPoint fl ? fl.getByteOrder() : null;
        }

        /** One bulk copy: the values are held in the schema's own width (see {@link #values}). */
        void write(int entry, MemorySegment dst) {
            int base = entry * perEntry;
            long off = field.offset();
            if (flat instanceof byte[] raw && elementSize > 1) {
                MemorySegment.copy(raw, base * elementSize, dst, ValueLayout.JAVA_BYTE, off, perEntry * elementSize);
                return;
            }
            ValueLayout layout = switch (field.dtype()) {
                case U8, I8, BOOL, BYTES, UTF8 -> ValueLayout.JAVA_BYTE;
                case U16, I16 -> SHORT;
                case U32, I32 -> INT;
                case U64, I64 -> LONG;
                case F32 -> FLOAT;
                case F64 -> DOUBLE;
            };
            MemorySegment.copy(flat, base, dst, layout, off, perEntry);
        }

        /**
         * jhdf's typed read widens unsigned values (u8 and u16 to int, u32 to long, u64 to BigInteger): narrowed
         * back to their own width once, so each entry is then one bulk copy into its slot (a conversion per entry
         * ran at 1.5-2.2 GB/s of u16 frames, a fifth to a third of a live producer).
         */
        private static Object narrow(Dtype dtype, Object stored) {
            return switch (dtype) {
                case U8 -> {
                    int[] a = (int[]) stored;
                    byte[] out = new byte[a.length];
                    for (int j = 0; j < a.length; j++) {
                        out[j] = (byte) a[j];
                    }
                    yield out;
                }
                case U16 -> {
                    int[] a = (int[]) stored;
                    short[] out = new short[a.length];
                    for (int j = 0; j < a.length; j++) {
                        out[j] = (short) a[j];
                    }
                    yield out;
                }
                case U32 -> {
                    long[] a = (long[]) stored;
                    int[] out = new int[a.length];
                    for (int j = 0; j < a.length; j++) {
                        out[j] = (int) a[j];
                    }
                    yield out;
                }
                case U64 -> {
                    java.math.BigInteger[] a = (java.math.BigInteger[]) stored;
                    long[] out = new long[a.length];
                    for (int j = 0; j < a.length; j++) {
                        out[j] = a[j].longValue();
                    }
                    yield out;
                }
                default -> stored;
            };
        }

    }

    private static Dataset dataset(Group g, String name, Class<?> type, int n) {
        Dataset d = child(g, name);
        int[] dims = d.getDimensions();
        if (dims.length != 1 || dims[0] != n || d.getJavaType() != type) {
            throw refuse(g.getName() + "/" + name + " " + Arrays.toString(dims), name + " must be " + type + " [" + n + "]");
        }
        return d;
    }

    private static Dataset child(Group g, String name) {
        if (!(g.getChild(name) instanceof Dataset d)) {
            throw refuse(g.getName() + "/" + name, "the channel has no dataset " + name);
        }
        return d;
    }

    private static String text(Node node, String attribute) {
        Attribute a = node.getAttribute(attribute);
        return a == null ? null : String.valueOf(a.getData());
    }

    private static InvalidInputException refuse(String value, String message) {
        return new InvalidInputException(RULE, value, message);
    }
}
