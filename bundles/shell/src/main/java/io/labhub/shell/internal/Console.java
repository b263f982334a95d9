package io.labhub.shell.internal;

import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelName;
import io.labhub.api.Hub;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.felix.gogo.jline.Shell;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.CommandSessionListener;
import org.apache.felix.service.command.Descriptor;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The interactive console of {@code bin/labhub}: when the framework property {@value #CONSOLE_PROPERTY} is
 * {@code true} (the launcher's console mode), a {@link ConsoleSession} on the process's terminal, history in
 * {@code HOME/data/console.history}. Also, for every interactive Gogo session, tab completion of channel
 * names ({@link ChannelCompletion}) and the {@code exit} command.
 *
 * <p>Why not gogo.jline's own console thread: its activator builds the terminal on the framework's thread,
 * whose context class loader cannot see JLine's terminal providers, so it always gets a dumb terminal (no
 * line editing) - and where it did get a real one it would also take over Ctrl+C in {@code -c} runs. So the
 * launcher runs gogo.jline's shell thread with {@code --nointeractive} (it only reads its profile) and this
 * component opens the terminal itself.
 */
@Component(immediate = true, service = {Console.class, CommandSessionListener.class}, property = {
        "osgi.command.scope=gogo",
        "osgi.command.function=exit"})
public class Console implements CommandSessionListener {

    /** Framework property: {@code true} when this runtime's console reads the process's terminal. */
    static final String CONSOLE_PROPERTY = "labhub.console";
    /** The history file, under the runtime's home. */
    static final String HISTORY = "data/console.history";

    private static final Logger LOG = LoggerFactory.getLogger(Console.class);

    private final CommandProcessor processor;
    private final BundleContext context;
    private volatile Hub hubService;
    private volatile ConsoleSession console;
    private Thread thread;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void bindHub(Hub h) {
        hubService = h;
    }

    void unbindHub(Hub h) {
        if (hubService == h) {
            hubService = null;
        }
    }

    @Activate
    public Console(BundleContext ctx, @Reference CommandProcessor processor) {
        this.context = ctx;
        this.processor = processor;
        if (!Boolean.parseBoolean(ctx.getProperty(CONSOLE_PROPERTY))) {
            return;
        }
        Terminal terminal;
        try {
            terminal = openTerminal();
        } catch (IOException | RuntimeException e) {
            LOG.error("cannot open the console on this terminal: {}", e.toString());
            return;
        }
        String home = ctx.getProperty("labhub.home");
        Path history = Path.of(home != null ? home : ".").resolve(HISTORY);
        ConsoleSession c = new ConsoleSession(processor, terminal, new Shell.Context() {
            @Override
            public String getProperty(String name) {
                // HOME/etc/gosh_profile is for gogo.jline's non-interactive thread (see that file): the console's
                // shell looks under HOME/data, where no etc/gosh_profile is, and so reads gogo.jline's built-in one
                return "gosh.home".equals(name) ? history.getParent().toString() : ctx.getProperty(name);
            }

            @Override
            public void exit() throws BundleException {
                ctx.getBundle(0).stop(); // asynchronous in Felix: the framework stops on a thread of its own
            }
        }, history);
        console = c;
        thread = new Thread(c, "labhub-console");
        thread.start();
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        ConsoleSession c = console;
        console = null;
        if (c != null) {
            c.close();
            thread.join(TimeUnit.SECONDS.toMillis(5));
        }
    }

    /**
     * The process's terminal. JLine 3 finds its terminal providers (ffm, jni, exec) through the thread's
     * context class loader; in OSGi that is the launcher's, which does not see them (jline3 issues 1185 and
     * 2110), hence JLine's own loader here. A dumb terminal when stdin is not a terminal (a pipe, a file):
     * then nothing changes for scripts and tests that write to stdin. Ctrl+C interrupts the running command
     * (Gogo's job control) rather than the JVM: {@code exit}, Ctrl-D or SIGTERM stop the runtime.
     */
    static Terminal openTerminal() throws IOException {
        Thread t = Thread.currentThread();
        ClassLoader old = t.getContextClassLoader();
        t.setContextClassLoader(TerminalBuilder.class.getClassLoader());
        try {
            return TerminalBuilder.builder().name("labhub").system(true).nativeSignals(true)
                    .signalHandler(Terminal.SignalHandler.SIG_IGN).dumb(true).build();
        } finally {
            t.setContextClassLoader(old);
        }
    }

    @Descriptor("stop LabHub and leave the console (Ctrl-D does the same)")
    public void exit(CommandSession session) throws BundleException {
        ConsoleSession c = console;
        if (c != null && c.session() == session) {
            c.exit(); // the read loop ends after this command; the shell then stops the framework
        } else {
            context.getBundle(0).stop();
        }
    }

    private List<String> channelNames() {
        Hub h = hubService;
        if (h == null) {
            return List.of();
        }
        return h.channels().stream().map(ChannelInfo::name).map(ChannelName::value).sorted().toList();
    }

    @Override
    public void beforeExecute(CommandSession session, CharSequence commandline) {
        ChannelCompletion.addTo(session, this::channelNames);
    }

    @Override
    public void afterExecute(CommandSession session, CharSequence commandline, Exception exception) {
    }

    @Override
    public void afterExecute(CommandSession session, CharSequence commandline, Object result) {
    }
}
