package io.labhub.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Two network namespaces joined by a veth pair, for the cases measured across a link (issue 13: "the same pub/sub
 * cases once across the veth pair"): side A's JVM runs in one ({@link #addressA}), side B's in the other, as two
 * hosts would. Needs root and iproute2; made for one run of the suite and removed after it.
 */
final class Veth implements AutoCloseable {

    final String nsA;
    final String nsB;
    final String addressA = "10.231.0.1";
    final String addressB = "10.231.0.2";

    private Veth(String tag) {
        this.nsA = "lhb-" + tag + "-a";
        this.nsB = "lhb-" + tag + "-b";
    }

    /**
     * @throws IllegalStateException when not root or iproute2 is missing, or a command fails (what it printed)
     */
    static Veth up() throws IOException, InterruptedException {
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("the veth groups need root (ip netns add); run the suite as root or leave them out");
        }
        Veth v = new Veth(Long.toString(ProcessHandle.current().pid() % 100000, 36));
        String va = "lhv" + v.nsA.substring(4, v.nsA.length() - 2) + "a";
        String vb = "lhv" + v.nsA.substring(4, v.nsA.length() - 2) + "b";
        try {
            ip("netns", "add", v.nsA);
            ip("netns", "add", v.nsB);
            ip("link", "add", va, "type", "veth", "peer", "name", vb);
            ip("link", "set", va, "netns", v.nsA);
            ip("link", "set", vb, "netns", v.nsB);
            ip("-n", v.nsA, "addr", "add", v.addressA + "/24", "dev", va);
            ip("-n", v.nsB, "addr", "add", v.addressB + "/24", "dev", vb);
            for (String[] nd : new String[][] {{v.nsA, va}, {v.nsB, vb}}) {
                ip("-n", nd[0], "link", "set", nd[1], "up");
                ip("-n", nd[0], "link", "set", "lo", "up");
            }
        } catch (IOException | RuntimeException e) {
            v.close();
            throw e;
        }
        return v;
    }

    /** The command prefix that runs a side's JVM in its namespace. */
    List<String> prefix(String side) {
        return List.of("ip", "netns", "exec", side.equals("A") ? nsA : nsB);
    }

    @Override
    public void close() {
        for (String ns : new String[] {nsA, nsB}) {
            try {
                ip("netns", "delete", ns); // takes its end of the pair with it, and so the pair
            } catch (IOException | InterruptedException | RuntimeException e) {
                System.err.println("veth: could not delete namespace " + ns + ": " + e.getMessage());
            }
        }
    }

    private static void ip(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("ip");
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("the veth groups need iproute2 (Debian: apt-get install iproute2): " + e.getMessage(), e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
    }
}
