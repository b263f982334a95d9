package io.labhub.shell.internal;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.felix.gogo.jline.Shell;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.jline.builtins.Completers.CompletionData;
import org.jline.reader.ParsedLine;

/**
 * Tab completion of channel names for the {@code hub:*} commands that take one as their first argument.
 * Gogo JLine completes from the session's {@code .completions} map (what {@code complete -c} fills in the
 * profile); this adds entries to it whose argument is a session function returning the Hub's channel
 * names, so completion lists what {@code hub:channels} would, at the moment Tab is pressed.
 */
final class ChannelCompletion {

    /** The session function the completions call (a leading {@code __} keeps it out of command completion). */
    static final String FUNCTION = "__labhub_channels";

    /** Commands whose first argument is a channel name, with the description completion shows. */
    private static final Map<String, String> COMMANDS = Map.of(
            "hub:info", "show one channel",
            "hub:tail", "print the next messages or frames of a channel",
            "hub:stats", "a channel's producer counters",
            "hub:request", "send a request to a reqrep channel",
            "hub:publish", "publish text on a pubsub channel");

    private ChannelCompletion() {
    }

    /**
     * Adds the completions to an interactive session (one that has Gogo JLine's completion map), once.
     *
     * @param names the channel names now; called on Tab, from the console's thread
     */
    @SuppressWarnings("unchecked")
    static void addTo(CommandSession session, Supplier<List<String>> names) {
        if (!(session.get(Shell.VAR_COMPLETIONS) instanceof Map<?, ?> raw)) {
            return; // not an interactive JLine session (bin/labhub -c, a script)
        }
        Map<String, List<CompletionData>> completions = (Map<String, List<CompletionData>>) raw;
        if (completions.containsKey("hub:tail")) {
            return;
        }
        session.put(FUNCTION, (Function) (s, arguments) -> firstArgument(s) ? names.get() : List.of());
        COMMANDS.forEach((command, description) -> completions.put(command, List.of(
                new CompletionData(null, description, null, null),
                new CompletionData(null, null, FUNCTION, null))));
    }

    private static boolean firstArgument(CommandSession s) {
        return s.get(Shell.VAR_COMMAND_LINE) instanceof ParsedLine line && line.wordIndex() == 1;
    }
}
