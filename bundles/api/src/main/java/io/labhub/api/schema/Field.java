package io.labhub.api.schema;

import java.util.List;
import java.util.Objects;

/**
 * One field of a {@link Schema}: a scalar or an array (row-major, C order) of one {@link Dtype} at a
 * resolved byte offset in the record.
 *
 * @param name   an identifier, unique in its record
 * @param dtype  the element type
 * @param length {@code bytes}/{@code utf8} only: the element size in bytes (1..65536), or 0 for an
 *               open-length field ("the rest of the message", last field only); 0 for every other dtype
 * @param shape  the array's dimensions (1..8 of them, each 1..2<sup>31</sup>-1), empty for a scalar
 * @param unit   the unit of the values ({@code counts}, {@code mm}), or {@code null}
 * @param offset where the field starts in the record, in bytes
 */
public record Field(String name, Dtype dtype, int length, List<Integer> shape, String unit, int offset) {

    /** Most dimensions of a field's shape. */
    public static final int MAX_DIMENSIONS = 8;
    /** Largest element size of a {@code bytes}/{@code utf8} field. */
    public static final int MAX_LENGTH = 65536;

    /**
     * @throws io.labhub.api.InvalidInputException {@code schema.name} (null), {@code schema.dtype} (null),
     *         {@code schema.length}, {@code schema.shape} or {@code schema.offset} (out of range)
     */
    public Field {
        if (name == null) {
            throw Refuse.of("schema.name", null, "a field needs a name");
        }
        if (dtype == null) {
            throw Refuse.of("schema.dtype", name, "a field needs a dtype");
        }
        if (dtype.sized() ? length < 0 || length > MAX_LENGTH : length != 0) {
            throw Refuse.of("schema.length", name + " length " + length, dtype.sized()
                    ? "the length of a bytes/utf8 field is 1.." + MAX_LENGTH + " (or absent: open length)"
                    : "only bytes and utf8 fields have a length");
        }
        shape = shape == null ? List.of() : List.copyOf(shape);
        if (shape.size() > MAX_DIMENSIONS) {
            throw Refuse.of("schema.shape", name, "a shape has at most " + MAX_DIMENSIONS + " dimensions");
        }
        for (Integer d : shape) {
            if (d < 1) {
                throw Refuse.of("schema.shape", name + " " + shape, "every dimension of a shape is 1..2^31-1");
            }
        }
        if (dtype.sized() && length == 0 && !shape.isEmpty()) {
            throw Refuse.of("schema.shape", name, "an open-length field has no shape");
        }
        if (offset < 0) {
            throw Refuse.of("schema.offset", name + "@" + offset, "an offset is 0 or more");
        }
        Objects.requireNonNull(shape);
    }

    /** @return whether this is an open-length {@code bytes}/{@code utf8} field (the rest of the message) */
    public boolean open() {
        return dtype.sized() && length == 0;
    }

    /** @return bytes of one element: the dtype's size, or {@link #length()} for {@code bytes}/{@code utf8} */
    public int elementSize() {
        return dtype.sized() ? length : dtype.size();
    }

    /** @return elements in the field: the product of the shape, 1 for a scalar (and for an open field) */
    public long count() {
        long n = 1;
        for (int d : shape) {
            n = Math.multiplyExact(n, d); // 8 dimensions of < 2^31 can overflow a long
        }
        return n;
    }

    /**
     * @return bytes the field takes; 0 for an open-length field (its bytes are whatever the message has)
     * @throws ArithmeticException when it overflows a long (a {@link Schema} refuses such a field)
     */
    public long byteSize() {
        return open() ? 0 : Math.multiplyExact(elementSize(), count());
    }

    /** @return the field's text in the layout string, e.g. {@code pixels:u16[1024,1024]@32} */
    String layout() {
        StringBuilder b = new StringBuilder(name).append(':').append(dtype.wireName());
        if (dtype.sized()) {
            b.append('*');
            if (length > 0) {
                b.append(length);
            }
        }
        if (!shape.isEmpty()) {
            b.append('[');
            for (int i = 0; i < shape.size(); i++) {
                b.append(i == 0 ? "" : ",").append(shape.get(i));
            }
            b.append(']');
        }
        return b.append('@').append(offset).toString();
    }
}
