package io.labhub.launcher;

import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code bin/labhub}'s default uncaught-exception handler (JeroMQ's contexts pick it up too, see the
 * security bundle). Every uncaught throwable of any thread is logged (to {@code log/labhub.log} through
 * JUL). An uncaught {@link Error} (an {@link OutOfMemoryError}, an {@link InternalError} from a faulting
 * memory access, a {@link StackOverflowError}) leaves a runtime that may look alive with some of its
 * threads dead, so it stops the runtime: the framework is stopped (bundles deactivate, channels
 * unregister) and the process exits with {@link Main#FATAL}. If stopping hangs, the process is halted
 * after {@link #STOP_LIMIT_SECONDS} s; it never stays up half dead.
 *
 * <p>A real heap exhaustion is handled before this by the JVM option {@code -XX:+ExitOnOutOfMemoryError}
 * that {@code bin/labhub} passes: the JVM exits at once (with a line on stderr), since after an OOM even
 * the clean stop may not find the memory it needs.
 */
final class FatalErrors implements Thread.UncaughtExceptionHandler {

    /** How long a fatal stop may take before the process is halted. */
    static final long STOP_LIMIT_SECONDS = 30;

    private static final Logger LOG = Logger.getLogger(FatalErrors.class.getName());

    private volatile LabHub lab;
    private volatile boolean fatal;

    /** Installs a handler as the JVM's default one. */
    static FatalErrors install() {
        FatalErrors handler = new FatalErrors();
        Thread.setDefaultUncaughtExceptionHandler(handler);
        return handler;
    }

    /** The runtime to stop on a fatal error, once it is started. */
    void runtime(LabHub lab) {
        this.lab = lab;
    }

    /** @return whether a fatal error occurred (the process then exits with {@link Main#FATAL}) */
    boolean fatal() {
        return fatal;
    }

    @Override
    public void uncaughtException(Thread thread, Throwable error) {
        boolean stop = error instanceof Error && !fatal;
        try {
            LOG.log(Level.SEVERE, "uncaught " + error.getClass().getName() + " in thread '" + thread.getName() + "'"
                    + (error instanceof Error ? "; stopping the runtime (exit status " + Main.FATAL + ")" : ""), error);
        } catch (Throwable logFailed) {
            // e.g. no memory left to format the record: stderr at least
            System.err.println("labhub: uncaught " + error + " in thread '" + thread.getName() + "'");
        }
        if (stop) {
            stop();
        }
    }

    private synchronized void stop() {
        if (fatal) {
            return;
        }
        fatal = true;
        Thread watchdog = new Thread(() -> {
            try {
                TimeUnit.SECONDS.sleep(STOP_LIMIT_SECONDS); // a time limit, not a synchronisation
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("labhub: the runtime did not stop within " + STOP_LIMIT_SECONDS + " s after a fatal error; halting");
            Runtime.getRuntime().halt(Main.FATAL);
        }, "labhub-fatal-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        Thread stopper = new Thread(() -> {
            LabHub running = lab;
            if (running != null) {
                running.close();
            }
            System.exit(Main.FATAL);
        }, "labhub-fatal-stop");
        stopper.start();
    }
}
