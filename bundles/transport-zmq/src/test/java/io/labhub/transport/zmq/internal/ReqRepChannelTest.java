package io.labhub.transport.zmq.internal;

import static io.labhub.transport.zmq.internal.TransportFixture.DEADLINE;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.labhub.api.ChannelClosedException;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelNotFoundException;
import io.labhub.api.ChannelTimeoutException;
import io.labhub.api.ConsumerOptions;
import io.labhub.api.ErrorCode;
import io.labhub.api.InvalidInputException;
import io.labhub.api.LabHubException;
import io.labhub.api.MessageTooLargeException;
import io.labhub.api.RemoteException;
import io.labhub.api.RequestClient;
import io.labhub.api.RequestHandler;
import io.labhub.api.RequestServer;
import io.labhub.api.ZmqOptions;
import io.labhub.security.CurveSecurityHandle;
import io.labhub.testkit.Await;
import io.labhub.testkit.FakeHub;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.RuleChain;
import org.junit.rules.TemporaryFolder;

/** Request server and clients over real tcp sockets with real CURVE, two key pairs, one allow-list. */
public class ReqRepChannelTest {

    private static final RequestHandler UPPER = r -> new String(r, StandardCharsets.UTF_8).toUpperCase(Locale.ROOT)
            .getBytes(StandardCharsets.UTF_8);

    private final TemporaryFolder tmp = new TemporaryFolder();
    private final TransportFixture f = new TransportFixture(tmp);

    @Rule
    public RuleChain rules = RuleChain.outerRule(tmp).around(f);

    private RequestServer server(String name, RequestHandler handler, ZmqOptions options) {
        return f.producerReqRep.createServer(f.registry.context(name, ChannelKind.REQREP), handler, options);
    }

    private RequestClient client(String name, ConsumerOptions options) {
        return f.consumerReqRep.openClient(f.registry.context(name, ChannelKind.REQREP), options);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    public void roundTripRunsTheHandlerOnAWorkerThread() {
        List<String> threads = new ArrayList<>();
        RequestServer server = server("stage.move", r -> {
            synchronized (threads) {
                threads.add(Thread.currentThread().getName());
            }
            return UPPER.handle(r);
        }, ZmqOptions.DEFAULTS);
        RequestClient client = client("stage.move", ConsumerOptions.DEFAULTS);
        assertEquals("MOVE 10", text(client.request(utf8("move 10"), DEADLINE)));
        assertEquals("HOME", text(client.request(utf8("home"), DEADLINE)));
        synchronized (threads) {
            assertEquals(2, threads.size());
            assertTrue(threads.get(0), threads.get(0).startsWith("labhub-worker-stage.move-"));
        }
        assertEquals(2, client.counters().messagesSent());
        assertEquals(2, client.counters().messagesReceived());
        assertEquals(utf8("move 10").length + utf8("home").length, client.counters().bytesSent());
        assertEquals(2, server.counters().messagesReceived());
        // the server counts a reply after handing it to its socket, so the client may see it first
        Await.until("the server counted 2 replies", DEADLINE, () -> server.counters().messagesSent() == 2);
        assertEquals(ChannelKind.REQREP, client.kind());
    }

    @Test
    public void emptyRequestsAndRepliesAreAllowed() {
        server("empty.rr", r -> r.length == 0 ? null : new byte[0], ZmqOptions.DEFAULTS);
        RequestClient client = client("empty.rr", ConsumerOptions.DEFAULTS);
        assertEquals(0, client.request(new byte[0], DEADLINE).length);
        assertEquals(0, client.request(utf8("x"), DEADLINE).length);
        assertThrows(InvalidInputException.class, () -> client.request(null, DEADLINE));
        assertThrows(InvalidInputException.class, () -> client.request(utf8("x"), Duration.ZERO));
    }

    @Test
    public void concurrentClientsEachGetTheirOwnReplies() throws Exception {
        server("echo.many", r -> r, ZmqOptions.DEFAULTS.withWorkerThreads(2));
        List<RequestClient> clients = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            clients.add(client("echo.many", ConsumerOptions.DEFAULTS));
        }
        List<CompletableFuture<Integer>> runs = new ArrayList<>();
        for (int c = 0; c < clients.size(); c++) {
            for (int t = 0; t < 3; t++) {
                RequestClient client = clients.get(c);
                String tag = "c" + c + "t" + t + "-";
                runs.add(CompletableFuture.supplyAsync(() -> {
                    int ok = 0;
                    for (int i = 0; i < 40; i++) {
                        String body = tag + i;
                        assertEquals(body, text(client.request(utf8(body), DEADLINE)));
                        ok++;
                    }
                    return ok;
                }));
            }
        }
        int total = 0;
        for (CompletableFuture<Integer> run : runs) {
            total += run.get(DEADLINE.toMillis() * 3, TimeUnit.MILLISECONDS);
        }
        assertEquals(3 * 3 * 40, total);
        CompletableFuture<?>[] async = new CompletableFuture<?>[50];
        for (int i = 0; i < async.length; i++) {
            async[i] = clients.get(0).requestAsync(utf8("a" + i), DEADLINE);
        }
        for (int i = 0; i < async.length; i++) {
            assertEquals("a" + i, text((byte[]) async[i].get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)));
        }
    }

    @Test
    public void workerThreadsHandleRequestsInParallel() {
        CyclicBarrier both = new CyclicBarrier(2);
        server("parallel", r -> {
            both.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS); // passes only if two handlers run at once
            return r;
        }, ZmqOptions.DEFAULTS.withWorkerThreads(2));
        RequestClient client = client("parallel", ConsumerOptions.DEFAULTS);
        CompletableFuture<byte[]> a = client.requestAsync(utf8("a"), DEADLINE);
        CompletableFuture<byte[]> b = client.requestAsync(utf8("b"), DEADLINE);
        assertEquals("a", text(a.join()));
        assertEquals("b", text(b.join()));
    }

    @Test
    public void handlerExceptionsComeBackTyped() {
        server("faulty", r -> {
            switch (text(r)) {
                case "state" -> throw new IllegalStateException("stage not homed");
                case "missing" -> throw new ChannelNotFoundException("no such axis");
                case "bad" -> throw new InvalidInputException("axis.range", "99", "axis 99 out of range");
                default -> throw new Exception();
            }
        }, ZmqOptions.DEFAULTS);
        RequestClient client = client("faulty", ConsumerOptions.DEFAULTS);
        RemoteException remote = assertThrows(RemoteException.class, () -> client.request(utf8("state"), DEADLINE));
        assertEquals("java.lang.IllegalStateException", remote.remoteType());
        assertEquals("stage not homed", remote.getMessage());
        assertEquals(ErrorCode.REMOTE_ERROR, remote.code());
        ChannelNotFoundException nf = assertThrows(ChannelNotFoundException.class, () -> client.request(utf8("missing"), DEADLINE));
        assertEquals("no such axis", nf.getMessage());
        InvalidInputException bad = assertThrows(InvalidInputException.class, () -> client.request(utf8("bad"), DEADLINE));
        assertEquals("axis 99 out of range", bad.getMessage());
        RemoteException plain = assertThrows(RemoteException.class, () -> client.request(utf8("other"), DEADLINE));
        assertEquals("java.lang.Exception", plain.remoteType());
        assertEquals(4, client.counters().errors());
        assertEquals(4, client.counters().messagesReceived());
    }

    @Test
    public void lateReplyToAnExpiredRequestIsDroppedAndNeverReachesAnotherCaller() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        server("slow.server", r -> {
            if (text(r).equals("slow")) {
                release.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
                return utf8("late answer");
            }
            return r;
        }, ZmqOptions.DEFAULTS.withWorkerThreads(2));
        RequestClient client = client("slow.server", ConsumerOptions.DEFAULTS);
        assertEquals("warm", text(client.request(utf8("warm"), DEADLINE)));
        long start = System.nanoTime();
        ChannelTimeoutException e = assertThrows(ChannelTimeoutException.class,
                () -> client.request(utf8("slow"), Duration.ofMillis(200)));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(200));
        assertEquals(ErrorCode.TIMEOUT, e.code());
        assertEquals(1, client.counters().timeouts());
        release.countDown();
        Await.until("the late reply arrived and was dropped", DEADLINE, () -> client.counters().dropped() == 1);
        assertEquals("next", text(client.request(utf8("next"), DEADLINE)));
    }

    @Test
    public void clientTimesOutWhileServerIsGoneAndSucceedsAfterItRestarts() {
        RequestServer first = server("restarting", UPPER, ZmqOptions.DEFAULTS);
        RequestClient client = client("restarting", ConsumerOptions.DEFAULTS);
        assertEquals("ONE", text(client.request(utf8("one"), DEADLINE)));
        first.close();

        long start = System.nanoTime();
        assertThrows(ChannelTimeoutException.class, () -> client.request(utf8("two"), Duration.ofMillis(300)));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(300));

        server("restarting", r -> utf8("second " + text(r)), ZmqOptions.DEFAULTS);
        assertEquals("second three", text(client.request(utf8("three"), DEADLINE)));
        assertEquals(1, client.counters().reconnects());
        assertTrue(client.counters().timeouts() >= 1);
    }

    @Test
    public void clientWaitsForItsServerWhenAskedTo() throws Exception {
        assertThrows(ChannelNotFoundException.class, () -> client("not.yet", ConsumerOptions.DEFAULTS));
        CompletableFuture<RequestClient> waiting = CompletableFuture.supplyAsync(
                () -> client("not.yet", ConsumerOptions.DEFAULTS.withWaitForChannel(DEADLINE)));
        server("not.yet", UPPER, ZmqOptions.DEFAULTS);
        RequestClient client = waiting.get(DEADLINE.toMillis() * 2, TimeUnit.MILLISECONDS);
        assertEquals("OK", text(client.request(utf8("ok"), DEADLINE)));
    }

    @Test
    public void oversizedRequestsAndRepliesAreRefusedOnBothEnds() {
        server("sized", r -> text(r).equals("big reply") ? new byte[2000] : r, ZmqOptions.DEFAULTS.withMaxMessageSize(1000));
        RequestClient client = client("sized", ConsumerOptions.DEFAULTS.withMaxMessageSize(1500));
        assertEquals(1000, client.request(new byte[1000], DEADLINE).length);
        MessageTooLargeException serverLimit = assertThrows(MessageTooLargeException.class,
                () -> client.request(new byte[1001], DEADLINE));
        assertTrue(serverLimit.getMessage(), serverLimit.getMessage().contains("server"));
        MessageTooLargeException reply = assertThrows(MessageTooLargeException.class,
                () -> client.request(utf8("big reply"), DEADLINE));
        assertTrue(reply.getMessage(), reply.getMessage().contains("2000"));

        RequestClient tiny = client("sized", ConsumerOptions.DEFAULTS.withMaxMessageSize(10));
        assertThrows(MessageTooLargeException.class, () -> tiny.request(new byte[11], DEADLINE));
        MessageTooLargeException forTiny = assertThrows(MessageTooLargeException.class,
                () -> tiny.request(utf8("big reply"), DEADLINE));
        assertEquals(ErrorCode.MESSAGE_TOO_LARGE, forTiny.code());
        assertEquals(10, tiny.request(utf8("abcdefghij"), DEADLINE).length);
    }

    @Test
    public void clientWithKeyOutsideTheAllowListTimesOutAndTheServerGoesOn() throws Exception {
        server("guarded.rr", UPPER, ZmqOptions.DEFAULTS);
        CurveSecurityHandle stranger = f.stranger();
        ZmqReqRepTransport strangers = new ZmqReqRepTransport(stranger, TransportFixture.SETTINGS);
        f.closeLater(strangers::close);
        RequestClient intruder = strangers.openClient(f.registry.context("guarded.rr", ChannelKind.REQREP),
                ConsumerOptions.DEFAULTS);
        assertThrows(ChannelTimeoutException.class, () -> intruder.request(utf8("let me in"), Duration.ofMillis(500)));
        Await.until("the ZAP handler refused the stranger", DEADLINE, () -> f.producerSide.refusals() >= 1);
        assertEquals(0, intruder.counters().messagesReceived());
        assertEquals(1, intruder.counters().timeouts());
        assertEquals("FRIEND", text(client("guarded.rr", ConsumerOptions.DEFAULTS).request(utf8("friend"), DEADLINE)));
    }

    @Test
    public void closingFailsPendingRequestsReleasesThePortAndTellsTheHub() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        CountDownLatch never = new CountDownLatch(1);
        FakeHub.Context serverContext = f.registry.context("closing.rr", ChannelKind.REQREP);
        RequestServer server = f.producerReqRep.createServer(serverContext, r -> {
            never.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            return r;
        }, ZmqOptions.DEFAULTS.withEndpoint("tcp://127.0.0.1:" + port));
        FakeHub.Context clientContext = f.registry.context("closing.rr", ChannelKind.REQREP);
        RequestClient client = f.consumerReqRep.openClient(clientContext, ConsumerOptions.DEFAULTS);
        CompletableFuture<byte[]> pending = client.requestAsync(utf8("hang"), DEADLINE);
        client.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> pending.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
        assertTrue(String.valueOf(e.getCause()), e.getCause() instanceof ChannelClosedException);
        assertEquals(1, clientContext.closes.get());
        assertFalse(client.isOpen());
        CompletableFuture<byte[]> after = client.requestAsync(utf8("x"), DEADLINE);
        assertTrue(after.isCompletedExceptionally());

        never.countDown();
        server.close();
        assertEquals(1, serverContext.closes.get());
        assertNull(f.registry.info("closing.rr"));
        Await.until("port " + port + " can be bound again", DEADLINE, () -> {
            try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return true;
            } catch (java.io.IOException ex) {
                return false;
            }
        });
    }

    @Test
    public void deactivatingTheTransportClosesItsChannels() {
        FakeHub.Context ctx = f.registry.context("owned", ChannelKind.REQREP);
        ZmqReqRepTransport transport = new ZmqReqRepTransport(f.producerSide, TransportFixture.SETTINGS);
        RequestServer server = transport.createServer(ctx, UPPER, ZmqOptions.DEFAULTS);
        assertTrue(server.isOpen());
        transport.close();
        assertFalse(server.isOpen());
        assertEquals(1, ctx.closes.get());
        assertNull(f.registry.info("owned"));
    }

    @Test
    public void aServerNameTakenByAnotherProducerIsRefusedAndLeavesNothingBehind() {
        server("taken", UPPER, ZmqOptions.DEFAULTS);
        LabHubException e = assertThrows(LabHubException.class, () -> server("taken", UPPER, ZmqOptions.DEFAULTS));
        assertEquals(ErrorCode.CHANNEL_EXISTS, e.code());
        assertEquals("TAKEN", text(client("taken", ConsumerOptions.DEFAULTS).request(utf8("taken"), DEADLINE)));
    }
}
