package io.labhub.recorder.internal;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.api.dataset.ContiguousDataset;
import io.jhdf.object.datatype.CompoundDataType;
import io.labhub.api.ChannelKind;
import io.labhub.api.InvalidInputException;
import io.labhub.api.schema.Dtype;
import io.labhub.api.schema.Field;
import io.labhub.api.schema.Schema;
import io.labhub.validation.Validator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
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
 * {@link #read} checks the whole file before anything is published (the schema, every dataset present, of the
 * stored type and of the shape the schema implies, the recorder's contiguous datasets inside the file) but reads
 * only what the producer's options need (a channel's first and last timestamp, the longest raw payload). The
 * entries are read while they are published, a window at a time ({@link #WINDOW} bytes, or one entry where an entry
 * is larger) per dataset: a contiguous little-endian dataset (as the recorder writes them) straight from the file at
 * its address, one positional read per window; any other layout through jhdf's slice read, which widens unsigned
 * values, narrowed back. Each entry's values are written at {@code field.offset() + j * elementSize} of a
 * little-endian record of {@code schema.size()} bytes (padding zeroed), straight into the slot an shm producer
 * claimed for it; a record of scalars ({@code records}, {@link RecordType}) gives each row as it is (the row is the
 * message); a channel without a schema gives its {@code payload} rows cut to {@code length}. So what a replay
 * holds is a window per dataset, whatever the file's length.
 *
 * <p>Anything that is not such a file is refused with rule {@code replay.file}; the schema is checked by the
 * {@link Validator}, and every dataset against it (present, of the stored type, of the shape it implies).
 */
final class HdfReplay {

    static final String RULE = "replay.file";
    private static final java.lang.invoke.VarHandle LONG_BYTES =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final java.lang.invoke.VarHandle INT_BYTES =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    /** The bytes of one window of a dataset's rows, unless one row is larger. */
    static final int WINDOW = 1 << 20;
    /**
     * Rows of a contiguous dataset at least this large are read from the file straight into their destination (the
     * claimed slot), one positional read each, through no window: one copy, as the in-memory replay made.
     */
    static final int DIRECT = 64 << 10;

    /**
     * One recorded channel, read from its file while it is replayed: {@link #close} when done with it.
     *
     * @param channel          its recorded name
     * @param kind             shm or pubsub
     * @param metadata         the recorded channel metadata (the group's {@code metadata.*} attributes)
     * @param schema           its schema, or {@code null}
     * @param entries          how many entries it has
     * @param firstTimestampNs the producer's timestamp of the first entry (0 when there is none)
     * @param lastTimestampNs  the producer's timestamp of the last entry (0 when there is none)
     */
    record Track(String channel, ChannelKind kind, Map<String, String> metadata, Schema schema, int entries,
                 long firstTimestampNs, long lastTimestampNs, Column timestamps, Payloads payloads, Source source)
            implements AutoCloseable {

        /** @return the producer's timestamp of entry {@code entry}, read a window at a time */
        long timestampNs(int entry) {
            Objects.checkIndex(entry, entries);
            return timestamps.longAt(entry);
        }

        int maxPayload() {
            return payloads.maxLength();
        }

        /** Lets go of the file (the next read opens it again). */
        @Override
        public void close() {
            source.close();
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

    /**
     * A track's file, opened when first read (a {@link FileChannel} for the contiguous datasets, jhdf for any other
     * layout) and held until {@link #close}: one open file per replayed channel, not one per window.
     */
    static final class Source implements AutoCloseable {
        final Path file;
        private FileChannel channel;
        private HdfFile h5;

        Source(Path file) {
            this.file = file;
        }

        synchronized FileChannel channel() throws IOException {
            if (channel == null) {
                channel = FileChannel.open(file, StandardOpenOption.READ);
            }
            return channel;
        }

        synchronized Dataset dataset(String path) {
            if (h5 == null) {
                h5 = new HdfFile(file);
            }
            return h5.getDatasetByPath(path);
        }

        @Override
        public synchronized void close() {
            try {
                if (channel != null) {
                    channel.close();
                }
            } catch (IOException ignored) {
                // a read-only channel: nothing is lost by a failed close
            }
            if (h5 != null) {
                h5.close();
            }
            channel = null;
            h5 = null;
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
            long fileSize = Files.size(file);
            for (String name : names.keySet()) {
                Node node = h5.getChild(name);
                // a whole-file replay passes over request/reply logs (they have no producer to replay as)
                boolean log = "reqrep".equals(text(node, "kind"));
                if (channel == null ? !log : channel.equals(name)) {
                    Source source = new Source(file);
                    try {
                        out.add(track(node, names.get(name), validator,
                                new Layout(source, h5.getUserBlockSize(), fileSize)));
                    } catch (RuntimeException e) {
                        source.close();
                        throw e;
                    }
                }
            }
        } catch (RuntimeException | IOException e) {
            out.forEach(Track::close);
            if (e instanceof InvalidInputException i) {
                throw i;
            }
            // jhdf's HdfException, a wrong cast of an attribute's or dataset's data, the file's size unreadable
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

    private static Track track(Node node, long entries, Validator validator, Layout layout) {
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
            return new Track(name, kind, metadata, schema, 0, 0, 0, null, empty(schema), layout.source);
        }
        Column ts = layout.column(dataset(g, "timestampNs", long.class, n), n, 8);
        Payloads payloads = schema == null ? raw(g, n, layout)
                : g.getChild("records") != null ? records(g, schema, n, layout) // a record of scalars, since 2026-12-04
                : new Fields(g, schema, n, layout);
        return new Track(name, kind, metadata, schema, n, ts.longAt(0), ts.longAt(n - 1), ts, payloads, layout.source);
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

    /**
     * A channel without a schema: {@code payload} [n, L] int8 and {@code length} [n] int32. The lengths are read
     * through once here (each checked, the longest is the producer's slot size), the payloads as they are replayed.
     */
    private static Payloads raw(Group g, int n, Layout layout) {
        Dataset payload = child(g, "payload");
        int[] dims = payload.getDimensions();
        if (dims.length != 2 || dims[0] != n || payload.getJavaType() != byte.class) {
            throw refuse(g.getName() + "/payload " + Arrays.toString(dims), "payload must be int8 [" + n + ", L]");
        }
        int width = dims[1];
        Column rows = layout.column(payload, n, 1);
        Column length = layout.column(dataset(g, "length", int.class, n), n, 4);
        int max = 0;
        for (int k = 0; k < n; k++) {
            int len = length.intAt(k);
            if (len < 0 || len > width) {
                throw refuse(g.getName() + "/length " + len, "a length is 0.." + width);
            }
            max = Math.max(max, len);
        }
        int maxLength = max;
        return new Payloads() {
            @Override
            public int length(int entry) {
                return length.intAt(entry);
            }

            @Override
            public void write(int entry, MemorySegment dst) {
                int len = length.intAt(entry);
                if (len < 0 || len > width) { // the file changed since it was checked
                    throw refuse(g.getName() + "/length " + len, "a length is 0.." + width);
                }
                rows.copy(entry, dst, 0, len);
            }

            @Override
            public int maxLength() {
                return maxLength;
            }
        };
    }

    /**
     * A record of scalar fields: {@code records} [n], the compound type {@link RecordType} writes, checked member by
     * member against the schema (name, offset, type as written, little-endian); each row is the message itself.
     */
    private static Payloads records(Group g, Schema schema, int n, Layout layout) {
        Dataset d = child(g, "records");
        String path = g.getName() + "/records";
        int size = schema.size();
        if (!Arrays.equals(d.getDimensions(), new int[] {n})) {
            throw refuse(path + " " + Arrays.toString(d.getDimensions()), "records must be [" + n + "]");
        }
        if (!(d.getDataType() instanceof CompoundDataType t) || t.getSize() != size) {
            throw refuse(path + " " + d.getDataType().getClass().getSimpleName() + " of " + d.getDataType().getSize()
                    + " bytes", "the schema's records are a compound type of " + size + " bytes");
        }
        Map<String, CompoundDataType.CompoundDataMember> members = new LinkedHashMap<>();
        t.getMembers().forEach(m -> members.put(m.getName(), m));
        if (members.size() != schema.fields().size()) {
            throw refuse(path + " " + members.keySet(), "the schema has the fields " + schema.fields().stream()
                    .map(Field::name).toList());
        }
        for (Field f : schema.fields()) {
            CompoundDataType.CompoundDataMember m = members.get(f.name());
            if (m == null || m.getOffset() != f.offset()) {
                throw refuse(path + " " + f.name() + (m == null ? "" : "@" + m.getOffset()),
                        "the schema's field " + f.name() + " is a member at offset " + f.offset());
            }
            checkMember(path + "." + f.name(), f, m.getDataType());
        }
        Column rows = layout.column(d, n, size);
        return new Payloads() {
            @Override
            public int length(int entry) {
                return size;
            }

            @Override
            public void write(int entry, MemorySegment dst) {
                rows.copy(entry, dst, 0, size);
            }

            @Override
            public int maxLength() {
                return size;
            }
        };
    }

    /** A member's type is the one {@link RecordType} writes for the field, little-endian: its bytes are the wire's. */
    private static void checkMember(String path, Field f, io.jhdf.object.datatype.DataType t) {
        boolean ok = switch (f.dtype()) {
            case BOOL -> t instanceof io.jhdf.object.datatype.EnumDataType e && e.getSize() == 1;
            case BYTES, UTF8 -> t instanceof io.jhdf.object.datatype.StringData && t.getSize() == f.length();
            default -> {
                FieldColumn.checkType(path, f.dtype(), t, f.dtype().size());
                yield Layout.byteOrder(t) == ByteOrder.LITTLE_ENDIAN || t.getSize() == 1;
            }
        };
        if (!ok) {
            throw refuse(path + " " + t.getClass().getSimpleName() + " of " + t.getSize() + " bytes",
                    "the schema's " + f.dtype() + " member is stored as " + switch (f.dtype()) {
                        case BOOL -> "an enum of 1 byte (FALSE, TRUE)";
                        case BYTES, UTF8 -> "a string of " + f.length() + " bytes";
                        default -> "a little-endian number of " + f.dtype().size() + " bytes";
                    });
        }
    }

    /** A channel with a schema: one dataset per field under {@code fields/}. */
    private static final class Fields implements Payloads {
        private final List<FieldColumn> columns = new ArrayList<>();
        /** byte ranges [from, to) no field covers (alignment padding): zeroed in every entry */
        private final List<int[]> gaps = new ArrayList<>();
        private final int size;

        Fields(Group g, Schema schema, int n, Layout layout) {
            Node fields = g.getChild("fields");
            if (!(fields instanceof Group fg)) {
                throw refuse(g.getName() + "/fields", "a channel with a schema has a fields group");
            }
            int openLength = 0;
            for (Field f : schema.fields()) {
                FieldColumn c = new FieldColumn(f, fg, n, layout);
                columns.add(c);
                if (f.open()) {
                    openLength = c.perEntry;
                }
            }
            // an open last field was stored padded to the longest entry: every replayed entry has that length
            this.size = schema.size() + openLength;
            List<FieldColumn> byOffset = new ArrayList<>(columns);
            byOffset.sort(Comparator.comparingInt(c -> c.field.offset()));
            int covered = 0;
            for (FieldColumn c : byOffset) {
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
            for (FieldColumn c : columns) {
                c.write(entry, dst);
            }
        }

        @Override
        public int maxLength() {
            return size;
        }
    }

    /** One schema field's dataset: its rows, in the schema's own width, a window at a time. */
    private static final class FieldColumn {
        final Field field;
        final Column rows;
        final int perEntry;
        final int elementSize;

        FieldColumn(Field f, Group fields, int n, Layout layout) {
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
            this.rows = layout.column(d, n, elementSize);
        }

        /**
         * The file's type is the one {@link HdfExport} writes for the schema's dtype: an integer of the same size
         * and signedness, or a float of the same size (text and bool as 8-bit signed integers).
         */
        static void checkType(String path, Dtype dtype, io.jhdf.object.datatype.DataType t, int size) {
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

        /** One bulk copy of the entry's row from the window that holds it. */
        void write(int entry, MemorySegment dst) {
            rows.copy(entry, dst, field.offset(), perEntry * elementSize);
        }
    }

    /** Where a track's datasets are: its {@link Source}, the file's user block and size (for the bounds check). */
    private record Layout(Source source, long userBlock, long fileSize) {

        /**
         * @param width each element's bytes in the replayed record (the stored type's, as checked by the caller)
         * @return the dataset's rows, read a window at a time: straight from the file where the dataset is
         *         contiguous and little-endian (or of bytes) and its elements are {@code width} wide, else
         *         through jhdf's slice read
         */
        Column column(Dataset d, int n, int width) {
            int[] dims = d.getDimensions();
            long perRow = 1;
            for (int k = 1; k < dims.length; k++) {
                perRow = Math.multiplyExact(perRow, dims[k]);
            }
            int rowBytes = Math.toIntExact(Math.multiplyExact(perRow, width));
            io.jhdf.object.datatype.DataType t = d.getDataType();
            boolean record = t instanceof CompoundDataType; // its members checked little-endian by the caller
            if (d instanceof ContiguousDataset c && t.getSize() == width
                    && (width == 1 || record || byteOrder(t) == ByteOrder.LITTLE_ENDIAN)) {
                if (c.isEmpty()) {
                    throw refuse(d.getPath(), "the dataset has no data; it should hold " + n + " entries");
                }
                long address = userBlock + c.getDataAddress();
                long bytes = (long) n * rowBytes;
                if (address < 0 || address + bytes > fileSize) {
                    throw refuse(d.getPath() + " at " + address + " of " + bytes + " bytes",
                            "the dataset ends past the end of the file (" + fileSize + " bytes): truncated");
                }
                return new Column(source, d.getPath(), n, rowBytes, width, address, null);
            }
            if (record) {
                throw refuse(d.getPath() + " " + d.getDataLayout(), "a records dataset is replayed as the recorder"
                        + " writes it: contiguous, its rows the messages' bytes");
            }
            boolean fp = t instanceof io.jhdf.object.datatype.FloatingPoint;
            if (!fp && !(t instanceof io.jhdf.object.datatype.FixedPoint)) {
                throw refuse(d.getPath() + " " + t.getClass().getSimpleName(), "the dataset holds no numbers");
            }
            return new Column(source, d.getPath(), n, rowBytes, width, -1, dims);
        }

        static ByteOrder byteOrder(io.jhdf.object.datatype.DataType t) {
            if (t instanceof io.jhdf.object.datatype.FixedPoint fp) {
                return fp.getByteOrder();
            }
            return t instanceof io.jhdf.object.datatype.FloatingPoint fl ? fl.getByteOrder() : null;
        }
    }

    /**
     * A dataset's rows (entry k = row k), in little-endian bytes of the replayed width, held a window at a time: the
     * rows of {@link #WINDOW} bytes (at least one) from the one asked for. Read by one replay thread.
     */
    static final class Column {
        private final Source source;
        private final String path;
        private final int entries;
        private final int rowBytes;
        private final int width;
        /** absolute file offset of row 0 of a contiguous little-endian dataset, or -1: jhdf's slice read */
        private final long address;
        private final int[] dims;
        private final int windowRows;
        private byte[] window;
        private int first = -1;
        private int count;

        Column(Source source, String path, int entries, int rowBytes, int width, long address, int[] dims) {
            this.source = source;
            this.path = path;
            this.entries = entries;
            this.rowBytes = rowBytes;
            this.width = width;
            this.address = address;
            this.dims = dims;
            this.windowRows = rowBytes == 0 ? entries : Math.max(1, Math.min(entries, WINDOW / rowBytes));
        }

        /**
         * Copies the first {@code length} bytes of {@code entry}'s row to {@code dst} at {@code at}: a large row of a
         * contiguous dataset straight from the file ({@link #DIRECT}), any other from the window that holds it.
         */
        void copy(int entry, MemorySegment dst, long at, int length) {
            Objects.checkIndex(entry, entries);
            Objects.checkFromIndexSize(0, length, rowBytes);
            if (address < 0 || rowBytes < DIRECT) {
                MemorySegment.copy(row(entry), offset(entry), dst, ValueLayout.JAVA_BYTE, at, length);
                return;
            }
            read(dst.asSlice(at, length).asByteBuffer(), address + (long) entry * rowBytes, entry);
        }

        /** @return the window holding {@code entry}'s row, at {@link #offset} */
        byte[] row(int entry) {
            Objects.checkIndex(entry, entries);
            if (entry < first || entry >= first + count) {
                load(entry);
            }
            return window;
        }

        int offset(int entry) {
            return (entry - first) * rowBytes;
        }

        long longAt(int entry) {
            byte[] w = row(entry);
            return (long) LONG_BYTES.get(w, offset(entry));
        }

        int intAt(int entry) {
            byte[] w = row(entry);
            return (int) INT_BYTES.get(w, offset(entry));
        }

        private void load(int entry) {
            int rows = Math.min(windowRows, entries - entry);
            int bytes = Math.multiplyExact(rows, rowBytes);
            if (window == null || window.length < bytes) {
                window = new byte[Math.multiplyExact(windowRows, rowBytes)];
            }
            first = -1; // a failed read leaves no window behind
            if (address >= 0) {
                readContiguous(entry, bytes);
            } else {
                readSlice(entry, rows, bytes);
            }
            first = entry;
            count = rows;
        }

        private void readContiguous(int entry, int bytes) {
            read(ByteBuffer.wrap(window, 0, bytes), address + (long) entry * rowBytes, entry);
        }

        private void read(ByteBuffer dst, long at, int entry) {
            try {
                FileChannel fc = source.channel();
                while (dst.hasRemaining()) {
                    if (fc.read(dst, at + dst.position()) < 0) {
                        throw refuse(path + " row " + entry, "the file ends inside the dataset: it was truncated"
                                + " while it was replayed");
                    }
                }
            } catch (IOException e) {
                throw refuse(path + " row " + entry, "cannot read the file: " + e);
            }
        }

        /** jhdf's typed slice read (any layout, any byte order), narrowed back to {@code width} bytes a value. */
        private void readSlice(int entry, int rows, int bytes) {
            long[] offset = new long[dims.length];
            offset[0] = entry;
            int[] shape = dims.clone();
            shape[0] = rows;
            Object data;
            try {
                data = source.dataset(path).getData(offset, shape);
            } catch (RuntimeException e) {
                throw refuse(path + " row " + entry, "cannot read the dataset: " + e);
            }
            ByteBuffer out = ByteBuffer.wrap(window, 0, bytes).order(ByteOrder.LITTLE_ENDIAN);
            flatten(data, out);
            if (out.hasRemaining()) {
                throw refuse(path + " row " + entry, "the slice read gave " + out.position() + " bytes, not " + bytes);
            }
        }

        private void flatten(Object a, ByteBuffer out) {
            if (a.getClass().getComponentType().isArray()) {
                for (Object inner : (Object[]) a) {
                    flatten(inner, out);
                }
                return;
            }
            int len = java.lang.reflect.Array.getLength(a);
            for (int i = 0; i < len; i++) {
                Object v = java.lang.reflect.Array.get(a, i);
                switch (v) {
                    case Float f -> out.putFloat(f);
                    case Double d -> {
                        if (width == 4) {
                            out.putFloat(d.floatValue());
                        } else {
                            out.putDouble(d);
                        }
                    }
                    case Number x -> {
                        long bits = x.longValue(); // a BigInteger's low 64 bits: a u64's own
                        switch (width) {
                            case 1 -> out.put((byte) bits);
                            case 2 -> out.putShort((short) bits);
                            case 4 -> out.putInt((int) bits);
                            default -> out.putLong(bits);
                        }
                    }
                    default -> throw refuse(path, "the dataset holds " + v.getClass().getSimpleName() + ", not numbers");
                }
            }
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
