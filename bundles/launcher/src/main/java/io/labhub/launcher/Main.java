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
 * command succeeded); {@code --service} runs it unattended ({@link #runService}).
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
     * 4 another runtime already runs in this home, 5 stopped by a fatal error (an uncaught Error) or a stop
     * that hung. A stop by SIGTERM (SIGINT) that completes exits with the JVM's 143 (130), {@link #SIGTERM_EXIT}.
     */
    static final int OK = 0, COMMAND_FAILED = 1, USAGE = 2, NOT_READY = 3, HOME_IN_USE = 4, FATAL = 5;
    /** What the JVM exits with after its shutdown hooks ran for SIGTERM (128 + 15): a clean stop. */
    static final int SIGTERM_EXIT = 143;
    /** How long {@code --service} waits for readiness before it logs what is not ready (it keeps running). */
    static final long SERVICE_READY_SECONDS = 60;
    /** The line {@code --service} logs once every bundle is active and every component satisfied. */
    static final String READY_LINE = "LabHub ready";
    /** SIGTERM (or exit) stops the framework; if that takes longer, the process is halted. */
    static final long SHUTDOWN_LIMIT_SECONDS = 30;

    private Main() {
    }

    static final String USAGE_TEXT = """
            usage: labhub [options]                 run in the foreground with the Gogo console
                   labhub [options] -c 'CMD; CMD'   start, wait until ready, run the commands, stop
                   labhub [options] --service       unattended (systemd): no console (no shell feature),
                                                    stdout/stderr to log/labhub.log, stops cleanly on SIGTERM
            options:
              --home DIR          the runtime directory (default: the one bin/labhub is in)
              --features A,B      install only these features (default: all in HOME/features)
              --timeout SECONDS   how long -c waits for the runtime to be ready (default 60)
              --log-level LEVEL   console log level: SEVERE, WARNING, INFO, FINE (default INFO, -c: WARNING)
              -h, --help          this text
            exit status: 0 ok, 1 a command failed, 2 bad usage, 3 did not start or not ready in time,
                         4 another runtime runs in this home, 5 stopped by a fatal error or a stop that hung
                         (see log/labhub.log), 143 stopped cleanly by SIGTERM (130: SIGINT)
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
        boolean service = false;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "-c", "--command" -> commands = value(args, ++i);
                    case "--home" -> home = Path.of(value(args, ++i));
                    case "--features" -> features = Arrays.stream(value(args, ++i).split(",")).map(String::trim).toList();
                    case "--timeout" -> timeoutSeconds = Long.parseLong(value(args, ++i));
                    case "--log-level" -> logLevel = value(args, ++i);
                    case "--service" -> service = true;
                    case "-h", "--help" -> {
                        out.print(USAGE_TEXT);
                        return OK;
                    }
                    default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
                }
            }
            if (service && commands != null) {
                throw new IllegalArgumentException("--service and -c exclude each other");
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
        // --service: the log file is the only log (a service manager's journal gets nothing twice); whatever is
        // written to stdout/stderr after this point lands there too (StdStreamsToLog).
        JulLogging.configure(home.resolve("log"), service ? Level.OFF : console, Level.INFO);
        if (service) {
            StdStreamsToLog.install();
        }
        FatalErrors fatal = FatalErrors.install();

        // --service has no console, so no shell feature either: nobody could type into it (labhub-cli talks to the
        // broker); --features may still name it.
        LabHub.Builder builder = LabHub.builder().home(home).shell(!service).deploy(true)
                .console(commands == null && !service).homeLock(lock);
        if (features != null) {
            builder.features(features.toArray(String[]::new));
        }
        LabHub lab;
        try {
            lab = builder.start();
        } catch (LaunchException e) {
            if (service) { // the journal gets the line below; the log, which a service's operator reads, too
                java.util.logging.Logger.getLogger(Main.class.getName()).log(Level.SEVERE, "LabHub did not start", e);
            }
            lock.close();
            err.println("labhub: " + e.getMessage());
            return fatal.fatal() ? FATAL : NOT_READY;
        }
        fatal.runtime(lab);
        Runtime.getRuntime().addShutdownHook(shutdownHook(lab));
        if (service) {
            return runService(lab, fatal);
        }
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

    /**
     * {@code --service}: logs {@link #READY_LINE} once the runtime is ready (or, after
     * {@value #SERVICE_READY_SECONDS} s, what is not ready, and runs on: one broken driver does not stop a
     * service), then waits until the framework stops: by SIGTERM (the shutdown hook; the JVM then exits
     * with {@link #SIGTERM_EXIT}), by a fatal error ({@link #FATAL}) or by the framework itself (0).
     */
    private static int runService(LabHub lab, FatalErrors fatal) {
        java.util.logging.Logger log = java.util.logging.Logger.getLogger(Main.class.getName());
        long t0 = System.nanoTime();
        try {
            Readiness r = lab.awaitReady(Duration.ofSeconds(SERVICE_READY_SECONDS));
            if (r.ready()) {
                log.info(READY_LINE + " in " + Duration.ofNanos(System.nanoTime() - t0).toMillis() + " ms (pid "
                        + ProcessHandle.current().pid() + ", home " + lab.home() + ")");
            } else {
                log.warning("LabHub running but " + r);
            }
            lab.awaitStopped();
        } catch (IllegalStateException e) {
            // the framework stopped (SIGTERM) while readiness was read: nothing to report
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return fatal.fatal() ? FATAL : OK;
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
            boolean running = (lab.framework().getState() & (org.osgi.framework.Bundle.ACTIVE | org.osgi.framework.Bundle.STARTING)) != 0;
            java.util.logging.Logger log = java.util.logging.Logger.getLogger(Main.class.getName());
            long t0 = System.nanoTime();
            if (running) {
                log.info("LabHub stopping (shutdown requested)");
            }
            lab.close();
            watchdog.interrupt();
            if (running) {
                log.info("LabHub stopped in " + Duration.ofNanos(System.nanoTime() - t0).toMillis() + " ms");
            }
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
