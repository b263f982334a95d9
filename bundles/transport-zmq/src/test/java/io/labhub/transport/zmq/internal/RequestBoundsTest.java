package io.labhub.transport.zmq.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.RuleChain;
import org.junit.rules.TemporaryFolder;

/**
 * Issue 12.5: request/reply memory is bounded by configured request and byte bounds, on the server (in
 * total and per client connection) and on the client (in flight); beyond them a typed {@code BUSY}, at
 * once. Queued bytes are read from the server's own counters, not guessed from the heap.
 */
public class RequestBoundsTest {

    private static final int MIB = 1 << 20;

    private final TemporaryFolder tmp = new TemporaryFolder();
    private final TransportFixture f = new TransportFixture(tmp);

    @Rule
    public RuleChain rules = RuleChain.outerRule(tmp).around(f);

    private static ErrorCode codeOf(CompletableFuture<byte[]> r) throws Exception {
        try {
            r.get(20, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof LabHubException le) {
                return le.code();
            }
            throw e;
        }
    }

    @Test
    public void smallAndOneMebibyteRequestsFloodingAStuckHandlerStayWithinTheServersByteAndRequestBounds() throws Exception {
        long perClientBytes = 3L * MIB;
        int perClientRequests = 30;
        ZmqReqRepTransport servers = new ZmqReqRepTransport(f.producerSide,
                TransportFixture.SETTINGS.withBounds(40, 4L * MIB, perClientRequests, perClientBytes, 0, 0));
        f.closeLater(servers::close);
        ZmqReqRepTransport clients = new ZmqReqRepTransport(f.consumerSide,
                TransportFixture.SETTINGS.withBounds(0, 0, 0, 0, 5000, 512L * MIB));
        f.closeLater(clients::close);
        CountDownLatch gate = new CountDownLatch(1);
        ZmqRequestServer server = (ZmqRequestServer) servers.createServer(f.registry.context("bounds.slow", ChannelKind.REQREP),
                r -> {
                    gate.await();
                    return new byte[] {(byte) (r.length >> 20)};
                }, ZmqOptions.DEFAULTS.withMaxMessageSize(2 * MIB).withWorkerThreads(2));
        RequestClient client = clients.openClient(f.registry.context("bounds.slow", ChannelKind.REQREP),
                ConsumerOptions.DEFAULTS.withMaxMessageSize(2 * MIB));

        List<CompletableFuture<byte[]>> all = new ArrayList<>();
        int big = 0;
        for (int i = 0; i < 1000; i++) {
            all.add(client.requestAsync(new byte[16], Duration.ofSeconds(25)));
            if (i % 10 == 0) { // 100 requests of 1 MiB among 1000 small ones
                all.add(client.requestAsync(new byte[MIB], Duration.ofSeconds(25)));
                big++;
            }
        }
        int total = all.size();
        Await.until("every request beyond the bounds answered BUSY while the handler is stuck", Duration.ofSeconds(20),
                () -> all.stream().filter(CompletableFuture::isDone).count() + server.queuedRequests() == total
                        && server.queuedRequests() > 0);
        assertTrue("requests queued: " + server.peakQueuedRequests(), server.peakQueuedRequests() <= perClientRequests);
        assertTrue("bytes queued: " + server.peakQueuedBytes(), server.peakQueuedBytes() <= perClientBytes);
        long busyAtOnce = all.stream().filter(CompletableFuture::isDone).count();
        assertEquals(busyAtOnce, server.busyRefusals());

        gate.countDown();
        int replies = 0;
        int busy = 0;
        int bigReplies = 0;
        for (CompletableFuture<byte[]> r : all) {
            ErrorCode code = codeOf(r);
            if (code == null) {
                replies++;
                bigReplies += r.get()[0];
            } else {
                assertEquals(ErrorCode.BUSY, code);
                busy++;
            }
        }
        System.out.printf("%d requests (%d of 1 MiB) to a stuck handler: %d replied, %d BUSY; server peak %d requests,"
                + " %d bytes queued%n", total, big, replies, busy, server.peakQueuedRequests(), server.peakQueuedBytes());
        assertEquals("none lost, none unanswered", total, replies + busy);
        assertTrue(replies > 0);
        assertTrue("some 1 MiB requests were refused", big - bigReplies > 0);
        assertEquals("nothing left queued", 0, server.queuedBytes());
        // and the server still serves once it is free again
        assertEquals(1, client.request(new byte[MIB], Duration.ofSeconds(10))[0]);
    }

    @Test
    public void theClientBoundsItsOwnRequestsInFlightWithBusy() throws Exception {
        ZmqReqRepTransport clients = new ZmqReqRepTransport(f.consumerSide,
                TransportFixture.SETTINGS.withBounds(0, 0, 0, 0, 3, 2L * MIB));
        f.closeLater(clients::close);
        CountDownLatch gate = new CountDownLatch(1);
        f.producerReqRep.createServer(f.registry.context("bounds.client", ChannelKind.REQREP), r -> {
            gate.await();
            return r;
        }, ZmqOptions.DEFAULTS.withWorkerThreads(4));
        ZmqRequestClient client = (ZmqRequestClient) clients.openClient(
                f.registry.context("bounds.client", ChannelKind.REQREP), ConsumerOptions.DEFAULTS);
        List<CompletableFuture<byte[]>> admitted = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            admitted.add(client.requestAsync(new byte[10], Duration.ofSeconds(20)));
        }
        CompletableFuture<byte[]> fourth = client.requestAsync(new byte[10], Duration.ofSeconds(20));
        assertTrue("refused at once", fourth.isDone());
        assertEquals(ErrorCode.BUSY, codeOf(fourth));
        assertEquals(1, client.busyRefusals());
        gate.countDown();
        for (CompletableFuture<byte[]> r : admitted) {
            assertEquals(10, r.get(10, TimeUnit.SECONDS).length);
        }
        // bytes: one request of 1.5 MiB is admitted alone, a second one would exceed 2 MiB in flight
        CountDownLatch gate2 = new CountDownLatch(1);
        f.producerReqRep.createServer(f.registry.context("bounds.bytes", ChannelKind.REQREP), r -> {
            gate2.await();
            return new byte[0];
        }, ZmqOptions.DEFAULTS);
        ZmqRequestClient bytes = (ZmqRequestClient) clients.openClient(
                f.registry.context("bounds.bytes", ChannelKind.REQREP), ConsumerOptions.DEFAULTS);
        CompletableFuture<byte[]> first = bytes.requestAsync(new byte[3 * MIB / 2], Duration.ofSeconds(20));
        CompletableFuture<byte[]> second = bytes.requestAsync(new byte[3 * MIB / 2], Duration.ofSeconds(20));
        assertEquals(ErrorCode.BUSY, codeOf(second));
        assertFalse(first.isDone());
        gate2.countDown();
        assertEquals(0, first.get(10, TimeUnit.SECONDS).length);
        assertEquals("capacity is given back when requests complete", 0,
                bytes.request(new byte[3 * MIB / 2], Duration.ofSeconds(10)).length);
    }

    @Test
    public void aCallerWaitingForEachReplyIsNeverRefusedForTheOneItHasFinished() {
        ZmqReqRepTransport clients = new ZmqReqRepTransport(f.consumerSide,
                TransportFixture.SETTINGS.withBounds(0, 0, 0, 0, 1, 0));
        f.closeLater(clients::close);
        f.producerReqRep.createServer(f.registry.context("bounds.one", ChannelKind.REQREP), r -> r, ZmqOptions.DEFAULTS);
        ZmqRequestClient client = (ZmqRequestClient) clients.openClient(
                f.registry.context("bounds.one", ChannelKind.REQREP), ConsumerOptions.DEFAULTS);
        for (int i = 0; i < 200; i++) {
            assertEquals(1, client.request(new byte[] {(byte) i}, Duration.ofSeconds(10)).length);
        }
        assertEquals(0, client.busyRefusals());
    }
}
