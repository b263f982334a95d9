package io.labhub.api.schema;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The type of a channel's messages (or shm slots): a flat record of {@link Field}s at resolved offsets,
 * its size, free attributes and, for a reqrep channel, the schema of the replies. docs/schemas.md is the
 * reference; the JSON form is {@link #toMap()} / {@link #toJson()}.
 *
 * <p>Immutable and thread-safe. The constructor checks the layout (offsets in declared order without
 * overlap, sizes without overflow, an open-length field only last); every other rule (identifiers, units,
 * attributes, limits) is the Validator's, which every schema from outside passes through. Java producers
 * build one with {@link #builder()}.
 */
public final class Schema {

    /** Largest record, in bytes. */
    public static final int MAX_SIZE = Integer.MAX_VALUE;

    private final List<Field> fields;
    private final int size;
    private final Map<String, Object> attributes;
    private final Schema reply;
    private final Map<String, Field> byName;
    private final String layout;
    private volatile String hash;

    /**
     * @param fields     at least one, offsets resolved
     * @param size       the record size: at least the end of the last field; with an open-length last
     *                   field exactly its offset (the least a message can have)
     * @param attributes string, number or boolean values (may be {@code null}: none)
     * @param reply      the reply schema of a reqrep channel, or {@code null}; it has no reply itself
     * @throws io.labhub.api.InvalidInputException {@code schema.fields}, {@code schema.name} (a duplicate),
     *         {@code schema.offset}, {@code schema.length} (an open field not last), {@code schema.size}
     *         or {@code schema.depth} (a reply with a reply)
     */
    public Schema(List<Field> fields, int size, Map<String, ?> attributes, Schema reply) {
        if (fields == null || fields.isEmpty()) {
            throw Refuse.of("schema.fields", null, "a schema has at least one field");
        }
        this.fields = List.copyOf(fields);
        Map<String, Field> names = new LinkedHashMap<>();
        long end = 0;
        for (int i = 0; i < this.fields.size(); i++) {
            Field f = this.fields.get(i);
            if (names.putIfAbsent(f.name(), f) != null) {
                throw Refuse.of("schema.name", f.name(), "field names are unique in a record");
            }
            if (f.offset() < end) {
                throw Refuse.of("schema.offset", f.name() + "@" + f.offset(), "a field starts at or after the end of"
                        + " the previous one (" + end + "): declared order, no overlap");
            }
            if (f.open() && i != this.fields.size() - 1) {
                throw Refuse.of("schema.length", f.name(), "only the last field may be open-length (no length)");
            }
            try {
                end = Math.addExact(f.offset(), f.byteSize());
            } catch (ArithmeticException e) {
                end = Long.MAX_VALUE;
            }
            if (end > MAX_SIZE) {
                throw Refuse.of("schema.size", f.name(), "the record would end past 2^31-1 bytes");
            }
        }
        boolean open = this.fields.getLast().open();
        if (size < end || (open && size != end)) {
            throw Refuse.of("schema.size", Integer.toString(size), open
                    ? "with an open-length last field the size is that field's offset (" + end + ")"
                    : "the size is at least the end of the last field (" + end + ")");
        }
        if (reply != null && reply.reply != null) {
            throw Refuse.of("schema.depth", "reply", "a reply schema has no reply of its own");
        }
        this.size = size;
        this.attributes = attributes == null || attributes.isEmpty() ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
        this.reply = reply;
        this.byName = Collections.unmodifiableMap(names);
        StringBuilder b = new StringBuilder("size=").append(size);
        this.fields.forEach(f -> b.append(';').append(f.layout()));
        this.layout = b.toString();
    }

    /** @return a builder for a schema of packed (or explicitly placed) fields */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the fields in declared order */
    public List<Field> fields() {
        return fields;
    }

    /** @return the record size in bytes (the least, when the last field is open-length) */
    public int size() {
        return size;
    }

    /** @return whether the last field is open-length: a message then has at least {@link #size()} bytes */
    public boolean open() {
        return fields.getLast().open();
    }

    /** @return the attributes in declared order (string, number and boolean values) */
    public Map<String, Object> attributes() {
        return attributes;
    }

    /** @return the schema of the replies (reqrep), or {@code null} */
    public Schema reply() {
        return reply;
    }

    /**
     * @return the field of that name
     * @throws io.labhub.api.InvalidInputException {@code schema.field} when the record has none
     */
    public Field field(String name) {
        Field f = byName.get(name);
        if (f == null) {
            throw Refuse.of("schema.field", name, "the record has no field of that name");
        }
        return f;
    }

    /** @return whether the record has a field of that name */
    public boolean has(String name) {
        return byName.containsKey(name);
    }

    /**
     * The layout string (docs/schemas.md): {@code size=N} and, per field, {@code ;name:dtype[*len][dims]@offset},
     * e.g. {@code size=2097184;magic:u32@0;seq:u64@8;pixels:u16[1024,1024]@32}. Units and attributes are not
     * in it, nor the reply schema.
     */
    public String layout() {
        return layout;
    }

    /** @return the schema hash: lowercase hex SHA-256 of the UTF-8 {@link #layout()} (64 characters) */
    public String hash() {
        String h = hash;
        if (h == null) {
            try {
                h = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                        .digest(layout.getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java runtime has SHA-256", e);
            }
            hash = h;
        }
        return h;
    }

    /**
     * The JSON form as plain values (maps, lists, strings, numbers, booleans) in the order of
     * docs/schemas.md, with every offset and the size written out; what the broker and the segment carry.
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        List<Object> list = new ArrayList<>();
        for (Field f : fields) {
            Map<String, Object> fm = new LinkedHashMap<>();
            fm.put("name", f.name());
            fm.put("dtype", f.dtype().wireName());
            if (f.length() > 0) {
                fm.put("length", f.length());
            }
            if (!f.shape().isEmpty()) {
                fm.put("shape", f.shape());
            }
            if (f.unit() != null) {
                fm.put("unit", f.unit());
            }
            fm.put("offset", f.offset());
            list.add(fm);
        }
        m.put("fields", list);
        m.put("size", size);
        if (!attributes.isEmpty()) {
            m.put("attributes", attributes);
        }
        if (reply != null) {
            m.put("reply", reply.toMap());
        }
        return m;
    }

    /** @return {@link #toMap()} as compact JSON text */
    public String toJson() {
        return Json.write(toMap());
    }

    /**
     * A typed, zero-copy view of one message or slot of this schema.
     *
     * @param message the message's bytes: exactly {@link #size()} of them, or at least that many when the
     *                last field is open-length
     * @throws io.labhub.api.InvalidInputException {@code schema.payload} when the size does not fit
     */
    public RecordView view(MemorySegment message) {
        checkPayload(message);
        return new RecordView(this, message);
    }

    /** @return a view of a message held in a byte array, as {@link #view(MemorySegment)} */
    public RecordView view(byte[] message) {
        return view(MemorySegment.ofArray(Objects.requireNonNull(message, "message")));
    }

    /**
     * A writer of one message of this schema into memory the producer owns (a claimed shm slot, an array).
     *
     * @throws io.labhub.api.InvalidInputException {@code schema.payload} when the size does not fit
     */
    public RecordWriter writer(MemorySegment message) {
        checkPayload(message);
        return new RecordWriter(this, message);
    }

    /** @return a writer of a new zeroed record of {@link #size()} bytes; {@link RecordWriter#bytes()} gives them */
    public RecordWriter writer() {
        return writer(MemorySegment.ofArray(new byte[size]));
    }

    private void checkPayload(MemorySegment message) {
        long n = message.byteSize();
        if (open() ? n < size : n != size) {
            throw Refuse.of("schema.payload", Long.toString(n), "a message of this schema has "
                    + (open() ? "at least " : "exactly ") + size + " bytes");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Schema s && size == s.size && fields.equals(s.fields)
                && attributes.equals(s.attributes) && Objects.equals(reply, s.reply);
    }

    @Override
    public int hashCode() {
        return Objects.hash(fields, size, attributes, reply);
    }

    @Override
    public String toString() {
        return layout;
    }

    /**
     * Builds a {@link Schema}: fields in declared order, each packed after the previous one unless placed
     * with {@link #at(int)}. Not thread-safe.
     *
     * <pre>{@code
     * Schema s = Schema.builder()
     *         .field("sequence", Dtype.U64).field("timestampNs", Dtype.I64)
     *         .field("pixels", Dtype.U16, 1024, 1024).unit("counts").at(32)
     *         .attribute("pixelFormat", "mono16").build();
     * }</pre>
     */
    public static final class Builder {
        private record Pending(String name, Dtype dtype, int length, List<Integer> shape, String unit, Integer offset) {
        }

        private final List<Pending> pending = new ArrayList<>();
        private final Map<String, Object> attributes = new LinkedHashMap<>();
        private Integer size;
        private Schema reply;

        private Builder() {
        }

        /** A numeric or bool field: a scalar, or an array of that shape. */
        public Builder field(String name, Dtype dtype, int... shape) {
            return add(name, dtype, 0, shape);
        }

        /** A {@code bytes} or {@code utf8} field of {@code length}-byte elements (0: open length, last only). */
        public Builder text(String name, Dtype dtype, int length, int... shape) {
            return add(name, dtype, length, shape);
        }

        private Builder add(String name, Dtype dtype, int length, int... shape) {
            List<Integer> dims = new ArrayList<>();
            for (int d : shape) {
                dims.add(d);
            }
            pending.add(new Pending(name, dtype, length, dims, null, null));
            return this;
        }

        /** Gives the last field a unit. */
        public Builder unit(String unit) {
            Pending p = last();
            pending.set(pending.size() - 1, new Pending(p.name, p.dtype, p.length, p.shape, unit, p.offset));
            return this;
        }

        /** Places the last field at {@code offset} (at or after the end of the previous one; a gap is padding). */
        public Builder at(int offset) {
            Pending p = last();
            pending.set(pending.size() - 1, new Pending(p.name, p.dtype, p.length, p.shape, p.unit, offset));
            return this;
        }

        /** The record size, when larger than the end of the last field (trailing padding). */
        public Builder size(int bytes) {
            this.size = bytes;
            return this;
        }

        /** A free attribute: a string, number or boolean. */
        public Builder attribute(String key, Object value) {
            attributes.put(key, value);
            return this;
        }

        /** The schema of the replies (reqrep channels). */
        public Builder reply(Schema schema) {
            this.reply = schema;
            return this;
        }

        /**
         * @throws io.labhub.api.InvalidInputException a layout rule (see {@link Schema#Schema})
         */
        public Schema build() {
            List<Field> fields = new ArrayList<>();
            long end = 0;
            for (Pending p : pending) {
                long offset = p.offset != null ? p.offset : end;
                if (offset > MAX_SIZE) {
                    throw Refuse.of("schema.size", p.name, "the record would end past 2^31-1 bytes");
                }
                Field f = new Field(p.name, p.dtype, p.length, p.shape, p.unit, (int) offset);
                fields.add(f);
                try {
                    end = Math.max(end, Math.addExact(f.offset(), f.byteSize()));
                } catch (ArithmeticException e) {
                    throw Refuse.of("schema.size", p.name, "the record would end past 2^31-1 bytes");
                }
            }
            if (end > MAX_SIZE) {
                throw Refuse.of("schema.size", Long.toString(end), "the record would end past 2^31-1 bytes");
            }
            return new Schema(fields, size != null ? size : (int) end, attributes, reply);
        }

        private Pending last() {
            if (pending.isEmpty()) {
                throw Refuse.of("schema.fields", null, "declare a field first");
            }
            return pending.getLast();
        }
    }
}
