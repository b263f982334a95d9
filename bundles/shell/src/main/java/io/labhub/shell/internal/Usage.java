package io.labhub.shell.internal;

import io.labhub.api.InvalidInputException;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

/** The one-line usage of each LabHub command, thrown when its arguments do not fit. */
final class Usage {

    private static final Map<String, String> LINES = Map.ofEntries(
            Map.entry("hub:channels", "hub:channels"),
            Map.entry("hub:info", "hub:info NAME"),
            Map.entry("hub:tail", "hub:tail NAME [COUNT [TIMEOUT]]   e.g. hub:tail camera1.frames 5 10s"),
            Map.entry("hub:publish", "hub:publish NAME TEXT   (quote TEXT with spaces: 'set 2.5')"),
            Map.entry("hub:request", "hub:request NAME TEXT [TIMEOUT]   e.g. hub:request stage.x 'move 2.5' 10s"),
            Map.entry("hub:stats", "hub:stats [NAME]"),
            Map.entry("hub:status", "hub:status"),
            Map.entry("hub:keygen", "hub:keygen"),
            Map.entry("hub:allow", "hub:allow 'KEY'   or   hub:allow --file PATH"));

    private Usage() {
    }

    /** The usage line of {@code command} as a typed error naming the arguments given. */
    static InvalidInputException of(String command, Object[] given) {
        String args = given == null ? "" : Arrays.stream(given).map(String::valueOf).collect(Collectors.joining(" "));
        return of(command, args);
    }

    static InvalidInputException of(String command, String given) {
        String what = given.isBlank() ? "no arguments" : "arguments '" + given + "'";
        return new InvalidInputException("shell.usage", given,
                "usage: " + LINES.getOrDefault(command, command) + " (" + command + " got " + what + ")");
    }
}
