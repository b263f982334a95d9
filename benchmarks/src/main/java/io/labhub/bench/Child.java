package io.labhub.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A measuring JVM: {@code Child GROUP SIDE key=value...}. Reads commands on stdin ({@code setup CASE},
 * {@code run CASE ARG}, {@code finish CASE}, {@code quit}) and answers each with one line starting with
 * {@code @@} on stdout ({@code @@ok [text]}, {@code @@result n...}, {@code @@error text}). Anything else
 * on stdout/stderr is log for the orchestrator's log files.
 */
public final class Child {

    private Child() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        // Everything else the libraries print goes to the log (stderr), never into the protocol.
        System.setOut(System.err);
        Map<String, String> params = new HashMap<>();
        for (int i = 2; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            params.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        Group group = Group.named(args[0]);
        try {
            String ready = group.init(args[1], params);
            out.println("@@ok " + (ready == null ? "" : ready));
        } catch (Throwable t) {
            t.printStackTrace();
            out.println("@@error init: " + oneLine(t));
            System.exit(2);
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] w = line.trim().split(" ", 3);
            try {
                switch (w[0]) {
                    case "setup" -> out.println("@@ok " + group.setup(w[1]));
                    case "run" -> {
                        double[] r = group.run(w[1], w.length > 2 ? w[2] : "");
                        StringBuilder sb = new StringBuilder("@@result");
                        for (double d : r) {
                            sb.append(' ').append(d);
                        }
                        out.println(sb);
                    }
                    case "finish" -> {
                        group.finish(w[1]);
                        out.println("@@ok");
                    }
                    case "quit" -> {
                        group.close();
                        out.println("@@ok");
                        out.flush();
                        System.exit(0);
                    }
                    default -> out.println("@@error unknown command " + line);
                }
            } catch (Throwable t) {
                t.printStackTrace();
                out.println("@@error " + w[0] + " " + (w.length > 1 ? w[1] : "") + ": " + oneLine(t));
            }
        }
        group.close();
        System.exit(0);
    }

    static String oneLine(Throwable t) {
        return String.valueOf(t).replace('\n', ' ');
    }
}
