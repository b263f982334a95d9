package io.labhub.launcher;

import java.util.List;

/**
 * Whether the framework is fully up: every bundle active (fragments resolved), every jar in the
 * deploy directory installed, and every enabled Declarative Services component satisfied.
 *
 * @param problems one human-readable line per thing that is not ready
 */
public record Readiness(List<String> problems) {

    public Readiness {
        problems = List.copyOf(problems);
    }

    public boolean ready() {
        return problems.isEmpty();
    }

    @Override
    public String toString() {
        return ready() ? "ready" : "not ready:\n  " + String.join("\n  ", problems);
    }
}
