package io.labhub.broker.client;

import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelName;
import io.labhub.api.ChannelState;
import io.labhub.broker.TestBed;
import io.labhub.security.CurveSecurityHandle;
import org.junit.Rule;
import org.junit.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;

import static io.labhub.broker.TestBed.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/**
 * Issue 12, finding 6: a client refused once (its key not yet in the broker's allow-list) gets in within
 * seconds of the key being added to the allow-list file. ZeroMQ never retries a refused CURVE handshake,
 * so the client has to recreate its socket.
 */
public class BrokerClientAdmissionTest {

    /** Allow-list poll (0.5 s) + the client's longest re-admission back-off (2 s) + handshake, with margin. */
    private static final Duration ADMITTED_WITHIN = Duration.ofSeconds(6);

    @Rule
    public final TestBed bed = new TestBed();

    @Test
    public void clientRefusedAtStartGetsInOnceItsKeyIsAllowed() throws Exception {
        bed.startBroker();
        CurveSecurityHandle stranger = bed.newStrangerSecurity();
        long refusalsBefore = bed.brokerSecurity().refusals();
        BrokerClient client = bed.closeLater(BrokerClient.start(new BrokerClientConfig(bed.endpoint(),
                bed.brokerSecurity().publicKey(), BrokerClientConfig.DEFAULT_HEARTBEAT_INTERVAL,
                BrokerClientConfig.DEFAULT_REQUEST_TIMEOUT), stranger));
        client.register(new ChannelInfo(new ChannelName("late.admitted"), ChannelKind.PUBSUB, null,
                "tcp://127.0.0.1:40100", "S".repeat(40), Map.of(), 0, ChannelState.ACTIVE));

        await("the broker refused the unknown key", Duration.ofSeconds(10),
                () -> bed.brokerSecurity().refusals() > refusalsBefore);
        // The operator takes a while (a deliberate pause, not a synchronisation): the back-off has grown by then.
        Thread.sleep(3000);
        assertFalse(client.status().connected());

        // What hub:allow does on the broker's runtime: one line appended to the allow-list file.
        long allowedAt = System.nanoTime();
        Files.writeString(bed.brokerSecurity().allowListFile(), stranger.publicKey() + "\n",
                StandardCharsets.US_ASCII, StandardOpenOption.APPEND);
        await("registered after the allow-list reload", ADMITTED_WITHIN,
                () -> bed.broker().channels().stream().anyMatch(c -> c.name().value().equals("late.admitted")));
        System.out.printf("admission: registered %d ms after the key was written to the allow-list%n",
                (System.nanoTime() - allowedAt) / 1_000_000);
        assertTrue(client.status().connected());
        assertEquals(stranger.publicKey(), bed.broker().channels().get(0).producer());
    }
}
