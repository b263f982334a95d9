package io.labhub.recorder.internal;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a recorder's HDF5 file back into payloads: the inverse of {@link HdfExport} (layout: docs/recording.md).
 * Each schema field's dataset is read whole in its widened stored type and each value written back at
 * {@code field.offset() + j * elementSize} of a little-endian record of {@code schema.size()} bytes; a channel
 * without a schema gives its {@code payload} rows cut to {@code length}. A channel's datasets are held in memory
 * while it replays (as the export holds them while it writes: jhdf reads no streams either).
 *
 * <p>Anything that is not such a file is refused with rule {@code replay.file}; the schema is checked by the
 * {@link Validator}, and every dataset against it (present, of the stored type, of the shape it implies).
 */
final class HdfReplay {

    static final String RULE = "replay.file";
    private static final ObjectMapper JSON = new ObjectMapper();

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

        byte[] payload(int entry) {
            return payloads.payload(entry);
        }

        int maxPayload() {
            return payloads.maxLength();
        }
    }

    /** Builds entry {@code k}'s payload. */
    interface Payloads {
        byte[] payload(int entry);

        int maxLength();
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
                if (channel == null || channel.equals(name)) {
                    out.add(track(h5.getChild(name), names.get(name), validator));
                }
            }
        } catch (InvalidInputException e) {
            throw e;
        } catch (RuntimeException e) { // jhdf's HdfException, a wrong cast of an attribute's or dataset's data
            throw refuse(file.toString(), "unreadable recording: " + e);
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
        Object parsed;
        try {
            parsed = JSON.readValue(json, Object.class);
        } catch (JacksonException e) {
            throw refuse(g.getName(), "the schema attribute is not JSON: " + e.getOriginalMessage());
        }
        if (!(parsed instanceof Map<?, ?> map)) {
            throw refuse(g.getName(), "the schema attribute is not a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, ?> m = (Map<String, ?>) map;
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
            public byte[] payload(int entry) {
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
            public byte[] payload(int entry) {
                int from = entry * width;
                return Arrays.copyOfRange(bytes, from, from + length[entry]);
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
        }

        @Override
        public byte[] payload(int entry) {
            ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
            for (Column c : columns) {
                c.put(entry, b);
            }
            return b.array();
        }

        @Override
        public int maxLength() {
            return size;
        }
    }

    /** One field's dataset, read flat in the type {@link HdfExport} stored it in. */
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
            if (d.getJavaType() != stored(f.dtype())) {
                throw refuse(path + " " + d.getJavaType(), "the schema's " + f.dtype() + " is stored as " + stored(f.dtype()));
            }
            this.flat = d.getDataFlat();
            int per = 1;
            for (int k = 1; k < dims.length; k++) {
                per = Math.multiplyExact(per, dims[k]);
            }
            this.perEntry = per;
            this.elementSize = text ? 1 : f.dtype().size();
        }

        void put(int entry, ByteBuffer b) {
            int base = entry * perEntry;
            for (int j = 0; j < perEntry; j++) {
                int at = base + j;
                int off = field.offset() + j * elementSize;
                switch (field.dtype()) {
                    case U8 -> b.put(off, (byte) ((short[]) flat)[at]);
                    case I8, BOOL, BYTES, UTF8 -> b.put(off, ((byte[]) flat)[at]);
                    case U16 -> b.putShort(off, (short) ((int[]) flat)[at]);
                    case I16 -> b.putShort(off, ((short[]) flat)[at]);
                    case U32 -> b.putInt(off, (int) ((long[]) flat)[at]);
                    case I32 -> b.putInt(off, ((int[]) flat)[at]);
                    case U64, I64 -> b.putLong(off, ((long[]) flat)[at]);
                    case F32 -> b.putFloat(off, ((float[]) flat)[at]);
                    case F64 -> b.putDouble(off, ((double[]) flat)[at]);
                }
            }
        }

        /** The Java type HdfExport stores a dtype in (jhdf writes no unsigned integers). */
        private static Class<?> stored(Dtype d) {
            return switch (d) {
                case U8, I16 -> short.class;
                case I8, BOOL, BYTES, UTF8 -> byte.class;
                case U16, I32 -> int.class;
                case U32, U64, I64 -> long.class;
                case F32 -> float.class;
                case F64 -> double.class;
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
