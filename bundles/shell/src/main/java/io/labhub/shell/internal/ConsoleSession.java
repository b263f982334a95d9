package io.labhub.shell.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.felix.gogo.jline.Shell;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.jline.reader.LineReader;
import org.jline.terminal.Terminal;

/**
 * One interactive console: Gogo JLine's {@link Shell} (line editing, completion, highlighting, job
 * control) reading a JLine {@link Terminal}, with the history in a file of the runtime's home and
 * log records printed above the prompt ({@link PromptSafeLogHandler}).
 *
 * <p>Threading: {@link #run()} blocks on its own thread until end of input, {@code exit} or
 * {@link #close()}; {@link #close()} and {@link #exit()} may be called from any thread.
 */
final class ConsoleSession implements Runnable, AutoCloseable {

    private final CommandProcessor processor;
    private final Terminal terminal;
    private final Shell.Context context;
    private final Path history;
    private final Shell shell;
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile CommandSession session;

    /**
     * @param context {@code getProperty} for {@code gosh.home} (where {@code etc/gosh_profile} may override
     *                the built-in profile) and {@code exit()}, called once at end of input or on {@code exit}
     * @param history the history file (created on the first command)
     */
    ConsoleSession(CommandProcessor processor, Terminal terminal, Shell.Context context, Path history) {
        this.processor = processor;
        this.terminal = terminal;
        this.history = history;
        this.context = new Shell.Context() {
            @Override
            public String getProperty(String name) {
                return context.getProperty(name);
            }

            @Override
            public void exit() throws Exception {
                if (!closing.get()) { // closed from outside (the bundle stops): do not stop the framework too
                    context.exit();
                }
            }
        };
        this.shell = new Shell(this.context, processor);
    }

    /** The Gogo session of this console, once {@link #run()} has created it. */
    CommandSession session() {
        return session;
    }

    @Override
    public void run() {
        CommandSession s = processor.createSession(terminal.input(), terminal.output(), terminal.output());
        session = s;
        s.put(Shell.VAR_TERMINAL, terminal);
        // gosh's --nohistory only keeps it from pointing the history at ~/.gogo.history: ours is in the home
        s.put(LineReader.HISTORY_FILE, history);
        try (PromptSafeLogHandler.Installation logs = PromptSafeLogHandler.install(terminal, () -> Shell.getReader(s))) {
            // --login: this session, the profile read, and at end of input (or exit) context.exit() stops the framework
            shell.gosh(s, new String[] {"--login", "--nohistory"});
        } catch (Exception e) {
            if (!closing.get()) {
                terminal.writer().println("console: " + e);
                terminal.flush();
            }
        } finally {
            s.close();
        }
    }

    /** The {@code exit} command: ends the read loop after this command; the shell then calls {@code exit()}. */
    void exit() {
        shell.stop();
    }

    @Override
    public void close() {
        closing.set(true);
        shell.stop();
        try {
            terminal.close(); // a blocked readLine ends
        } catch (IOException e) {
            // closing anyway
        }
    }
}
