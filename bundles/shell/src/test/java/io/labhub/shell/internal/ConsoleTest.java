package io.labhub.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.labhub.testkit.Await;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.ConsoleHandler;
import java.util.logging.Logger;
import org.apache.felix.gogo.jline.Shell;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.CommandSessionListener;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.ExternalTerminal;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The console (issue 16 item 2) driven through a JLine terminal with scripted key strokes: Gogo JLine's
 * shell over a real Gogo runtime, with fake hub:* commands that record their calls.
 */
public class ConsoleTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Rule
    public final TemporaryFolder folder = new TemporaryFolder();

    private final ThreadIOImpl threadIO = new ThreadIOImpl();
    private CommandProcessorImpl processor;
    private final AtomicInteger channelsCalls = new AtomicInteger();
    private final List<String> tailed = new CopyOnWriteArrayList<>();
    private final AtomicInteger exits = new AtomicInteger();
    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();
    private PipedOutputStream keys;
    private Terminal terminal;
    private ConsoleSession console;
    private Thread thread;
    private Path home;

    /** Stand-ins for the hub:* commands. */
    public final class FakeHubCommands {
        public String channels() {
            channelsCalls.incrementAndGet();
            return "channels listed";
        }

        public String tail(String name) {
            tailed.add(name);
            return "tailing " + name;
        }
    }

    /** The console's exit command, as Console has it for its own session. */
    public final class ExitCommand {
        public void exit(CommandSession session) {
            console.exit();
        }
    }

    @Before
    public void setUp() throws IOException {
        threadIO.start();
        processor = new CommandProcessorImpl(threadIO);
        processor.addCommand("hub", new FakeHubCommands());
        processor.addCommand("gogo", new ExitCommand());
        processor.addListener(new CommandSessionListener() {
            @Override
            public void beforeExecute(CommandSession session, CharSequence commandline) {
                ChannelCompletion.addTo(session, () -> List.of("camera1.frames", "lab.thermometer"));
            }

            @Override
            public void afterExecute(CommandSession session, CharSequence commandline, Exception exception) {
            }

            @Override
            public void afterExecute(CommandSession session, CharSequence commandline, Object result) {
            }
        });
        home = folder.newFolder("home").toPath();
        Files.createDirectories(home.resolve("etc"));
        // a small profile in place of gogo.jline's (which expects a BundleContext)
        Files.writeString(home.resolve("etc/gosh_profile"), "SCOPE = 'gogo:*'\nprompt = 'g! '\n");
    }

    private void start(String type) throws IOException {
        keys = new PipedOutputStream();
        PipedInputStream in = new PipedInputStream(keys, 4096);
        // a terminal in Java alone (JLine's line discipline, no pty): what a user's terminal sends, it reads
        terminal = new ExternalTerminal("console-test", type, in, synchronizedScreen(), StandardCharsets.UTF_8);
        terminal.setSize(new Size(120, 40));
        console = new ConsoleSession(processor, terminal, new Shell.Context() {
            @Override
            public String getProperty(String name) {
                return "gosh.home".equals(name) ? home.toString() : System.getProperty(name);
            }

            @Override
            public void exit() {
                exits.incrementAndGet();
            }
        }, home.resolve(Console.HISTORY));
        thread = new Thread(console, "console-test");
        thread.start();
        Await.until("the prompt", WAIT, () -> screen().contains("g! "));
    }

    private java.io.OutputStream synchronizedScreen() {
        return new java.io.OutputStream() {
            @Override
            public void write(int b) {
                synchronized (screen) {
                    screen.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (screen) {
                    screen.write(b, off, len);
                }
            }
        };
    }

    private String screen() {
        synchronized (screen) {
            return screen.toString(StandardCharsets.UTF_8);
        }
    }

    private void type(String text) throws IOException {
        keys.write(text.getBytes(StandardCharsets.UTF_8));
        keys.flush();
    }

    @After
    public void tearDown() throws Exception {
        if (console != null) {
            console.close();
            thread.join(5_000);
        }
        threadIO.stop();
    }

    @Test
    public void theUpArrowRecallsTheLastCommandAndTheHistoryIsKeptInTheHome() throws Exception {
        start("xterm");
        type("hub:channels\r");
        Await.until("hub:channels ran", WAIT, () -> channelsCalls.get() == 1);
        type("\u001bOA\r"); // the up arrow as an xterm sends it (keypad transmit mode, which JLine sets), Enter
        Await.until("hub:channels ran again from the history", WAIT, () -> channelsCalls.get() == 2);
        Path history = home.resolve(Console.HISTORY);
        Await.until("the history file", WAIT, () -> Files.exists(history) && Files.readString(history).contains("hub:channels"));
    }

    @Test
    public void tabCompletesAChannelName() throws Exception {
        start("xterm");
        type("hub:tail cam\t");
        Await.until("the name completed on the line", WAIT, () -> screen().contains("camera1.frames"));
        type("\r");
        Await.until("hub:tail ran", WAIT, () -> !tailed.isEmpty());
        assertEquals(List.of("camera1.frames"), tailed);
    }

    @Test
    public void exitEndsTheConsoleAndStopsTheRuntime() throws Exception {
        start("xterm");
        type("exit\r");
        Await.until("the console thread ended", WAIT, () -> !thread.isAlive());
        assertEquals(1, exits.get());
    }

    @Test
    public void onADumbTerminalCommandsRunAndEndOfInputStopsTheRuntime() throws Exception {
        start(Terminal.TYPE_DUMB);
        type("hub:channels\n");
        Await.until("hub:channels ran", WAIT, () -> channelsCalls.get() == 1);
        Await.until("its answer", WAIT, () -> screen().contains("channels listed"));
        keys.close(); // end of input
        Await.until("the console thread ended", WAIT, () -> !thread.isAlive());
        assertEquals(1, exits.get());
    }

    @Test
    public void logRecordsGoThroughTheReaderOnARealTerminalOnly() throws Exception {
        Logger root = Logger.getLogger("");
        ConsoleHandler stderr = new ConsoleHandler();
        root.addHandler(stderr);
        try {
            start("xterm");
            Await.until("the log handler replaced", WAIT, () -> !List.of(root.getHandlers()).contains(stderr));
            Logger.getLogger("console-test").warning("a driver said something");
            Await.until("the record on the console", WAIT, () -> screen().contains("a driver said something"));
            console.close();
            thread.join(5_000);
            assertTrue("the stderr handler is back", List.of(root.getHandlers()).contains(stderr));
        } finally {
            root.removeHandler(stderr);
        }
        assertFalse(thread.isAlive());
    }
}
