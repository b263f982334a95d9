package io.labhub.api.schema;

import java.util.Optional;

/**
 * The element types of a schema field, little-endian (numpy: {@code <u2}, {@code <f8}, ...). {@code bool}
 * is one byte, 0 or 1. {@code bytes} and {@code utf8} have no size of their own: a field of them gives
 * its element size as {@link Field#length()} (numpy {@code S16}), or none for an open-length last field.
 */
public enum Dtype {
    U8("u8", 1), I8("i8", 1), U16("u16", 2), I16("i16", 2), U32("u32", 4), I32("i32", 4),
    U64("u64", 8), I64("i64", 8), F32("f32", 4), F64("f64", 8), BOOL("bool", 1),
    BYTES("bytes", 0), UTF8("utf8", 0);

    private final String wireName;
    private final int size;

    Dtype(String wireName, int size) {
        this.wireName = wireName;
        this.size = size;
    }

    /** @return the name in the JSON form and the layout string, e.g. {@code u16} */
    public String wireName() {
        return wireName;
    }

    /** @return bytes per element; 0 for {@code bytes} and {@code utf8} (their field's {@code length} says) */
    public int size() {
        return size;
    }

    /** @return whether the element size is the field's {@code length} ({@code bytes}, {@code utf8}) */
    public boolean sized() {
        return size == 0;
    }

    /** @return the dtype of that wire name, or empty */
    public static Optional<Dtype> fromWireName(String name) {
        for (Dtype d : values()) {
            if (d.wireName.equals(name)) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return wireName;
    }
}
