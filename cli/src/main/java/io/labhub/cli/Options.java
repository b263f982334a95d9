package io.labhub.cli;

import io.labhub.api.InvalidInputException;
import io.labhub.api.text.DurationText;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The command line: one verb, its arguments, and options that may stand anywhere ({@code --name value} or
 * {@code --name=value}); {@code --} ends the options (a payload that starts with a dash).
 */
final class Options {

    static final String USAGE = """
            usage: labhub-cli [OPTIONS] VERB [ARGS]
              channels                  every channel the broker knows: name, kind, producer, consumers, state
              info NAME                 one channel: kind, state, producer key, endpoint, server key, metadata
              tail NAME [N]             the next N (default 10) messages of a pubsub channel, frames of a shm channel
              stats [NAME]              producer counters read twice 500 ms apart (shm on this host; zmq: remote)
              request NAME PAYLOAD      send PAYLOAD (UTF-8) to a reqrep channel, print the reply
              publish NAME PAYLOAD...   offer pubsub channel NAME and publish each PAYLOAD (--repeat, --interval)
              status [--node N]         each runtime's bundles and components ONLINE/OFFLINE/FAILED (hub.status.*)
              key                       this client's public key, as the line to paste into the hub's console
              allow [KEY | --file F]    add KEY (default: this client's key) to the hub's allow-list file (on its host)
            options:
              --home DIR                the runtime whose broker to use (default: the distribution of this command)
              --broker tcp://HOST:PORT  the broker's request endpoint (default: from HOME/conf)
              --broker-key KEY          the broker's CURVE public key, Z85 (default: HOME/conf/keys/labhub.pub)
              --keys DIR                this client's key pair (default: $LABHUB_CLI_KEYS or ~/.config/labhub/cli)
              --json                    machine-readable output (tail: one JSON object per line)
              --node N                  status: only the runtime that serves hub.status.N
              --timeout T               tail/request/status deadline (default 10s / 5s / 5s); T is 500ms, 5s or milliseconds
              --connect-timeout T       how long to wait for the broker's answer (default 5s)
              --repeat N, --interval T  publish: send the payloads N times (default 1), T apart (default 100ms)
              -v, --verbose             log what the libraries log (stderr)
              -h, --help                this text
            exit status: 0 ok, 1 the command failed (status: a component or bundle is FAILED), 2 bad usage, 3 the hub's broker cannot be reached,
                         4 the broker does not admit this client's key (the error line says what to paste)
            """;

    static final Set<String> VERBS = Set.of("channels", "info", "tail", "stats", "request", "publish", "status", "key",
            "keygen", "allow", "help");

    Path home;
    String broker;
    String brokerKey;
    Path keys;
    boolean json;
    boolean verbose;
    boolean help;
    Duration timeout;
    Duration connectTimeout = Duration.ofSeconds(5);
    int repeat = 1;
    Duration interval = Duration.ofMillis(100);
    Path file;
    String node;
    String verb;
    final List<String> args = new ArrayList<>();

    static Options parse(String[] argv) {
        Options o = new Options();
        boolean optionsEnded = false;
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (optionsEnded || !a.startsWith("-") || a.equals("-")) {
                if (o.verb == null) {
                    o.verb = a;
                } else {
                    o.args.add(a);
                }
                continue;
            }
            if (a.equals("--")) {
                optionsEnded = true;
                continue;
            }
            String name = a;
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            switch (name) {
                case "--json" -> o.json = true;
                case "-v", "--verbose" -> o.verbose = true;
                case "-h", "--help" -> o.help = true;
                default -> {
                    if (value == null) {
                        if (i + 1 >= argv.length) {
                            throw CliException.usage("option " + name + " needs a value");
                        }
                        value = argv[++i];
                    }
                    o.set(name, value);
                }
            }
        }
        if (o.help || "help".equals(o.verb)) {
            o.help = true;
            return o;
        }
        if (o.verb == null) {
            throw CliException.usage("no verb given");
        }
        if (!VERBS.contains(o.verb)) {
            throw CliException.usage("unknown verb '" + CliException.safe(o.verb) + "'");
        }
        o.checkArity();
        return o;
    }

    private void set(String name, String value) {
        switch (name) {
            case "--home" -> home = Path.of(value);
            case "--broker" -> broker = value;
            case "--broker-key" -> brokerKey = value.strip();
            case "--keys" -> keys = Path.of(value);
            case "--timeout" -> timeout = duration(name, value);
            case "--connect-timeout" -> connectTimeout = duration(name, value);
            case "--repeat" -> repeat = count(name, value, 1_000_000);
            case "--interval" -> interval = durationOrZero(name, value);
            case "--file" -> file = Path.of(value);
            case "--node" -> node = value.strip();
            default -> throw CliException.usage("unknown option '" + CliException.safe(name) + "'");
        }
    }

    private void checkArity() {
        int n = args.size();
        boolean ok = switch (verb) {
            case "channels", "key", "keygen", "status" -> n == 0;
            case "info" -> n == 1;
            case "tail" -> n == 1 || n == 2;
            case "stats" -> n <= 1;
            case "request" -> n == 2;
            case "publish" -> n >= 2;
            case "allow" -> file == null ? n <= 1 : n == 0;
            default -> true;
        };
        if (!ok) {
            throw CliException.usage(verb + " takes " + switch (verb) {
                case "info" -> "one channel name";
                case "tail" -> "a channel name and an optional count";
                case "stats" -> "at most one channel name";
                case "request" -> "a channel name and one payload (quote it)";
                case "publish" -> "a channel name and at least one payload";
                case "allow" -> "one key, or --file FILE, or nothing (this client's own key)";
                default -> "no arguments";
            } + ", not " + n + " argument(s)");
        }
    }

    /** The tail count: 1 to 100000, like hub:tail. */
    int tailCount() {
        return args.size() < 2 ? 10 : count("N", args.get(1), 100_000);
    }

    static int count(String what, String text, int max) {
        try {
            int n = Integer.parseInt(text.strip());
            if (n >= 1 && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // the one message below
        }
        throw CliException.usage(what + " must be a whole number from 1 to " + max + ", not '" + CliException.safe(text) + "'");
    }

    static Duration duration(String what, String text) {
        try {
            return DurationText.positive(what, text);
        } catch (InvalidInputException e) {
            throw CliException.usage(e.getMessage());
        }
    }

    private static Duration durationOrZero(String what, String text) {
        try {
            return DurationText.parse(what, text);
        } catch (InvalidInputException e) {
            throw CliException.usage(e.getMessage());
        }
    }
}
