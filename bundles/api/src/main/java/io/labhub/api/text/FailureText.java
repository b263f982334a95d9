package io.labhub.api.text;

/**
 * The useful part of a failure: its deepest cause. A component's activation failure, as SCR records it, is a
 * stack trace whose first lines are the reflection wrapper around what the component threw; a recorder's disk
 * error is an {@code UncheckedIOException} around the {@code IOException} that names the file. The status
 * model ({@code hub:status}), the launcher's log of failed components and the recorder show this one line.
 *
 * @since 1.1
 */
public final class FailureText {

    private FailureText() {
    }

    /**
     * @param trace a printed stack trace (its first line, then {@code Caused by: } lines), or {@code null}
     * @return the last {@code Caused by:} line's text, else the first line, stripped; {@code null} when blank
     */
    public static String deepestCause(String trace) {
        if (trace == null || trace.isBlank()) {
            return null;
        }
        String reason = trace.lines().findFirst().orElse(trace).strip();
        for (String line : trace.lines().toList()) {
            String l = line.strip();
            if (l.startsWith("Caused by: ")) {
                reason = l.substring("Caused by: ".length()).strip();
            }
        }
        return reason;
    }

    /** @return the innermost cause of {@code e} (itself without one), safe against a cause cycle */
    public static Throwable deepest(Throwable e) {
        Throwable deepest = e;
        java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        while (deepest.getCause() != null && seen.add(deepest)) {
            deepest = deepest.getCause();
        }
        return deepest;
    }
}
