package io.labhub.bench;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.Test;

/** The veth groups' namespaces: made, joined (a ping crosses), and gone after close. Root and iproute2 only. */
public class VethTest {

    @Test
    public void twoNamespacesAreJoinedAndRemovedAfterTheRun() throws Exception {
        assumeTrue("needs root (ip netns add)", "root".equals(System.getProperty("user.name")));
        assumeTrue("needs iproute2 (Debian: apt-get install iproute2)", run("ip", "-V").exit == 0);
        String a;
        String b;
        try (Veth v = Veth.up()) {
            a = v.nsA;
            b = v.nsB;
            String list = run("ip", "netns", "list").out;
            assertTrue(list, list.contains(a) && list.contains(b));
            String route = run("ip", "-n", b, "route", "get", v.addressA).out;
            assertTrue("B's route to A is the pair, not loopback: " + route, route.contains("dev lhv") && !route.contains("dev lo"));
            List<String> ping = new ArrayList<>(v.prefix("B"));
            ping.addAll(List.of("ping", "-c", "1", "-W", "5", v.addressA));
            Result r = run(ping.toArray(new String[0]));
            if (r.exit != 127 && !r.out.contains("exec of \"ping\" failed")) { // where ping is installed (iputils-ping)
                assertEquals("B reaches A across the pair: " + r.out, 0, r.exit);
            }
        }
        String list = run("ip", "netns", "list").out;
        assertFalse(list, list.contains(a) || list.contains(b));
    }

    private record Result(int exit, String out) {
    }

    private static Result run(String... cmd) throws Exception {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new Result(p.waitFor(), out);
        } catch (java.io.IOException e) {
            return new Result(127, "No such file: " + e.getMessage());
        }
    }
}
