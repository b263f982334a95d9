package io.labhub.shell.internal;

import io.labhub.api.InvalidInputException;
import io.labhub.api.text.DurationText;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Text helpers of the shell: argument parsing with clear errors, aligned tables, short keys. */
final class Format {

    private Format() {
    }

    /** A key shortened for tables: its first 8 characters (the full key is in hub:info / broker:clients). */
    static String shortKey(String key) {
        if (key == null || key.isEmpty()) {
            return "-";
        }
        return key.length() <= 8 ? key : key.substring(0, 8) + "..";
    }

    /**
     * A key as Gogo reads it back: Z85 has {@code $ [ ] { }} (which Gogo parses) but no quote, so in single
     * quotes it pastes as one literal argument ({@code hub:allow 'KEY'}); {@code -} when there is none.
     */
    static String key(String key) {
        return key == null || key.isEmpty() ? "-" : "'" + key + "'";
    }

    /**
     * A positive count given on the command line.
     *
     * @throws InvalidInputException when it is not a whole number from 1 to {@code max}
     */
    static int count(String what, String text, int max) {
        try {
            int n = Integer.parseInt(text.trim());
            if (n >= 1 && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through to the one message below
        }
        throw new InvalidInputException("shell." + what, text, what + " must be a whole number from 1 to " + max + ", not '" + text + "'");
    }

    /**
     * A positive duration ({@link DurationText}: {@code 500ms}, {@code 5s} or a bare number of milliseconds, at most an hour).
     *
     * @throws InvalidInputException when it is not one of those forms, or not positive, or over an hour
     */
    static Duration duration(String what, String text) {
        return DurationText.positive(what, text);
    }

    /** Messages per second, or {@code -} when not measured. */
    static String rate(double perSecond) {
        if (Double.isNaN(perSecond)) {
            return "-";
        }
        return String.format(Locale.ROOT, perSecond >= 100 ? "%.0f/s" : "%.1f/s", perSecond);
    }

    /** Payload as text when it is printable UTF-8, otherwise its size and first bytes in hex. */
    static String payload(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        boolean printable = text.chars().allMatch(c -> c >= 0x20 && c != 0x7f && c != 0xfffd || c == '\t');
        if (printable && text.length() <= 400) {
            return text;
        }
        StringBuilder sb = new StringBuilder(bytes.length + " bytes:");
        for (int i = 0; i < Math.min(16, bytes.length); i++) {
            sb.append(String.format(Locale.ROOT, " %02x", bytes[i]));
        }
        return sb.append(bytes.length > 16 ? " .." : "").toString();
    }

    static String time(long epochNanos) {
        return Instant.ofEpochSecond(0, epochNanos).toString();
    }

    /** Left-aligned columns separated by two spaces; the first row is the header. */
    static String table(List<String[]> rows) {
        if (rows.isEmpty()) {
            return "";
        }
        int cols = rows.get(0).length;
        int[] width = new int[cols];
        for (String[] r : rows) {
            for (int i = 0; i < cols; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        List<String> lines = new ArrayList<>();
        for (String[] r : rows) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < cols; i++) {
                sb.append(r[i]);
                if (i < cols - 1) {
                    sb.append(" ".repeat(width[i] - r[i].length() + 2));
                }
            }
            lines.add(sb.toString().stripTrailing());
        }
        return String.join(System.lineSeparator(), lines);
    }
}
