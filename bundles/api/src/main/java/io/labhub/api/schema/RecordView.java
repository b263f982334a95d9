package io.labhub.api.schema;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A typed, zero-copy view of one message (or shm slot) of a {@link Schema}: {@link #slice} gives a field's
 * bytes as a {@link MemorySegment} of the message itself, the {@code get*} accessors read one element
 * (little-endian; unsigned types widened: {@code u8}/{@code u16} to {@code int}, {@code u32} to
 * {@code long}; {@code u64} as the raw 64 bits, see {@link Long#toUnsignedString(long)}). Nothing is
 * copied, so a view is valid only as long as its message is (an {@code ShmFrame} until released).
 *
 * <p>Errors are typed {@link io.labhub.api.InvalidInputException}s: {@code schema.field} (no such field),
 * {@code schema.dtype} (an accessor of another type), {@code schema.index} (an element outside the
 * field). Not thread-safe to share while the message changes; reading is otherwise side-effect free.
 */
public final class RecordView {

    static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Schema schema;
    private final MemorySegment message;

    RecordView(Schema schema, MemorySegment message) {
        this.schema = schema;
        this.message = message;
    }

    public Schema schema() {
        return schema;
    }

    /** @return the whole message */
    public MemorySegment segment() {
        return message;
    }

    /** @return the field's bytes, a slice of the message (no copy); an open-length field: the rest of the message */
    public MemorySegment slice(String field) {
        return slice(schema.field(field));
    }

    /** @return as {@link #slice(String)} for a field of this view's schema */
    public MemorySegment slice(Field f) {
        long n = f.open() ? message.byteSize() - f.offset() : f.byteSize();
        return message.asSlice(f.offset(), n);
    }

    public int getU8(String field) { return getU8(field, 0); }
    public int getU8(String field, long index) { return Byte.toUnsignedInt(message.get(ValueLayout.JAVA_BYTE, at(field, Dtype.U8, index))); }
    public byte getI8(String field) { return getI8(field, 0); }
    public byte getI8(String field, long index) { return message.get(ValueLayout.JAVA_BYTE, at(field, Dtype.I8, index)); }
    public int getU16(String field) { return getU16(field, 0); }
    public int getU16(String field, long index) { return Short.toUnsignedInt(message.get(SHORT, at(field, Dtype.U16, index))); }
    public short getI16(String field) { return getI16(field, 0); }
    public short getI16(String field, long index) { return message.get(SHORT, at(field, Dtype.I16, index)); }
    public long getU32(String field) { return getU32(field, 0); }
    public long getU32(String field, long index) { return Integer.toUnsignedLong(message.get(INT, at(field, Dtype.U32, index))); }
    public int getI32(String field) { return getI32(field, 0); }
    public int getI32(String field, long index) { return message.get(INT, at(field, Dtype.I32, index)); }
    /** @return the raw 64 bits of an unsigned value ({@link Long#toUnsignedString(long)} shows it) */
    public long getU64(String field) { return getU64(field, 0); }
    public long getU64(String field, long index) { return message.get(LONG, at(field, Dtype.U64, index)); }
    public long getI64(String field) { return getI64(field, 0); }
    public long getI64(String field, long index) { return message.get(LONG, at(field, Dtype.I64, index)); }
    public float getF32(String field) { return getF32(field, 0); }
    public float getF32(String field, long index) { return message.get(FLOAT, at(field, Dtype.F32, index)); }
    public double getF64(String field) { return getF64(field, 0); }
    public double getF64(String field, long index) { return message.get(DOUBLE, at(field, Dtype.F64, index)); }
    /** @return whether the byte is not 0 */
    public boolean getBool(String field) { return getBool(field, 0); }
    public boolean getBool(String field, long index) { return message.get(ValueLayout.JAVA_BYTE, at(field, Dtype.BOOL, index)) != 0; }

    /**
     * @return the text of a {@code utf8} field (element {@code 0}): a fixed-length one up to its first NUL
     *         byte (numpy {@code S} semantics), an open-length one the rest of the message; malformed UTF-8
     *         shows as U+FFFD
     */
    public String getUtf8(String field) {
        return getUtf8(field, 0);
    }

    public String getUtf8(String field, long index) {
        Field f = schema.field(field);
        return text(element(f, Dtype.UTF8, index));
    }

    /** @return the bytes of one element of a {@code bytes} field, a slice of the message (no copy) */
    public MemorySegment getBytes(String field, long index) {
        return element(schema.field(field), Dtype.BYTES, index);
    }

    private MemorySegment element(Field f, Dtype expected, long index) {
        if (f.open()) {
            long off = at(f, expected, index);
            return message.asSlice(off, message.byteSize() - off);
        }
        return message.asSlice(at(f, expected, index), f.elementSize());
    }

    private static String text(MemorySegment s) {
        byte[] bytes = s.toArray(ValueLayout.JAVA_BYTE);
        int n = 0;
        while (n < bytes.length && bytes[n] != 0) {
            n++;
        }
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }

    private long at(String field, Dtype expected, long index) {
        return at(schema.field(field), expected, index);
    }

    /** The byte offset of element {@code index} of {@code f}, after checking its dtype and the index. */
    static long at(Field f, Dtype expected, long index) {
        if (f.dtype() != expected) {
            throw Refuse.of("schema.dtype", f.name() + ":" + f.dtype(), "the field is not of dtype " + expected);
        }
        if (index < 0 || index >= f.count()) {
            throw Refuse.of("schema.index", f.name() + "[" + index + "]", "the index is outside the field's "
                    + f.count() + " element(s)");
        }
        return f.offset() + index * f.elementSize();
    }

    /**
     * The record's fields as plain values (for display, e.g. {@code hub:tail}): numbers, booleans and text
     * as themselves, arrays of at most {@code maxElements} elements as lists, larger arrays and
     * {@code bytes} longer than 64 as a summary string such as {@code "u16[1024,1024]"}, short
     * {@code bytes} as hex.
     */
    public Map<String, Object> toMap(int maxElements) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Field f : schema.fields()) {
            long count = f.count();
            if (f.dtype() == Dtype.BYTES && (f.open() ? message.byteSize() - f.offset() : f.elementSize()) > 64) {
                m.put(f.name(), summary(f));
            } else if (f.shape().isEmpty()) {
                m.put(f.name(), value(f, 0));
            } else if (count <= maxElements) {
                List<Object> values = new ArrayList<>();
                for (long i = 0; i < count; i++) {
                    values.add(value(f, i));
                }
                m.put(f.name(), values);
            } else {
                m.put(f.name(), summary(f));
            }
        }
        return m;
    }

    /** @return {@link #toMap(int)} with at most 16 elements per array, as compact JSON text */
    public String toJson() {
        return Json.write(toMap(16));
    }

    private static String summary(Field f) {
        String dims = f.shape().toString().replace(" ", "");
        return f.dtype().wireName() + (f.dtype().sized() ? "*" + (f.length() > 0 ? f.length() : "") : "")
                + (f.shape().isEmpty() ? "" : dims);
    }

    private Object value(Field f, long i) {
        String n = f.name();
        return switch (f.dtype()) {
            case U8 -> getU8(n, i);
            case I8 -> getI8(n, i);
            case U16 -> getU16(n, i);
            case I16 -> getI16(n, i);
            case U32 -> getU32(n, i);
            case I32 -> getI32(n, i);
            case U64 -> new java.math.BigInteger(Long.toUnsignedString(getU64(n, i)));
            case I64 -> getI64(n, i);
            case F32 -> getF32(n, i);
            case F64 -> getF64(n, i);
            case BOOL -> getBool(n, i);
            case UTF8 -> getUtf8(n, i);
            case BYTES -> HexFormat.of().formatHex(getBytes(n, i).toArray(ValueLayout.JAVA_BYTE));
        };
    }
}
