package io.labhub.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A process of its own for a test: a JVM running a main class with the test's class path (the usual case),
 * or any command (a runtime's {@code bin/labhub}). Its output (stdout, and stderr unless
 * {@link Builder#inheritStderr()}) is read line by line on a daemon thread, kept for
 * {@link #awaitLine} and {@link #output()}, and copied to a log file when one is given.
 *
 * <p>Close it (try-with-resources or an {@code @After}) so no child outlives its test: {@link #close()}
 * kills what is still alive, with its descendants.
 *
 * <pre>{@code
 * try (ChildJvm child = ChildJvm.main(Holder.class).args(home.toString()).ready("locked ").start()) {
 *     ... child.ready() ... child.kill(); ...
 * }
 * }</pre>
 */
public final class ChildJvm implements AutoCloseable {

    /** How long {@link Builder#start()} waits for the readiness line unless told otherwise. */
    public static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    /** What every LabHub JVM gets (the root pom's labhub.jvm.flags): FFM downcalls from the unnamed module. */
    private static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";

    private final Process process;
    private final List<String> lines = new ArrayList<>(); // guarded by itself
    private final Thread reader;
    private final String name;
    private int cursor; // the next line awaitLine looks at; guarded by lines
    private volatile boolean ended;
    private String ready;

    /** A JVM that runs {@code main} with this JVM's java and class path. */
    public static Builder main(Class<?> main) {
        return new Builder(main.getName(), null);
    }

    /** Any command (for instance an unpacked runtime's {@code bin/labhub}). */
    public static Builder command(String... command) {
        return new Builder(null, List.of(command));
    }

    /** How to start a child. */
    public static final class Builder {
        private final String mainClass;
        private final List<String> command;
        private final List<String> jvmArgs = new ArrayList<>();
        private final List<String> args = new ArrayList<>();
        private String classPath = System.getProperty("java.class.path");
        private Path log;
        private Path directory;
        private boolean inheritStderr;
        private Predicate<String> readyLine;
        private String readyDescription;
        private Duration readyTimeout = READY_TIMEOUT;

        private Builder(String mainClass, List<String> command) {
            this.mainClass = mainClass;
            this.command = command;
        }

        /** JVM options before the main class ({@code -D...}, {@code -Xmx...}); the native-access flag is always there. */
        public Builder jvmArgs(String... options) {
            jvmArgs.addAll(List.of(options));
            return this;
        }

        /** Arguments after the main class (or after the command). */
        public Builder args(String... arguments) {
            args.addAll(List.of(arguments));
            return this;
        }

        /** Another class path than this JVM's. */
        public Builder classPath(String path) {
            classPath = path;
            return this;
        }

        /** The child's working directory. */
        public Builder directory(Path dir) {
            directory = dir;
            return this;
        }

        /** Also copy every output line to {@code file} (for the failure report of a long test). */
        public Builder log(Path file) {
            log = file;
            return this;
        }

        /** Leave stderr on this JVM's stderr (it shows in the test's output) instead of capturing it. */
        public Builder inheritStderr() {
            inheritStderr = true;
            return this;
        }

        /** {@link #start()} returns once the child printed a line starting with {@code prefix}. */
        public Builder ready(String prefix) {
            return ready("a line starting with '" + prefix + "'", l -> l.startsWith(prefix));
        }

        /** {@link #start()} returns once the child printed a line {@code line} accepts. */
        public Builder ready(String description, Predicate<String> line) {
            readyLine = line;
            readyDescription = description;
            return this;
        }

        public Builder readyTimeout(Duration timeout) {
            readyTimeout = timeout;
            return this;
        }

        /**
         * Starts the child and, if a readiness line was given, waits for it (the child is killed and the
         * test fails when it does not come in time or the child ends first).
         */
        public ChildJvm start() throws IOException {
            List<String> cmd = new ArrayList<>();
            if (mainClass != null) {
                cmd.add(ProcessHandle.current().info().command().orElse("java"));
                cmd.add(NATIVE_ACCESS);
                cmd.addAll(jvmArgs);
                cmd.add("-cp");
                cmd.add(classPath);
                cmd.add(mainClass);
            } else {
                cmd.addAll(command);
            }
            cmd.addAll(args);
            ProcessBuilder pb = new ProcessBuilder(cmd);
            if (directory != null) {
                pb.directory(directory.toFile());
            }
            if (inheritStderr) {
                pb.redirectError(ProcessBuilder.Redirect.INHERIT);
            } else {
                pb.redirectErrorStream(true);
            }
            ChildJvm child = new ChildJvm(pb.start(), mainClass != null ? mainClass : command.get(0), log);
            if (readyLine != null) {
                try {
                    child.ready = child.awaitLine(readyDescription, readyTimeout, readyLine);
                } catch (AssertionError | RuntimeException e) {
                    child.close();
                    throw e;
                }
            }
            return child;
        }
    }

    private ChildJvm(Process process, String name, Path log) throws IOException {
        this.process = process;
        this.name = name;
        Writer copy = log == null ? null : Files.newBufferedWriter(log, StandardCharsets.UTF_8);
        reader = new Thread(() -> read(copy), "child-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    private void read(Writer copy) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             Writer w = copy) {
            String line;
            while ((line = r.readLine()) != null) {
                if (w != null) {
                    w.write(line);
                    w.write('\n');
                    w.flush();
                }
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (IOException ignored) {
            // the child is gone (its pipe closed under us)
        } finally {
            ended = true;
            synchronized (lines) {
                lines.notifyAll();
            }
        }
    }

    public Process process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The readiness line {@link Builder#start()} waited for, or {@code null} when none was asked for. */
    public String ready() {
        return ready;
    }

    /** The child's stdin (for a child that runs until its input ends). */
    public OutputStream stdin() {
        return process.getOutputStream();
    }

    /** Every line the child printed so far. */
    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** Everything the child printed so far, one line per line. */
    public String output() {
        return String.join("\n", lines());
    }

    /** Waits for a line starting with {@code prefix} after the last line awaited; @return it. */
    public String awaitLine(String prefix, Duration timeout) {
        return awaitLine("a line starting with '" + prefix + "'", timeout, l -> l.startsWith(prefix));
    }

    /**
     * Waits for a line that {@code line} accepts, among those after the last line an earlier call returned
     * (so successive calls walk through the output in order); @return it.
     *
     * @throws AssertionError when none comes within {@code timeout} or the child's output ends first; the
     *                        message carries the child's last lines
     */
    public String awaitLine(String description, Duration timeout, Predicate<String> line) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            while (true) {
                while (cursor < lines.size()) {
                    String l = lines.get(cursor++);
                    if (line.test(l)) {
                        return l;
                    }
                }
                long left = deadline - System.nanoTime();
                if (ended || left <= 0) {
                    throw new AssertionError(name + (ended ? " ended" : " timed out after " + timeout.toMillis() + " ms")
                            + " before printing " + description + " (alive=" + process.isAlive() + "); last lines:\n  "
                            + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 20), lines.size())));
                }
                try {
                    lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted waiting for " + name + " to print " + description);
                }
            }
        }
    }

    /**
     * Waits for the child to end by itself; @return its exit code.
     *
     * @throws AssertionError when it is still running after {@code timeout} (it is killed then)
     */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                String out = output();
                kill();
                throw new AssertionError(name + " did not end within " + timeout.toMillis() + " ms; output:\n" + out);
            }
            reader.join(TimeUnit.SECONDS.toMillis(10)); // the last lines are read before we answer
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + name + " to end");
        }
    }

    /** SIGTERM, then SIGKILL if it has not ended within {@code grace}; waits until it is gone. @return the exit code */
    public int stop(Duration grace) {
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                kill();
            }
            return process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted stopping " + name);
        }
    }

    /** SIGKILL (no shutdown hooks, no goodbye), and waits until the process is really gone. */
    public void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError(name + " (pid " + process.pid() + ") did not die within 30 s of SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted killing " + name);
        }
    }

    /** Kills the child if it still runs. */
    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }

    /** Writes {@code text} to the child's stdin (and flushes). */
    public void send(String text) {
        try {
            OutputStream in = process.getOutputStream();
            in.write(text.getBytes(StandardCharsets.UTF_8));
            in.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to " + name + "'s stdin", e);
        }
    }
}
