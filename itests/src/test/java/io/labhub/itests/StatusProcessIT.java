package io.labhub.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/**
 * Status and logs (issue 16 item 4), in a real runtime: a broker that cannot bind its port fails its
 * component's activation; log/labhub.log says so with the reason, and hub:status at the console shows that
 * component FAILED with the same reason while the rest is ONLINE or OFFLINE.
 */
public class StatusProcessIT {

    private static boolean brokerFailed(String status) {
        return status.lines().anyMatch(l -> l.contains("BrokerComponent") && l.contains("FAILED") && l.contains("Address already in use"));
    }

    private static boolean driverOnline(String status) {
        return status.lines().anyMatch(l -> l.contains("sample-driver") && l.contains("ONLINE"));
    }

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    public void aBrokerThatCannotBindIsFailedInHubStatusAndInTheLog() throws Exception {
        Path home = It.copyRuntime("status-bind-failure");
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Files.writeString(home.resolve("conf/io.labhub.broker.cfg"),
                    "endpoint = tcp://127.0.0.1:" + port + "\neventsEndpoint = tcp://127.0.0.1:" + port + "\n");
            Files.writeString(home.resolve("conf/io.labhub.core.cfg"), "broker.endpoint = tcp://127.0.0.1:" + port + "\n");
            Path out = home.resolve("stdout.txt");
            Path log = home.resolve("log/labhub.log");
            Process p = new ProcessBuilder(home.resolve("bin/labhub").toString())
                    .redirectOutput(out.toFile()).redirectError(home.resolve("stderr.txt").toFile()).start();
            try (OutputStream stdin = p.getOutputStream()) {
                It.awaitCount(log, "component io.labhub.broker.internal.BrokerComponent of io.labhub.broker", 1, WAIT);
                String logged = Files.readString(log);
                assertTrue(logged, logged.contains("FAILED to activate") && logged.contains("Address already in use"));

                // asked again (after each answer) until the deploy/ drivers have started: OFFLINE before
                String status = "";
                for (int asked = 1; !(brokerFailed(status) && driverOnline(status)); asked++) {
                    assertTrue("hub:status asked " + asked + " times:\n" + status, asked <= 60);
                    stdin.write("hub:status\n".getBytes(StandardCharsets.UTF_8));
                    stdin.flush();
                    It.awaitCount(out, " online, ", asked, WAIT); // its summary line
                    status = Files.readString(out);
                }
            }
            assertTrue("runtime did not exit after end of input", p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue());
        }
    }
}
