package io.labhub.launcher;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.logging.ConsoleHandler;
import java.util.logging.FileHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The runtime's log setup. Bundles log through SLF4J; its provider in the runtime is slf4j-jdk14, so
 * everything ends in java.util.logging, which this class points at the console (stderr, so that
 * command output on stdout stays clean) and at {@code log/labhub.log}. JUL was chosen over a logging
 * framework bundle because it is already in the JDK: one moving part fewer.
 */
public final class JulLogging {

    private JulLogging() {
    }

    /**
     * The JDK's LogManager closes every handler in its own shutdown hook, which races bin/labhub's hook
     * that stops the framework: whatever the bundles log while stopping after SIGTERM would be lost.
     * This manager (installed by {@link Main} through {@code java.util.logging.manager} before anything
     * logs) ignores that early reset; {@link #closeHandlers()} closes them once the framework has stopped.
     */
    public static final class DeferredResetLogManager extends LogManager {
        @Override
        public void reset() {
            // deferred: see closeHandlers()
        }

        void resetNow() {
            super.reset();
        }
    }

    /** Closes the handlers now when {@link DeferredResetLogManager} deferred the JDK's shutdown reset. */
    static void closeHandlers() {
        if (LogManager.getLogManager() instanceof DeferredResetLogManager m) {
            m.resetNow();
        }
    }

    /** One line per record: time, level, logger, message, then the stack trace if any. */
    static final class LineFormatter extends Formatter {
        private static final DateTimeFormatter TIME =
                DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

        @Override
        public String format(LogRecord r) {
            StringBuilder b = new StringBuilder(160);
            b.append(TIME.format(Instant.ofEpochMilli(r.getMillis()))).append(' ')
                    .append(String.format("%-7s", r.getLevel().getName())).append(" [")
                    .append(r.getLoggerName()).append("] ").append(formatMessage(r)).append(System.lineSeparator());
            if (r.getThrown() != null) {
                StringWriter w = new StringWriter();
                r.getThrown().printStackTrace(new PrintWriter(w));
                b.append(w);
            }
            return b.toString();
        }
    }

    /**
     * Sends JUL (and so SLF4J) to stderr at {@code consoleLevel} and to {@code logDir/labhub.log} at
     * {@code fileLevel}, replacing the root logger's handlers.
     */
    public static void configure(Path logDir, Level consoleLevel, Level fileLevel) {
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
            h.close();
        }
        Formatter formatter = new LineFormatter();
        ConsoleHandler console = new ConsoleHandler();
        console.setFormatter(formatter);
        console.setLevel(consoleLevel);
        root.addHandler(console);
        if (logDir != null) {
            try {
                Files.createDirectories(logDir);
                FileHandler file = new FileHandler(logDir.resolve("labhub.log").toString(), 0, 1, true);
                file.setFormatter(formatter);
                file.setLevel(fileLevel);
                root.addHandler(file);
            } catch (IOException e) {
                root.warning("cannot write log file in " + logDir + ": " + e.getMessage());
            }
        }
        root.setLevel(consoleLevel.intValue() < fileLevel.intValue() ? consoleLevel : fileLevel);
        // gogo.jline's activator always builds a terminal of its own, which LabHub never reads (the shell bundle's
        // Console opens the console's), and JLine warns that it is a dumb one: not worth a line at every start.
        JLINE.setLevel(Level.SEVERE);
        // jhdf (the recorder's HDF5 writer) logs every group, dataset and attribute it writes at INFO: hundreds of
        // lines per file; and at WARNING "Writing files is in alpha" at every export and "After reading message
        // (AttributeMessage) buffer still has N bytes remaining" for each attribute of its own files it reads back
        // (six lines at every hub:replay of a recording). The recorder logs the run and reports what fails as
        // typed errors itself, so only jhdf's SEVERE lines reach the console.
        JHDF.setLevel(Level.SEVERE);
    }

    /** Held so that its level stays set (JUL keeps loggers weakly). */
    private static final Logger JLINE = Logger.getLogger("org.jline");
    private static final Logger JHDF = Logger.getLogger("io.jhdf");
}
