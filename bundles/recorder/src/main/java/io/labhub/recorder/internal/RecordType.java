package io.labhub.recorder.internal;

import io.jhdf.Utils;
import io.jhdf.exceptions.HdfWritingException;
import io.jhdf.object.datatype.DataType;
import io.jhdf.storage.HdfBackingStorage;
import io.labhub.api.schema.Dtype;
import io.labhub.api.schema.Field;
import io.labhub.api.schema.Schema;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The HDF5 compound datatype of a record schema, for writing: one member per field, at the field's own offset, in a
 * type of the record's own size, so a row of the dataset is the message's bytes as the wire has them (numpy's
 * structured dtype of the schema, what {@code labhub.schema.Schema.dtype()} gives in Python).
 *
 * <p>jhdf 0.13.0 reads compound types but cannot write one ({@code CompoundDataType} has no {@code toBuffer}), so
 * this class encodes the datatype message itself, by the HDF5 file format specification (version 3.0, IV.A.2.d
 * "Datatype Message"): compound version 3 (member names not padded, offsets in as few bytes as the record's size
 * needs), numbers little-endian (fixed point version 1, IEEE floats version 1), {@code bool} as h5py writes numpy's
 * {@code bool}: an enum of an 8-bit signed integer with {@code FALSE = 0} and {@code TRUE = 1} (version 3),
 * {@code bytes}/{@code utf8} as null-padded fixed-length strings, ASCII or UTF-8 (numpy {@code S<length>}). jhdf's
 * reader parses it ({@code RecordTypeTest}) and h5py reads it as the schema's dtype ({@code RecorderTest}).
 *
 * <p>Only schemas of scalar fields take it ({@link #fits}): an array field (a camera's pixels) keeps a dataset of its
 * own, {@code [N, shape...]}, which a reader takes without the rest of the record.
 */
final class RecordType extends DataType {

    private static final int COMPOUND = 6;
    private static final int FIXED = 0;
    private static final int FLOAT = 1;
    private static final int STRING = 3;
    private static final int ENUM = 8;

    private final byte[] message;

    RecordType(Schema schema) {
        super(COMPOUND, schema.size());
        if (!fits(schema)) {
            throw new IllegalArgumentException("not a record of scalar fields: " + schema.layout());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        header(out, COMPOUND, 3, schema.fields().size(), 0, schema.size());
        int offsetBytes = offsetBytes(schema.size());
        for (Field f : schema.fields()) {
            out.writeBytes(f.name().getBytes(StandardCharsets.US_ASCII)); // an identifier: [A-Za-z_][A-Za-z0-9_]*
            out.write(0);
            for (int b = 0; b < offsetBytes; b++) {
                out.write(f.offset() >>> (8 * b));
            }
            member(out, f);
        }
        this.message = out.toByteArray();
        if (message.length > 0xFFFF) { // an object header message's size is 16 bits (256 fields make about 20 KiB)
            throw new HdfWritingException("the compound type of " + schema.fields().size() + " fields takes "
                    + message.length + " bytes, more than a header message holds");
        }
    }

    /** @return whether the schema is stored as one compound dataset: every field a scalar of a fixed size */
    static boolean fits(Schema schema) {
        for (Field f : schema.fields()) {
            if (!f.shape().isEmpty() || f.open()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Bytes of a member's offset in a compound type of version 3: as few as hold the record's size (the
     * specification's "minimum number of bytes necessary, based on the size of the datatype element"). jhdf's own
     * count, the one its reader parses the offsets with; {@code RecordTypeTest} checks it against libhdf5's
     * {@code H5VM_limit_enc_size}.
     */
    static int offsetBytes(int size) {
        return Utils.bytesNeededToHoldNumber(size);
    }

    private static void member(ByteArrayOutputStream out, Field f) {
        Dtype d = f.dtype();
        switch (d) {
            case U8, U16, U32, U64 -> fixed(out, d.size(), false);
            case I8, I16, I32, I64 -> fixed(out, d.size(), true);
            case F32 -> floating(out, 4, 31, 23, 8, 23, 127);
            case F64 -> floating(out, 8, 63, 52, 11, 52, 1023);
            case BOOL -> {
                header(out, ENUM, 3, 2, 0, 1);
                fixed(out, 1, true);
                out.writeBytes("FALSE\0TRUE\0".getBytes(StandardCharsets.US_ASCII));
                out.write(0);
                out.write(1);
            }
            // null-padded (1), ASCII (0) or UTF-8 (1): h5py's type for numpy's S<length>
            case BYTES -> header(out, STRING, 1, 1, 0, f.length());
            case UTF8 -> header(out, STRING, 1, 1 | 1 << 4, 0, f.length());
        }
    }

    /** A little-endian integer: class bits byte order 0 (little), padding 0, bit 3 signed; offset 0, all bits. */
    private static void fixed(ByteArrayOutputStream out, int size, boolean signed) {
        header(out, FIXED, 1, signed ? 1 << 3 : 0, 0, size);
        short16(out, 0);
        short16(out, size * 8);
    }

    /** A little-endian IEEE 754 float: mantissa normalized with the MSB implied (2), the sign at {@code sign}. */
    private static void floating(ByteArrayOutputStream out, int size, int sign, int exponentAt, int exponentBits,
                                 int mantissaBits, int bias) {
        header(out, FLOAT, 1, 2 << 4 | sign << 8, 0, size);
        short16(out, 0);
        short16(out, size * 8);
        out.write(exponentAt);
        out.write(exponentBits);
        out.write(0); // the mantissa's location
        out.write(mantissaBits);
        int32(out, bias);
    }

    /** Class and version, the 24 class bits ({@code low16} and the third byte), the element size. */
    private static void header(ByteArrayOutputStream out, int dataClass, int version, int low16, int high8, int size) {
        out.write(dataClass | version << 4);
        short16(out, low16);
        out.write(high8);
        int32(out, size);
    }

    private static void short16(ByteArrayOutputStream out, int v) {
        out.write(v);
        out.write(v >>> 8);
    }

    private static void int32(ByteArrayOutputStream out, int v) {
        short16(out, v);
        short16(out, v >>> 16);
    }

    @Override
    public ByteBuffer toBuffer() {
        return ByteBuffer.wrap(message.clone());
    }

    @Override
    public Class<?> getJavaType() {
        return java.util.Map.class; // what jhdf's own CompoundDataType reads it as
    }

    @Override
    public Object fillData(ByteBuffer buffer, int[] dimensions, HdfBackingStorage hdfBackingStorage) {
        throw new UnsupportedOperationException("written only; jhdf reads the file's type as a CompoundDataType");
    }
}
