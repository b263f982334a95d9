package io.labhub.transport.zmq.internal;

/** Makes untrusted text safe to put in a log line or an exception message. */
final class Text {

    private static final int MAX = 120;

    private Text() {
    }

    /** Truncated to 120 characters, control and non-ASCII characters escaped as {@code \\uXXXX}. */
    static String printable(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX) + 8);
        for (int i = 0; i < s.length() && i < MAX; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f) {
                b.append(c);
            } else {
                b.append(String.format("\\u%04x", (int) c));
            }
        }
        if (s.length() > MAX) {
            b.append("...");
        }
        return b.toString();
    }
}
