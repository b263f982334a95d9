package io.labhub.transport.zmq.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.labhub.api.ChannelKind;
import io.labhub.api.ConsumerOptions;
import io.labhub.api.ErrorCode;
import io.labhub.api.LabHubException;
import io.labhub.api.RequestClient;
import io.labhub.api.ZmqOptions;
import io.labhub.testkit.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.RuleChain;
import org.junit.rules.TemporaryFolder;

/**
 * Issue 12.5, with the default settings: "1000 queued requests to a slow handler got no reply at all".
 * Every request gets an answer: a reply, or at once a typed {@code BUSY} beyond the server's bound.
 */
public class RequestFloodTest {

    /** ZmqSettings.DEFAULT_MAX_QUEUED_REQUESTS_PER_CLIENT (ZmqSettingsTest checks they agree). */
    static final int PER_CLIENT_BOUND = 256;

    private final TemporaryFolder tmp = new TemporaryFolder();
    private final TransportFixture f = new TransportFixture(tmp);

    @Rule
    public RuleChain rules = RuleChain.outerRule(tmp).around(f);

    @Test
    public void aThousandRequestsToAStuckHandlerAreAnsweredBusyBeyondTheBoundAndTheRestRepliedLater() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        f.producerReqRep.createServer(f.registry.context("flood.slow", ChannelKind.REQREP), r -> {
            gate.await();
            return r;
        }, ZmqOptions.DEFAULTS);
        RequestClient client = f.consumerReqRep.openClient(f.registry.context("flood.slow", ChannelKind.REQREP),
                ConsumerOptions.DEFAULTS);
        List<CompletableFuture<byte[]>> all = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            all.add(client.requestAsync(new byte[] {(byte) i}, Duration.ofSeconds(25)));
        }
        // While the handler is stuck, everything beyond the bound is refused at once: no silence.
        Await.until("BUSY answers while the handler is stuck", Duration.ofSeconds(10),
                () -> all.stream().filter(CompletableFuture::isDone).count() >= 1000 - PER_CLIENT_BOUND);
        long busy = 0;
        for (CompletableFuture<byte[]> r : all) {
            if (r.isDone()) {
                LabHubException e = busyOf(r);
                assertEquals(ErrorCode.BUSY, e.code());
                busy++;
            }
        }
        gate.countDown();
        long replies = 0;
        long busyLater = 0;
        for (CompletableFuture<byte[]> r : all) {
            try {
                byte[] reply = r.get(20, TimeUnit.SECONDS);
                assertEquals(1, reply.length);
                replies++;
            } catch (java.util.concurrent.ExecutionException e) {
                assertEquals(ErrorCode.BUSY, ((LabHubException) e.getCause()).code());
                busyLater++;
            }
        }
        System.out.printf("1000 requests to a stuck handler: %d BUSY at once, %d replied after it resumed%n", busy, replies);
        assertTrue("some were admitted and replied", replies > 0);
        assertTrue("the rest were refused with BUSY", busy > 0);
        assertEquals("every request answered", 1000, replies + busyLater);
        assertEquals("no request was refused after the first burst", busy, busyLater);
    }

    private static LabHubException busyOf(CompletableFuture<byte[]> r) {
        try {
            r.join();
            throw new AssertionError("expected BUSY, got a reply while the handler is stuck");
        } catch (CompletionException e) {
            return (LabHubException) e.getCause();
        }
    }
}
