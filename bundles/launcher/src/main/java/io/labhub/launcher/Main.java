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
 *
 * <p>Only one runtime runs in a home ({@link HomeLock}): a second {@code bin/labhub} there, with or
 * without {@code -c}, exits with {@link #HOME_IN_USE} before it touches anything of the first. An
 * uncaught {@link Error} in any thread stops the runtime and exits with {@link #FATAL}
 * ({@link FatalErrors}); SIGTERM stops the framework cleanly (halting after
 * {@value #SHUTDOWN_LIMIT_SECONDS} s if the stop hangs).
 */
public final class Main {

    /**
     * Exit codes: 0 ok, 1 a command failed, 2 bad usage, 3 the runtime did not start or become ready,
     * 4 another runtime already runs in this home, 5 stopped by a fatal error (an uncaught Error).
     */
    static final int OK = 0, COMMAND_FAILED = 1, USAGE = 2, NOT_READY = 3, HOME_IN_USE = 4, FATAL = 5;
    /** SIGTERM (or exit) stops the framework; if that takes longer, the process is halted. */
    static final long SHUTDOWN_LIMIT_SECONDS = 30;

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
            exit status: 0 ok, 1 a command failed, 2 bad usage, 3 did not start or not ready in time,
                         4 another runtime runs in this home, 5 stopped by a fatal error (see log/labhub.log)
            """;

    public static void main(String[] args) {
        if (System.getProperty("java.util.logging.manager") == null) {
            // before anything touches JUL: keep the log open until the shutdown hook has stopped the framework
            System.setProperty("java.util.logging.manager", JulLogging.DeferredResetLogManager.class.getName());
        }
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
        HomeLock lock;
        try {
            lock = HomeLock.acquire(home); // before the log file: a refused second runtime writes nothing in HOME
        } catch (LaunchException e) {
            err.println("labhub: " + e.getMessage());
            return e instanceof HomeLock.HomeInUseException ? HOME_IN_USE : NOT_READY;
        }
        JulLogging.configure(home.resolve("log"), console, Level.INFO);
        FatalErrors fatal = FatalErrors.install();

        LabHub.Builder builder = LabHub.builder().home(home).console(commands == null).homeLock(lock);
        if (features != null) {
            builder.features(features.toArray(String[]::new));
        }
        LabHub lab;
        try {
            lab = builder.start();
        } catch (LaunchException e) {
            lock.close();
            err.println("labhub: " + e.getMessage());
            return fatal.fatal() ? FATAL : NOT_READY;
        }
        fatal.runtime(lab);
        Runtime.getRuntime().addShutdownHook(shutdownHook(lab));
        if (commands == null) {
            try {
                lab.awaitStopped();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return fatal.fatal() ? FATAL : OK;
        }
        try {
            Readiness r = lab.awaitReady(Duration.ofSeconds(timeoutSeconds));
            if (!r.ready()) {
                err.println("labhub: not ready after " + timeoutSeconds + " s: " + r);
                return NOT_READY;
            }
            List<LabHub.CommandResult> results = lab.execute(commands, out, err, Duration.ofSeconds(timeoutSeconds));
            return fatal.fatal() ? FATAL : results.stream().allMatch(LabHub.CommandResult::ok) ? OK : COMMAND_FAILED;
        } catch (LaunchException e) {
            err.println("labhub: " + e.getMessage());
            return fatal.fatal() ? FATAL : NOT_READY;
        } finally {
            lab.close();
        }
    }

    /** SIGTERM, SIGINT or System.exit: stop the framework; halt if that hangs. */
    private static Thread shutdownHook(LabHub lab) {
        return new Thread(() -> {
            Thread watchdog = new Thread(() -> {
                try {
                    Thread.sleep(SHUTDOWN_LIMIT_SECONDS * 1000); // a time limit, not a synchronisation
                } catch (InterruptedException e) {
                    return;
                }
                System.err.println("labhub: the framework did not stop within " + SHUTDOWN_LIMIT_SECONDS + " s; halting");
                Runtime.getRuntime().halt(FATAL);
            }, "labhub-shutdown-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
            lab.close();
            watchdog.interrupt();
            JulLogging.closeHandlers();
        }, "labhub-shutdown");
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException("option " + args[i - 1] + " needs a value");
        }
        return args[i];
    }
}
