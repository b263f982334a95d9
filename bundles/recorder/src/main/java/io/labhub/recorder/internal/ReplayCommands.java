package io.labhub.recorder.internal;

import io.labhub.api.InvalidInputException;
import io.labhub.recorder.Replayer;
import java.nio.file.Path;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code hub:replay FILE [--channel NAME] [--as NAME] [--rate 1x|Nx|max] [--loop] [--consumers N]},
 * {@code hub:replay stop [NAME]}, {@code hub:replay status}: thin, as {@link RecordCommands}.
 */
@Component(service = ReplayCommands.class, property = {"osgi.command.scope=hub", "osgi.command.function=replay"})
public final class ReplayCommands {

    private static final String USAGE = "usage: hub:replay FILE [--channel NAME] [--as NAME] [--rate 1x|Nx|max] [--loop]"
            + " [--consumers N] | hub:replay stop [NAME] | hub:replay status";

    private final Replayer replayer;

    @Activate
    public ReplayCommands(@Reference Replayer replayer) {
        this.replayer = replayer;
    }

    public String replay(String... args) {
        if (args.length == 0) {
            throw new InvalidInputException("replay.usage", "", USAGE);
        }
        return switch (args[0]) {
            case "stop" -> {
                if (args.length > 2) {
                    throw new InvalidInputException("replay.usage", args[2], USAGE);
                }
                yield format(replayer.stop(args.length == 2 ? args[1] : null));
            }
            case "status" -> format(replayer.status());
            default -> format(replayer.start(Path.of(args[0]).toAbsolutePath(), options(args)));
        };
    }

    static Replayer.Options options(String... args) {
        Replayer.Options o = Replayer.Options.DEFAULTS;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--loop" -> o = o.withLoop(true);
                case "--channel" -> o = o.withChannel(value(args, ++i, a));
                case "--as" -> o = o.withAs(value(args, ++i, a));
                case "--rate" -> o = o.withRate(Replayer.Options.rate(value(args, ++i, a)));
                case "--consumers" -> o = o.withConsumers(count(value(args, ++i, a)));
                default -> throw new InvalidInputException("replay.usage", a, USAGE);
            }
        }
        return o;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new InvalidInputException("replay.usage", option, option + " needs a value");
        }
        return args[i];
    }

    private static int count(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new InvalidInputException("replay.consumers", text, "--consumers takes a whole number");
        }
    }

    static String format(List<Replayer.Status> replays) {
        if (replays.isEmpty()) {
            return "no replay";
        }
        StringBuilder b = new StringBuilder();
        for (Replayer.Status s : replays) {
            if (!b.isEmpty()) {
                b.append(System.lineSeparator());
            }
            b.append(s.name()).append(" <- ").append(s.channel()).append(" of ").append(s.file()).append(": ")
                    .append(s.state()).append(", ").append(s.frames()).append(" frames, pass ").append(s.passes());
            if (s.error() != null) {
                b.append(", ").append(s.error());
            }
        }
        return b.toString();
    }
}
