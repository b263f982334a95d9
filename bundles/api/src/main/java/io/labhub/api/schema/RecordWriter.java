package io.labhub.api.schema;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * Writes the fields of one message of a {@link Schema} into memory the producer owns: a claimed shm slot
 * ({@code schema.writer(claim.segment().asSlice(0, schema.size()))}) or a new array
 * ({@code schema.writer()}, then {@link #bytes()}). Values are written little-endian where the schema
 * places them; unsigned setters take the widened type and keep its low bits. Errors as
 * {@link RecordView}'s, and {@code schema.length} for text longer than its field. Not thread-safe.
 */
public final class RecordWriter {

    private final Schema schema;
    private final MemorySegment message;

    RecordWriter(Schema schema, MemorySegment message) {
        this.schema = schema;
        this.message = message;
    }

    /** @return the message being written */
    public MemorySegment segment() {
        return message;
    }

    /** @return a copy of the message's bytes (for a publisher) */
    public byte[] bytes() {
        return message.toArray(ValueLayout.JAVA_BYTE);
    }

    /** @return a view of what was written */
    public RecordView view() {
        return new RecordView(schema, message);
    }

    private long at(String field, Dtype dtype, long index) {
        return RecordView.at(schema.field(field), dtype, index);
    }

    public RecordWriter setU8(String field, long index, int v) { message.set(ValueLayout.JAVA_BYTE, at(field, Dtype.U8, index), (byte) v); return this; }
    public RecordWriter setI8(String field, long index, int v) { message.set(ValueLayout.JAVA_BYTE, at(field, Dtype.I8, index), (byte) v); return this; }
    public RecordWriter setU16(String field, long index, int v) { message.set(RecordView.SHORT, at(field, Dtype.U16, index), (short) v); return this; }
    public RecordWriter setI16(String field, long index, int v) { message.set(RecordView.SHORT, at(field, Dtype.I16, index), (short) v); return this; }
    public RecordWriter setU32(String field, long index, long v) { message.set(RecordView.INT, at(field, Dtype.U32, index), (int) v); return this; }
    public RecordWriter setI32(String field, long index, int v) { message.set(RecordView.INT, at(field, Dtype.I32, index), v); return this; }
    public RecordWriter setU64(String field, long index, long v) { message.set(RecordView.LONG, at(field, Dtype.U64, index), v); return this; }
    public RecordWriter setI64(String field, long index, long v) { message.set(RecordView.LONG, at(field, Dtype.I64, index), v); return this; }
    public RecordWriter setF32(String field, long index, float v) { message.set(RecordView.FLOAT, at(field, Dtype.F32, index), v); return this; }
    public RecordWriter setF64(String field, long index, double v) { message.set(RecordView.DOUBLE, at(field, Dtype.F64, index), v); return this; }
    public RecordWriter setBool(String field, long index, boolean v) { message.set(ValueLayout.JAVA_BYTE, at(field, Dtype.BOOL, index), (byte) (v ? 1 : 0)); return this; }

    public RecordWriter setU8(String field, int v) { return setU8(field, 0, v); }
    public RecordWriter setI8(String field, int v) { return setI8(field, 0, v); }
    public RecordWriter setU16(String field, int v) { return setU16(field, 0, v); }
    public RecordWriter setI16(String field, int v) { return setI16(field, 0, v); }
    public RecordWriter setU32(String field, long v) { return setU32(field, 0, v); }
    public RecordWriter setI32(String field, int v) { return setI32(field, 0, v); }
    public RecordWriter setU64(String field, long v) { return setU64(field, 0, v); }
    public RecordWriter setI64(String field, long v) { return setI64(field, 0, v); }
    public RecordWriter setF32(String field, float v) { return setF32(field, 0, v); }
    public RecordWriter setF64(String field, double v) { return setF64(field, 0, v); }
    public RecordWriter setBool(String field, boolean v) { return setBool(field, 0, v); }

    /**
     * Writes text into a {@code utf8} field (element 0): a fixed-length field gets it zero-padded; an
     * open-length field must be exactly the rest of the message (size the message as
     * {@code schema.size() + utf8 bytes}).
     */
    public RecordWriter setUtf8(String field, String text) {
        return setText(field, Dtype.UTF8, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes bytes into a {@code bytes} field (element 0), as {@link #setUtf8}. */
    public RecordWriter setBytes(String field, byte[] bytes) {
        return setText(field, Dtype.BYTES, bytes.clone());
    }

    private RecordWriter setText(String field, Dtype dtype, byte[] bytes) {
        Field f = schema.field(field);
        long off = RecordView.at(f, dtype, 0);
        long room = f.open() ? message.byteSize() - off : f.elementSize();
        if (f.open() ? bytes.length != room : bytes.length > room) {
            throw Refuse.of("schema.length", f.name() + " " + bytes.length + " bytes", f.open()
                    ? "an open-length field takes exactly the rest of the message (" + room + " bytes)"
                    : "the text is longer than the field's " + room + " bytes");
        }
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, message, off, bytes.length);
        message.asSlice(off + bytes.length, room - bytes.length).fill((byte) 0);
        return this;
    }
}
