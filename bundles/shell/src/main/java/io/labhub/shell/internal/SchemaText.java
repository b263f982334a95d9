package io.labhub.shell.internal;

import io.labhub.api.InvalidInputException;
import io.labhub.api.schema.Dtype;
import io.labhub.api.schema.Field;
import io.labhub.api.schema.Schema;
import io.labhub.api.text.SafeText;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * How the shell shows a channel's schema (docs/schemas.md): its rows in {@code hub:info}, and each
 * message of a schema'd channel in {@code hub:tail} as a JSON object of its fields. A message that
 * breaks the schema's payload rule is shown as such, never thrown.
 */
final class SchemaText {

    private SchemaText() {
    }

    /** Adds the schema's rows ({@code schema.hash}, {@code schema.size}, one per field, attributes) to an info table. */
    static void infoRows(Schema s, List<String[]> rows) {
        if (s == null) {
            rows.add(new String[] {"schema", "none (untyped bytes)"});
            return;
        }
        rows.add(new String[] {"schema.hash", s.hash()});
        rows.add(new String[] {"schema.size", s.size() + (s.open() ? " bytes or more (open-length last field)" : " bytes")});
        for (Field f : s.fields()) {
            rows.add(new String[] {"schema.field." + f.name(), describe(f)});
        }
        s.attributes().forEach((k, v) -> rows.add(new String[] {"schema.attribute." + k, SafeText.display(String.valueOf(v))}));
        if (s.reply() != null) {
            rows.add(new String[] {"schema.reply.hash", s.reply().hash()});
            for (Field f : s.reply().fields()) {
                rows.add(new String[] {"schema.reply.field." + f.name(), describe(f)});
            }
        }
    }

    /** {@code u16[1024,1024] unit=counts offset=32 size=2097152}. */
    static String describe(Field f) {
        StringBuilder b = new StringBuilder(f.dtype().wireName());
        if (f.dtype().sized()) {
            b.append(f.open() ? "* (open length)" : "*" + f.length());
        }
        if (!f.shape().isEmpty()) {
            b.append(f.shape().toString().replace(" ", ""));
        }
        if (f.unit() != null) {
            b.append(" unit=").append(f.unit());
        }
        b.append(" offset=").append(f.offset());
        if (!f.open()) {
            b.append(" size=").append(f.byteSize());
        }
        return b.toString();
    }

    /**
     * A pubsub message as {@code hub:tail} prints it: without a schema, or with one open {@code utf8}
     * field (a text channel), as text ({@link Format#payload}); otherwise its fields as JSON.
     */
    static String message(Schema s, byte[] payload) {
        if (s == null || isText(s)) {
            return Format.payload(payload);
        }
        return fields(s, MemorySegment.ofArray(payload));
    }

    /** What follows a shm frame's summary: its fields as JSON, or nothing without a schema. */
    static String frame(Schema s, MemorySegment slot) {
        return s == null || isText(s) ? "" : " " + fields(s, slot);
    }

    private static boolean isText(Schema s) {
        return s.fields().size() == 1 && s.fields().getFirst().open() && s.fields().getFirst().dtype() == Dtype.UTF8;
    }

    private static String fields(Schema s, MemorySegment message) {
        try {
            return s.view(message).toJson(); // control characters escaped by the JSON writer
        } catch (InvalidInputException e) {
            return message.byteSize() + " bytes, not a message of the channel's schema (" + e.rule() + ", "
                    + (s.open() ? "at least " : "") + s.size() + " bytes expected)";
        }
    }
}
