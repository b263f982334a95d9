package io.labhub.shell.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.logging.ConsoleHandler;
import java.util.logging.ErrorManager;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jline.reader.LineReader;
import org.jline.terminal.Terminal;

/**
 * Keeps log lines off the prompt: while an interactive console runs on a real terminal, the records that
 * the root logger's console handlers wrote to stderr (under the line being typed) are printed with
 * {@link LineReader#printAbove(String)}, which redraws the prompt and the line below them. Same level and
 * format as the handler it stands in for; the file handler (log/labhub.log) is not touched.
 *
 * <p>On a dumb terminal (stdin a pipe or a file) nothing changes: logs stay on stderr, command output on
 * stdout, as scripts and tests expect.
 */
final class PromptSafeLogHandler extends Handler {

    private final Terminal terminal;
    private final Supplier<LineReader> reader;

    private PromptSafeLogHandler(Terminal terminal, Supplier<LineReader> reader, Handler replaced) {
        this.terminal = terminal;
        this.reader = reader;
        setLevel(replaced.getLevel());
        setFormatter(replaced.getFormatter());
        setFilter(replaced.getFilter());
    }

    /** What {@link #install} changed, undone by {@link #close()}. */
    interface Installation extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Replaces the root logger's {@link ConsoleHandler}s by handlers that print through the console's
     * reader (supplied lazily: Gogo creates it after this). Does nothing on a dumb terminal.
     */
    static Installation install(Terminal terminal, Supplier<LineReader> reader) {
        if (terminal.getType().startsWith(Terminal.TYPE_DUMB)) {
            return () -> { };
        }
        Logger root = Logger.getLogger("");
        List<Handler> replaced = new ArrayList<>();
        List<Handler> added = new ArrayList<>();
        for (Handler h : root.getHandlers()) {
            if (h instanceof ConsoleHandler) {
                Handler mine = new PromptSafeLogHandler(terminal, reader, h);
                root.addHandler(mine);
                root.removeHandler(h);
                replaced.add(h);
                added.add(mine);
            }
        }
        return () -> {
            added.forEach(root::removeHandler);
            replaced.forEach(root::addHandler);
        };
    }

    @Override
    public void publish(LogRecord record) {
        if (!isLoggable(record)) {
            return;
        }
        String text = getFormatter().format(record);
        if (text.endsWith(System.lineSeparator())) {
            text = text.substring(0, text.length() - System.lineSeparator().length());
        }
        LineReader r = reader.get();
        try {
            if (r != null) {
                r.printAbove(text); // prints at once when no line is being read
            } else {
                terminal.writer().println(text);
                terminal.flush();
            }
        } catch (RuntimeException e) {
            reportError("cannot print a log record on the console", e, ErrorManager.WRITE_FAILURE);
        }
    }

    @Override
    public void flush() {
        terminal.flush();
    }

    @Override
    public void close() {
        // the terminal belongs to the console
    }
}
