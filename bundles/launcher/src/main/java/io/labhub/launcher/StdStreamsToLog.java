package io.labhub.launcher;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code bin/labhub --service}: {@link System#out} and {@link System#err} become the log, one record per
 * line (logger {@code stdout} at INFO, {@code stderr} at WARNING), so that a stray {@code println} or a
 * stack trace that a library prints lands in {@code log/labhub.log} with a time stamp instead of in a
 * journal nobody reads. What the JVM itself writes to file descriptor 2 (the
 * {@code -XX:+ExitOnOutOfMemoryError} line, a crash report) does not pass through these streams and still
 * reaches the service manager.
 *
 * <p>The JUL handlers were created before this (JulLogging), so the console handler, if any, keeps the
 * real stderr and nothing loops back into the log.
 */
final class StdStreamsToLog extends OutputStream {

    private final Logger logger;
    private final Level level;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256); // guarded by this

    private StdStreamsToLog(String name, Level level) {
        this.logger = Logger.getLogger(name);
        this.level = level;
    }

    /** Replaces {@link System#out} and {@link System#err}. */
    static void install() {
        System.setOut(new PrintStream(new StdStreamsToLog("stdout", Level.INFO), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new StdStreamsToLog("stderr", Level.WARNING), true, StandardCharsets.UTF_8));
    }

    @Override
    public synchronized void write(int b) {
        if (b == '\n') {
            emit();
        } else {
            line.write(b);
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            write(b[i]);
        }
    }

    /** A partial line stays until its newline: PrintStream flushes after every println, not every print. */
    @Override
    public void flush() {
    }

    @Override
    public synchronized void close() {
        if (line.size() > 0) {
            emit();
        }
    }

    private void emit() {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (text.endsWith("\r")) {
            text = text.substring(0, text.length() - 1);
        }
        logger.log(level, text);
    }
}
