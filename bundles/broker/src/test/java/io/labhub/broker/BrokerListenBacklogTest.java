package io.labhub.broker;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import io.labhub.security.CurveSecurity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.Rule;
import org.junit.Test;

/**
 * Issue 13 (benchmark: 300 concurrent CURVE handshakes to a broker, p99 1.35 s): the broker's request
 * socket listens with {@link CurveSecurity#LISTEN_BACKLOG}, not JeroMQ's default 100, so a burst of
 * clients connecting at once is not cut down by the kernel's accept queue while the I/O thread does
 * CURVE handshakes (each dropped connection then waits 1 s for a TCP retransmission). Read from the
 * kernel: {@code ss} shows a listening socket's backlog as its Send-Q. Fails before the fix (100).
 */
public class BrokerListenBacklogTest {

    @Rule
    public final TestBed bed = new TestBed();

    @Test
    public void theRequestSocketListensWithTheLargeBacklog() throws Exception {
        assumeTrue("needs Linux and iproute2's ss to read a listening socket's backlog", ssWorks());
        BrokerServer broker = bed.startBroker();
        assertEquals("broker request socket's listen backlog", CurveSecurity.LISTEN_BACKLOG, backlog(broker.endpoint()));
    }

    private static boolean ssWorks() {
        try {
            return System.getProperty("os.name").startsWith("Linux") && ss("-ltnH").exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** The Send-Q column of the listening tcp socket on the endpoint's port: its backlog. */
    private static int backlog(String endpoint) throws Exception {
        String port = endpoint.substring(endpoint.lastIndexOf(':') + 1);
        Process p = ss("-ltnH", "sport = :" + port);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        List<String> lines = out.lines().toList();
        assertEquals("one listening socket on port " + port + ": " + out, 1, lines.size());
        String[] cols = lines.get(0).trim().split("\\s+");
        assertTrue("LISTEN line: " + out, cols.length >= 4 && cols[0].equals("LISTEN"));
        return Integer.parseInt(cols[2]);
    }

    private static Process ss(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ss"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("ss did not answer in 10 s");
        }
        return p;
    }
}
