package io.labhub.api.schema;

import java.util.List;
import java.util.Map;

/**
 * Compact JSON text of plain values (maps, lists, strings, numbers, booleans, null), for the schema's JSON
 * form and a record's fields; the API has no JSON library and needs only this much of one.
 */
final class Json {

    private Json() {
    }

    static String write(Object value) {
        StringBuilder b = new StringBuilder(256);
        write(b, value);
        return b.toString();
    }

    static void write(StringBuilder b, Object value) {
        switch (value) {
            case null -> b.append("null");
            case String s -> string(b, s);
            case Boolean v -> b.append(v);
            case Double d when d.isNaN() || d.isInfinite() -> string(b, d.toString());
            case Float f when f.isNaN() || f.isInfinite() -> string(b, f.toString());
            case Number n -> b.append(n);
            case Map<?, ?> m -> {
                b.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    b.append(first ? "" : ",");
                    first = false;
                    string(b, String.valueOf(e.getKey()));
                    b.append(':');
                    write(b, e.getValue());
                }
                b.append('}');
            }
            case List<?> l -> {
                b.append('[');
                for (int i = 0; i < l.size(); i++) {
                    b.append(i == 0 ? "" : ",");
                    write(b, l.get(i));
                }
                b.append(']');
            }
            default -> string(b, value.toString());
        }
    }

    static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
