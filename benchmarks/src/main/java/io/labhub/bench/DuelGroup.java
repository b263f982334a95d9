package io.labhub.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LabHub's shm against Aeron IPC and the cache-line ping-pong floor, interleaved in one pair of JVMs (issue 14).
 *
 * <p>The suite measures every other group in a pair of JVMs of its own, and this machine changes speed level from
 * one process launch to the next, so a ratio between two groups can compare two levels. Here one pair of JVMs runs
 * all three ({@link PhysGroup}, {@link AeronGroup}, {@link LabHubGroup}, each as in its own group) and the cases
 * take turns: case {@code R.GROUP.CASE} is round {@code R} of {@code GROUP}'s {@code CASE}, and each round runs
 * its cases in the opposite order of the one before (ABBA), so each LabHub figure has an Aeron and a floor figure
 * measured next to it, at the same level.
 */
final class DuelGroup implements Group {

    static final int ROUNDS = 3;
    /**
     * One round: the floor; Aeron's round trip and rate with concurrent publications and with exclusive ones; LabHub's
     * with default producers and with lean ones, single writers without commit timestamps (the like-for-like pairs:
     * concurrent / default, exclusive / lean).
     */
    private static final List<String> ROUND = List.of("phys.pingpong", "aeron.rtt", "labhub.shm.rtt.spin",
            "aeron.rtt.excl", "labhub.shm.rtt.spin.lean", "aeron.rate", "labhub.shm.rate", "aeron.rate.excl",
            "labhub.shm.rate.lean");
    /** Separates the three groups' peer texts (a path, a directory and a Z85 key: none holds this character). */
    private static final String SEPARATOR = "|";

    private final Map<String, Group> groups = new LinkedHashMap<>();

    DuelGroup() {
        groups.put("phys", new PhysGroup());
        groups.put("aeron", new AeronGroup());
        groups.put("labhub", new LabHubGroup());
    }

    /** The cases of the group, in running order. */
    static List<String> cases() {
        List<String> all = new ArrayList<>();
        for (int r = 1; r <= ROUNDS; r++) {
            List<String> round = new ArrayList<>(ROUND);
            if (r % 2 == 0) {
                java.util.Collections.reverse(round);
            }
            for (String c : round) {
                all.add(r + "." + c);
            }
        }
        return List.copyOf(all);
    }

    @Override
    public String init(String side, Map<String, String> params) throws Exception {
        String[] peers = side.equals("B") ? params.get("peer").split("\\" + SEPARATOR, -1) : null;
        if (peers != null && peers.length != groups.size()) {
            throw new IllegalArgumentException("expected " + groups.size() + " peer texts, got " + params.get("peer"));
        }
        List<String> ready = new ArrayList<>();
        int i = 0;
        for (Group g : groups.values()) {
            Map<String, String> own = new HashMap<>(params);
            if (peers != null) {
                own.put("peer", peers[i]);
            }
            String r = g.init(side, own);
            if (r != null && r.contains(SEPARATOR)) {
                throw new IllegalStateException("peer text holds " + SEPARATOR + ": " + r);
            }
            ready.add(r == null ? "" : r);
            i++;
        }
        return String.join(SEPARATOR, ready);
    }

    /** {@code R.GROUP.CASE}: the group and its case. */
    private Map.Entry<Group, String> of(String c) {
        int a = c.indexOf('.');
        int b = c.indexOf('.', a + 1);
        Group g = a < 0 || b < 0 ? null : groups.get(c.substring(a + 1, b));
        if (g == null) {
            throw new IllegalArgumentException("unknown case " + c + " (ROUND.GROUP.CASE, GROUP one of " + groups.keySet() + ")");
        }
        return Map.entry(g, c.substring(b + 1));
    }

    @Override
    public String setup(String c) throws Exception {
        Map.Entry<Group, String> e = of(c);
        return e.getKey().setup(e.getValue());
    }

    @Override
    public double[] run(String c, String arg) throws Exception {
        Map.Entry<Group, String> e = of(c);
        return e.getKey().run(e.getValue(), arg);
    }

    @Override
    public void finish(String c) throws Exception {
        Map.Entry<Group, String> e = of(c);
        e.getKey().finish(e.getValue());
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        for (Group g : groups.values()) {
            try {
                g.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
