package io.labhub.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.labhub.api.ChannelInfo;
import io.labhub.api.InvalidInputException;
import io.labhub.api.schema.Dtype;
import io.labhub.api.schema.Schema;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/** How the verbs show things: tables, payloads, keys, times, a schema'd message's fields; one JSON mapper. */
final class Format {

    static final ObjectMapper JSON = new ObjectMapper();

    private Format() {
    }

    /**
     * Whether messages of {@code c} are shown by their fields: it has a schema (docs/schemas.md) that is not
     * a text channel's single open {@code utf8} field (shown as text, as {@code hub:tail} does).
     */
    static boolean typed(ChannelInfo c) {
        Schema s = c.schema();
        return s != null && !(s.fields().size() == 1 && s.fields().getFirst().open()
                && s.fields().getFirst().dtype() == Dtype.UTF8);
    }

    /**
     * A message's fields as JSON ({@code RecordView.toJson}: arrays of at most 16 elements, larger ones as a
     * summary such as {@code "u16[1024,1024]"}), or, for a message that breaks the schema's payload rule, an
     * object saying so: shown, never thrown.
     */
    static JsonNode fields(Schema s, MemorySegment message) {
        try {
            return JSON.readTree(s.view(message).toJson());
        } catch (InvalidInputException e) {
            ObjectNode bad = JsonNodeFactory.instance.objectNode();
            bad.put("error", e.rule());
            bad.put("message", message.byteSize() + " bytes, not a message of the channel's schema ("
                    + (s.open() ? "at least " : "") + s.size() + " bytes expected)");
            return bad;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String fieldsText(Schema s, MemorySegment message) {
        return compact(fields(s, message));
    }

    static String compact(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Text when the payload is printable UTF-8, else base64 (JSON output). */
    static void payload(ObjectNode o, byte[] bytes) {
        o.put("size", bytes.length);
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (printable(text) && java.util.Arrays.equals(text.getBytes(StandardCharsets.UTF_8), bytes)) {
            o.put("text", text);
        } else {
            o.put("base64", Base64.getEncoder().encodeToString(bytes));
        }
    }

    /** Payload as text when it is printable UTF-8, otherwise its size and first bytes in hex (as hub:tail). */
    static String payloadText(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (printable(text) && text.length() <= 400) {
            return text;
        }
        StringBuilder sb = new StringBuilder(bytes.length + " bytes:");
        for (int i = 0; i < Math.min(16, bytes.length); i++) {
            sb.append(String.format(Locale.ROOT, " %02x", bytes[i]));
        }
        return sb.append(bytes.length > 16 ? " .." : "").toString();
    }

    static boolean printable(String text) {
        return text.chars().allMatch(c -> c >= 0x20 && c != 0x7f && c != 0xfffd || c == '\t');
    }

    static String time(long epochNanos) {
        return Instant.ofEpochSecond(0, epochNanos).toString();
    }

    static String rate(double perSecond) {
        return String.format(Locale.ROOT, perSecond >= 100 ? "%.0f/s" : "%.1f/s", perSecond);
    }

    static String stateNote(ChannelInfo c) {
        return c.state() == io.labhub.api.ChannelState.ACTIVE ? "" : "; channel " + c.state().wireName();
    }

    static String text(JsonNode n, String field) {
        return CliException.safe(n.path(field).asText("-"));
    }

    /** A key as it pastes into Gogo and sh alike: in single quotes (Z85 has {@code $ [ ] { }}, never a quote). */
    static String quoted(String key) {
        return key == null || key.isEmpty() ? "-" : "'" + key + "'";
    }

    static String dash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }

    /** A key shortened for tables: its first 8 characters (the full key is in {@code info}). */
    static String shortKey(String key) {
        return key == null || key.isEmpty() ? "-" : key.length() <= 8 ? key : key.substring(0, 8) + "..";
    }

    /** Left-aligned columns separated by two spaces; the first row is the header. */
    static String table(List<String[]> rows) {
        int cols = rows.get(0).length;
        int[] width = new int[cols];
        for (String[] r : rows) {
            for (int i = 0; i < cols; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < cols; i++) {
                line.append(r[i]);
                if (i < cols - 1) {
                    line.append(" ".repeat(width[i] - r[i].length() + 2));
                }
            }
            if (!sb.isEmpty()) {
                sb.append(System.lineSeparator());
            }
            sb.append(line.toString().stripTrailing());
        }
        return sb.toString();
    }
}
