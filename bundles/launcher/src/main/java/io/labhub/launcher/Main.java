package io.labhub.launcher;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Level;

/**
 * {@code bin/labhub}: with no argument, runs LabHub in the foreground with the Gogo console;
 * {@code -c 'CMD1; CMD2'} starts it, waits until every bundle is active and every component satisfied,
 * runs the commands, prints their output, stops and exits (0 when everything started and every
 * command succeeded).
 */
public final class Main {

    /** Exit codes: 0 ok, 1 a command failed, 2 bad usage, 3 the runtime did not start or become ready. */
    static final int OK = 0, COMMAND_FAILED = 1, USAGE = 2, NOT_READY = 3;

    private Main() {
    }

    static final String USAGE_TEXT = """
            usage: labhub [options]                 run in the foreground with the Gogo console
                   labhub [options] -c 'CMD; CMD'   start, wait until ready, run the commands, stop
            options:
              --home DIR          the runtime directory (default: the one bin/labhub is in)
              --features A,B      install only these features (default: all in HOME/features)
              --timeout SECONDS   how long -c waits for the runtime to be ready (default 60)
              --log-level LEVEL   console log level: SEVERE, WARNING, INFO, FINE (default INFO, -c: WARNING)
              -h, --help          this text
            exit status: 0 ok, 1 a command failed, 2 bad usage, 3 did not start or not ready in time
            """;

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        String commands = null;
        Path home = Path.of(System.getProperty("labhub.home", "."));
        List<String> features = null;
        long timeoutSeconds = 60;
        String logLevel = null;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "-c", "--command" -> commands = value(args, ++i);
                    case "--home" -> home = Path.of(value(args, ++i));
                    case "--features" -> features = Arrays.stream(value(args, ++i).split(",")).map(String::trim).toList();
                    case "--timeout" -> timeoutSeconds = Long.parseLong(value(args, ++i));
                    case "--log-level" -> logLevel = value(args, ++i);
                    case "-h", "--help" -> {
                        out.print(USAGE_TEXT);
                        return OK;
                    }
                    default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
                }
            }
        } catch (IllegalArgumentException e) {
            err.println("labhub: " + e.getMessage());
            err.print(USAGE_TEXT);
            return USAGE;
        }
        home = home.toAbsolutePath().normalize();
        System.setProperty("labhub.home", home.toString());
        Level console;
        try {
            console = Level.parse(logLevel != null ? logLevel : commands != null ? "WARNING" : "INFO");
        } catch (IllegalArgumentException e) {
            err.println("labhub: bad --log-level '" + logLevel + "'");
            return USAGE;
        }
        JulLogging.configure(home.resolve("log"), console, Level.INFO);

        LabHub.Builder builder = LabHub.builder().home(home).console(commands == null);
        if (features != null) {
            builder.features(features.toArray(String[]::new));
        }
        LabHub lab;
        try {
            lab = builder.start();
        } catch (LaunchException e) {
            err.println("labhub: " + e.getMessage());
            return NOT_READY;
        }
        if (commands == null) {
            Thread hook = new Thread(lab::close, "labhub-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                lab.awaitStopped();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return OK;
        }
        try {
            Readiness r = lab.awaitReady(Duration.ofSeconds(timeoutSeconds));
            if (!r.ready()) {
                err.println("labhub: not ready after " + timeoutSeconds + " s: " + r);
                return NOT_READY;
            }
            List<LabHub.CommandResult> results = lab.execute(commands, out, err, Duration.ofSeconds(timeoutSeconds));
            return results.stream().allMatch(LabHub.CommandResult::ok) ? OK : COMMAND_FAILED;
        } catch (LaunchException e) {
            err.println("labhub: " + e.getMessage());
            return NOT_READY;
        } finally {
            lab.close();
        }
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException("option " + args[i - 1] + " needs a value");
        }
        return args[i];
    }
}
