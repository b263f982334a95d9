package io.labhub.cli;

import java.io.PrintStream;
import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * {@code bin/labhub-cli}: a client of a running hub (docs/cli.md). A plain main on the runtime's own bundle
 * jars; no framework is started. Prints its answer on stdout; a failure is one line on stderr,
 * {@code labhub-cli: CODE: message}, and the exit status of {@link CliException}.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        System.out.flush();
        System.err.flush();
        // Everything was closed; System.exit (not halt) so that the JVM writes the CDS archive bin/labhub-cli asks for.
        System.exit(status);
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (CliException e) {
            err.println(e.line() + " (labhub-cli --help)");
            return e.exit();
        }
        if (options.help) {
            out.print(Options.USAGE);
            return CliException.OK;
        }
        logging(options.verbose);
        try (Commands commands = new Commands(options, out)) {
            commands.run();
            out.flush();
            return CliException.OK;
        } catch (RuntimeException e) {
            CliException c = CliException.from(e);
            if (options.verbose) {
                e.printStackTrace(err);
            }
            out.flush();
            err.println(c.line());
            return c.exit();
        }
    }

    /**
     * The libraries log through SLF4J to java.util.logging (slf4j-jdk14, as in the runtime). A command's output is
     * its answer and its one error line, so their logs are off unless {@code -v}.
     */
    private static void logging(boolean verbose) {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        if (verbose) {
            Handler h = new ConsoleHandler();
            h.setLevel(Level.INFO);
            root.addHandler(h);
            root.setLevel(Level.INFO);
        } else {
            root.setLevel(Level.OFF);
        }
    }
}
