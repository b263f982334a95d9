package io.labhub.validation.internal;

import io.labhub.api.ChannelKind;
import io.labhub.api.schema.Dtype;
import io.labhub.api.schema.Field;
import io.labhub.api.schema.Schema;
import io.labhub.validation.Validator;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The schema rules of {@link Validator#schema} (docs/schemas.md): the JSON form read as plain values
 * (maps, lists, strings, numbers, booleans), checked in a fixed order so that the same input always
 * gets the same rule: first the whole document's depth and size (a bounded walk that stops at the
 * limit, so a huge or cyclic input costs no more than the limit), then its keys, then each field in
 * declared order, then size, attributes and reply. The layout rules (offsets, sizes, open-length last)
 * are enforced by {@link Schema}'s constructor with the same rule names, so they exist once.
 */
final class SchemaRules {

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");
    private static final Pattern ATTRIBUTE_KEY = Pattern.compile("[A-Za-z0-9_.-]{1,128}");
    private static final Set<String> SCHEMA_KEYS = Set.of("fields", "size", "attributes", "reply");
    private static final Set<String> FIELD_KEYS = Set.of("name", "dtype", "length", "shape", "unit", "offset");
    /** schema > fields > field > shape; a reply adds one level. */
    private static final int MAX_DEPTH = 5;

    private SchemaRules() {
    }

    static Schema check(ChannelKind kind, Map<String, ?> json) {
        if (json == null) {
            throw Refusals.refuse("schema.fields", null, "a schema is an object with a 'fields' array");
        }
        long[] budget = {Validator.MAX_SCHEMA_JSON_BYTES};
        measure(json, 1, budget);
        Schema schema = record(json, true);
        if (schema.reply() != null && kind != null && kind != ChannelKind.REQREP) {
            throw Refusals.refuse("schema.unknownKey", "reply", "only a reqrep channel's schema has a reply schema");
        }
        return schema;
    }

    // ---------------------------------------------------------------- depth and size, bounded

    /** Subtracts the compact JSON bytes of {@code value} from {@code budget[0]}; refuses when it runs out. */
    private static void measure(Object value, int depth, long[] budget) {
        switch (value) {
            case Map<?, ?> m -> {
                depth(depth);
                spend(budget, 1 + Math.max(1, m.size()));
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    spend(budget, jsonString(String.valueOf(e.getKey())) + 1);
                    measure(e.getValue(), depth + 1, budget);
                }
            }
            case List<?> l -> {
                depth(depth);
                spend(budget, 1 + Math.max(1, l.size()));
                for (Object o : l) {
                    measure(o, depth + 1, budget);
                }
            }
            case String s -> spend(budget, jsonString(s));
            case null -> spend(budget, 4);
            default -> spend(budget, String.valueOf(value).length());
        }
    }

    private static void depth(int depth) {
        if (depth > MAX_DEPTH) {
            throw Refusals.refuseValue("schema.depth", depth, "a schema nests at most " + MAX_DEPTH
                    + " levels (schema, fields, field, shape; a reply one more); found level");
        }
    }

    private static void spend(long[] budget, long bytes) {
        budget[0] -= bytes;
        if (budget[0] < 0) {
            throw Refusals.refuseValue("schema.tooLarge", "> " + Validator.MAX_SCHEMA_JSON_BYTES + " bytes",
                    "a schema's JSON is at most " + Validator.MAX_SCHEMA_JSON_BYTES + " bytes");
        }
    }

    /** Bytes of a string as compact JSON: quotes, escapes, UTF-8. Stops early once past the limit. */
    private static long jsonString(String s) {
        if (s.length() > Validator.MAX_SCHEMA_JSON_BYTES) {
            return s.length();
        }
        long n = 2 + s.getBytes(StandardCharsets.UTF_8).length;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            n += c == '"' || c == '\\' ? 1 : c < 0x20 ? 5 : 0;
        }
        return n;
    }

    // ---------------------------------------------------------------- structure

    private static Schema record(Map<String, ?> json, boolean top) {
        keys(json, SCHEMA_KEYS, "schema");
        if (!top && json.containsKey("reply")) {
            throw Refusals.refuse("schema.depth", "reply", "a reply schema has no reply of its own");
        }
        Object rawFields = json.get("fields");
        if (!(rawFields instanceof List<?> list) || list.isEmpty()) {
            throw Refusals.refuseValue("schema.fields", typeOf(rawFields), "'fields' is a non-empty array; found");
        }
        if (list.size() > Validator.MAX_SCHEMA_FIELDS) {
            throw Refusals.refuseValue("schema.fields", list.size(), "a schema has at most "
                    + Validator.MAX_SCHEMA_FIELDS + " fields; found");
        }
        List<Field> fields = new ArrayList<>(list.size());
        Set<String> names = new HashSet<>();
        long end = 0;
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?> m)) {
                throw Refusals.refuseValue("schema.fields", typeOf(list.get(i)), "each field is an object; field "
                        + i + " is");
            }
            @SuppressWarnings("unchecked")
            Field f = field((Map<String, ?>) m, i, end, i == list.size() - 1);
            if (!names.add(f.name())) {
                throw Refusals.refuse("schema.name", f.name(), "field names are unique in a record");
            }
            fields.add(f);
            end = Math.addExact(f.offset(), f.byteSize()); // within 2^31-1: field() checked it
        }
        Integer size = null;
        if (json.containsKey("size")) {
            long s = integer(json.get("size"), "schema.size", "size", 0, Schema.MAX_SIZE);
            size = (int) s;
        }
        Map<String, Object> attributes = attributes(json.get("attributes"), json.containsKey("attributes"));
        Schema reply = null;
        if (json.containsKey("reply")) {
            if (!(json.get("reply") instanceof Map<?, ?> r)) {
                throw Refusals.refuseValue("schema.fields", typeOf(json.get("reply")), "'reply' is a schema object; found");
            }
            @SuppressWarnings("unchecked")
            Map<String, ?> rm = (Map<String, ?>) r;
            reply = record(rm, false);
        }
        return new Schema(fields, size == null ? (int) end : size, attributes, reply);
    }

    private static Field field(Map<String, ?> m, int index, long end, boolean last) {
        keys(m, FIELD_KEYS, "field " + index);
        Object rawName = m.get("name");
        if (!(rawName instanceof String name) || !IDENTIFIER.matcher(name).matches()) {
            throw rawName instanceof String s
                    ? Refusals.refuse("schema.name", s, "a field name is an identifier [A-Za-z_][A-Za-z0-9_]*, 1-64 characters")
                    : Refusals.refuseValue("schema.name", typeOf(rawName), "field " + index + " needs a name (a string); found");
        }
        Object rawDtype = m.get("dtype");
        Dtype dtype = rawDtype instanceof String d ? Dtype.fromWireName(d).orElse(null) : null;
        if (dtype == null) {
            throw rawDtype instanceof String d
                    ? Refusals.refuse("schema.dtype", d, "the dtype of '" + name + "' is not one of u8 i8 u16 i16 u32 i32"
                    + " u64 i64 f32 f64 bool bytes utf8")
                    : Refusals.refuseValue("schema.dtype", typeOf(rawDtype), "field '" + name + "' needs a dtype (a string); found");
        }
        int length = 0;
        if (m.containsKey("length")) {
            if (!dtype.sized()) {
                throw Refusals.refuse("schema.length", name, "only bytes and utf8 fields have a length");
            }
            length = (int) integer(m.get("length"), "schema.length", "the length of '" + name + "'", 1, Field.MAX_LENGTH);
        } else if (dtype.sized() && !last) {
            throw Refusals.refuse("schema.length", name, "a bytes/utf8 field without a length (open length) must be"
                    + " the last field");
        }
        List<Integer> shape = List.of();
        if (m.containsKey("shape")) {
            if (!(m.get("shape") instanceof List<?> dims) || dims.isEmpty() || dims.size() > Field.MAX_DIMENSIONS) {
                throw Refusals.refuse("schema.shape", name, "a shape is an array of 1.." + Field.MAX_DIMENSIONS + " integers");
            }
            if (dtype.sized() && length == 0) {
                throw Refusals.refuse("schema.shape", name, "an open-length field has no shape");
            }
            List<Integer> out = new ArrayList<>(dims.size());
            for (Object d : dims) {
                out.add((int) integer(d, "schema.shape", "a dimension of '" + name + "'", 1, Integer.MAX_VALUE));
            }
            shape = out;
        }
        String unit = null;
        if (m.containsKey("unit")) {
            if (!(m.get("unit") instanceof String u) || u.isEmpty() || u.length() > Validator.MAX_SCHEMA_UNIT_LENGTH
                    || !u.chars().allMatch(c -> c >= 0x20 && c < 0x7F)) {
                throw Refusals.refuse("schema.unit", String.valueOf(m.get("unit")), "the unit of '" + name + "' is 1-"
                        + Validator.MAX_SCHEMA_UNIT_LENGTH + " printable ASCII characters");
            }
            unit = u;
        }
        long offset = end;
        if (m.containsKey("offset")) {
            offset = integer(m.get("offset"), "schema.offset", "the offset of '" + name + "'", 0, Schema.MAX_SIZE);
            if (offset < end) {
                throw Refusals.refuseValue("schema.offset", name + "@" + offset, "a field starts at or after the end of"
                        + " the previous one (" + end + "): declared order, no overlap; found");
            }
        }
        if (offset > Schema.MAX_SIZE) {
            throw Refusals.refuse("schema.size", name, "the record would end past 2^31-1 bytes");
        }
        Field f = new Field(name, dtype, length, shape, unit, (int) offset);
        long fieldEnd;
        try {
            fieldEnd = Math.addExact(offset, f.byteSize());
        } catch (ArithmeticException e) {
            fieldEnd = Long.MAX_VALUE;
        }
        if (fieldEnd > Schema.MAX_SIZE) {
            throw Refusals.refuse("schema.size", name, "the record would end past 2^31-1 bytes (element size x"
                    + " element count overflows)");
        }
        return f;
    }

    private static Map<String, Object> attributes(Object raw, boolean present) {
        if (!present) {
            return Map.of();
        }
        if (!(raw instanceof Map<?, ?> m)) {
            throw Refusals.refuseValue("schema.attributes", typeOf(raw), "'attributes' is an object; found");
        }
        if (m.size() > Validator.MAX_SCHEMA_ATTRIBUTES) {
            throw Refusals.refuseValue("schema.attributes", m.size(), "a schema has at most "
                    + Validator.MAX_SCHEMA_ATTRIBUTES + " attributes; found");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getKey() instanceof String key) || !ATTRIBUTE_KEY.matcher(key).matches()) {
                throw Refusals.refuse("schema.attributes", String.valueOf(e.getKey()),
                        "an attribute key is 1-128 characters of A-Z a-z 0-9 _ . -");
            }
            Object v = e.getValue();
            switch (v) {
                case Map<?, ?> x -> throw Refusals.refuse("schema.depth", key, "attribute values do not nest (no objects)");
                case List<?> x -> throw Refusals.refuse("schema.depth", key, "attribute values do not nest (no arrays)");
                case String s when s.length() > Validator.MAX_SCHEMA_ATTRIBUTE_VALUE_LENGTH ->
                        throw Refusals.refuse("schema.attributes", key, "an attribute string is at most "
                                + Validator.MAX_SCHEMA_ATTRIBUTE_VALUE_LENGTH + " characters");
                case String s -> out.put(key, s);
                case Boolean b -> out.put(key, b);
                case Double d when d.isNaN() || d.isInfinite() ->
                        throw Refusals.refuse("schema.attributes", key, "an attribute number is finite");
                case Float d when d.isNaN() || d.isInfinite() ->
                        throw Refusals.refuse("schema.attributes", key, "an attribute number is finite");
                case Number n when n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte
                        || n instanceof Double || n instanceof Float || n instanceof BigInteger || n instanceof BigDecimal ->
                        out.put(key, n);
                case null, default -> throw Refusals.refuseValue("schema.attributes", typeOf(v), "the attribute '"
                        + key + "' is a string, number or boolean; found");
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- values

    private static void keys(Map<String, ?> m, Set<String> allowed, String where) {
        for (Object k : m.keySet()) {
            if (!(k instanceof String s) || !allowed.contains(s)) {
                throw Refusals.refuse("schema.unknownKey", String.valueOf(k), "unknown key in " + where + " (allowed: "
                        + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
    }

    /** A JSON integer (not 1.0, not "1") in [min, max], else the rule. */
    private static long integer(Object raw, String rule, String what, long min, long max) {
        BigInteger v = switch (raw) {
            case Integer i -> BigInteger.valueOf(i);
            case Long l -> BigInteger.valueOf(l);
            case Short s -> BigInteger.valueOf(s);
            case Byte b -> BigInteger.valueOf(b);
            case BigInteger b -> b;
            case null, default -> throw Refusals.refuseValue(rule, typeOf(raw) + " " + raw, what + " is an integer; found");
        };
        if (v.compareTo(BigInteger.valueOf(min)) < 0 || v.compareTo(BigInteger.valueOf(max)) > 0) {
            throw Refusals.refuseValue(rule, v, what + " is " + min + ".." + max + "; found");
        }
        return v.longValueExact();
    }

    private static String typeOf(Object o) {
        return switch (o) {
            case null -> "null";
            case String s -> "string";
            case Boolean b -> "boolean";
            case Number n -> "number";
            case Map<?, ?> m -> "object";
            case List<?> l -> "array";
            default -> o.getClass().getSimpleName();
        };
    }

    /** Re-checks a schema built in Java (e.g. by {@link Schema#builder()}) by its JSON form. */
    static Schema check(ChannelKind kind, Schema schema) {
        if (schema == null) {
            throw Refusals.refuse("schema.fields", null, "no schema");
        }
        return check(kind, schema.toMap());
    }
}
