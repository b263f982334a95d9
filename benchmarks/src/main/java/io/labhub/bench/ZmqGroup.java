package io.labhub.bench;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Raw JeroMQ doing what LabHub's zmq transport does, plain and with CURVE: PUB/SUB streaming and a
 * DEALER/ROUTER echo (the pattern LabHub's request/reply uses), over tcp on loopback.
 * Cases: {@code pubsub.SIZE.MODE}, {@code reqrep.MODE}, MODE = plain | curve (tcp://); and, as the plain
 * reference a user would compare the shm channel with, {@code pubsub.64.ipc} (plain, over ipc://) and
 * {@code ow.TRANSPORT} (64 B one-way latency, plain, TRANSPORT = tcp | ipc): B's DEALER sends a go carrying
 * n, A's ROUTER answers at once with n and its System.nanoTime(), B subtracts that stamp from its own
 * nanoTime() on arrival (one clock for all processes on Linux: CLOCK_MONOTONIC).
 * JeroMQ 0.6.0's ipc:// is itself tcp on loopback (a port derived from the name), so ipc and tcp differ
 * only by that; both are measured because ipc:// is what a user of one machine would pick.
 * {@code handshake.N.curve} / {@code handshake.N.backlog}: N CURVE DEALERs connect at once to a ROUTER echo
 * with JeroMQ's default listen backlog (100) / a backlog of {@value #BIG_BACKLOG}, each sends one message;
 * time to the first reply, as LabHub's broker handshake case ({@link Handshakes}).
 */
final class ZmqGroup implements Group {

    /** High-water marks: LabHub's default for small messages; bounded memory for 1 MiB ones. */
    static int hwm(int size) {
        return size >= 65536 ? 16 : 1000;
    }

    /** The listen backlog of the handshake.N.backlog case (JeroMQ's default is 100; Linux caps it at somaxconn). */
    static final int BIG_BACKLOG = 1024;

    private ZContext ctx;
    private ZMQ.Curve.KeyPair server;
    private ZMQ.Curve.KeyPair client;
    private String serverPublic;
    private volatile boolean stop;
    private Thread worker;
    /** The address side A binds (tcp): loopback, or its end of the veth pair in the veth group. */
    private String host;

    @Override
    public String init(String side, Map<String, String> params) {
        host = params.getOrDefault("host", "127.0.0.1");
        ctx = new ZContext();
        if (side.equals("A")) {
            server = ZMQ.Curve.generateKeyPair();
            return server.publicKey;
        }
        client = ZMQ.Curve.generateKeyPair();
        serverPublic = params.get("peer");
        return "-";
    }

    private void secureServer(ZMQ.Socket s, boolean curve) {
        s.setHandshakeIvl(5000);
        if (curve) {
            s.setCurveServer(true);
            s.setCurveSecretKey(ZMQ.Curve.z85Decode(server.secretKey));
        }
    }

    private void secureClient(ZMQ.Socket s, boolean curve) {
        s.setHandshakeIvl(5000);
        if (curve) {
            s.setCurvePublicKey(ZMQ.Curve.z85Decode(client.publicKey));
            s.setCurveSecretKey(ZMQ.Curve.z85Decode(client.secretKey));
            s.setCurveServerKey(ZMQ.Curve.z85Decode(serverPublic));
        }
    }

    /** Where A binds: ipc:// for the cases ending in .ipc (a name unique to this process and case), else tcp. */
    private String bindAddress(String c) {
        return c.endsWith(".ipc") ? "ipc://labhub-bench-" + ProcessHandle.current().pid() + "-" + c : "tcp://" + host + ":*";
    }

    /** Binds; an ipc:// name maps to a loopback port in JeroMQ, which may be taken: then tries other names. */
    private static void bind(ZMQ.Socket s, String address) {
        for (int i = 0; ; i++) {
            try {
                s.bind(i == 0 ? address : address + "-" + i);
                return;
            } catch (org.zeromq.ZMQException e) {
                if (!address.startsWith("ipc://") || i >= 9) {
                    throw e;
                }
            }
        }
    }

    @Override
    public String setup(String c) throws Exception {
        String[] w = c.split("\\.");
        boolean curve = w[w.length - 1].equals("curve");
        boolean stamp = w[0].equals("ow");
        String address = bindAddress(c);
        stop = false;
        CompletableFuture<String> bound = new CompletableFuture<>();
        Runnable loop;
        if (w[0].equals("handshake")) {
            // handshake.N.curve: JeroMQ's default listen backlog (100); handshake.N.backlog: setBacklog(1024).
            boolean big = w[w.length - 1].equals("backlog");
            loop = () -> {
                ZMQ.Socket router = ctx.createSocket(SocketType.ROUTER);
                try {
                    secureServer(router, true);
                    if (big) {
                        router.setBacklog(BIG_BACKLOG);
                    }
                    router.setReceiveTimeOut(100);
                    bind(router, address);
                    bound.complete(router.getLastEndpoint());
                    while (!stop) {
                        byte[] id = router.recv(0);
                        if (id != null) {
                            byte[] body = router.recv(0);
                            router.send(id, ZMQ.SNDMORE);
                            router.send(body, 0);
                        }
                    }
                } catch (Throwable t) {
                    bound.completeExceptionally(t);
                } finally {
                    ctx.destroySocket(router);
                }
            };
        } else if (w[0].equals("pubsub")) {
            int size = Integer.parseInt(w[1]);
            loop = () -> {
                ZMQ.Socket pub = ctx.createSocket(SocketType.PUB);
                try {
                    pub.setSndHWM(hwm(size));
                    secureServer(pub, curve);
                    bind(pub, address);
                    bound.complete(pub.getLastEndpoint());
                    byte[] payload = new byte[size];
                    while (!stop) {
                        pub.send(payload, 0);
                    }
                } catch (Throwable t) {
                    bound.completeExceptionally(t);
                } finally {
                    ctx.destroySocket(pub);
                }
            };
        } else {
            loop = () -> {
                ZMQ.Socket router = ctx.createSocket(SocketType.ROUTER);
                try {
                    secureServer(router, curve);
                    router.setReceiveTimeOut(100);
                    bind(router, address);
                    bound.complete(router.getLastEndpoint());
                    while (!stop) {
                        byte[] id = router.recv(0);
                        if (id == null) {
                            continue;
                        }
                        byte[] body = router.recv(0);
                        if (stamp) {
                            // One-way: answer the go at once with its n and this process's nanoTime().
                            long n = ByteBuffer.wrap(body).getLong(0);
                            body = new byte[64];
                            ByteBuffer.wrap(body).putLong(0, n).putLong(8, System.nanoTime());
                        }
                        router.send(id, ZMQ.SNDMORE);
                        router.send(body, 0);
                    }
                } catch (Throwable t) {
                    bound.completeExceptionally(t);
                } finally {
                    ctx.destroySocket(router);
                }
            };
        }
        worker = new Thread(loop, "bench-zmq-" + c);
        worker.setDaemon(true);
        worker.start();
        return bound.get(30, TimeUnit.SECONDS);
    }

    @Override
    public double[] run(String c, String endpoint) throws Exception {
        String[] w = c.split("\\.");
        boolean curve = w[w.length - 1].equals("curve");
        if (w[0].equals("handshake")) {
            int n = Integer.parseInt(w[1]);
            java.util.List<ZMQ.Curve.KeyPair> keys = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                keys.add(ZMQ.Curve.generateKeyPair());
            }
            return Handshakes.measure(keys, endpoint, serverPublic, i -> new byte[] {(byte) i}, r -> null);
        }
        if (w[0].equals("pubsub")) {
            int size = Integer.parseInt(w[1]);
            ZMQ.Socket sub = ctx.createSocket(SocketType.SUB);
            try {
                sub.setRcvHWM(hwm(size));
                secureClient(sub, curve);
                sub.subscribe(new byte[0]);
                sub.setReceiveTimeOut(1000);
                sub.connect(endpoint);
                Measure.await("first message from " + endpoint, 60_000, () -> sub.recv(0) != null);
                return Measure.rate(() -> sub.recv(0) != null ? 1 : 0, size);
            } finally {
                ctx.destroySocket(sub);
            }
        }
        ZMQ.Socket dealer = ctx.createSocket(SocketType.DEALER);
        try {
            secureClient(dealer, curve);
            dealer.setReceiveTimeOut(100);
            dealer.connect(endpoint);
            byte[] req = new byte[64];
            ByteBuffer b = ByteBuffer.wrap(req);
            // The first exchange includes the (CURVE) handshake: retry until a reply arrives.
            Measure.await("first reply from " + endpoint, 60_000, () -> {
                b.putLong(0, -1);
                dealer.send(req, 0);
                byte[] r = dealer.recv(0);
                return r != null && ByteBuffer.wrap(r).getLong(0) == -1;
            });
            dealer.setReceiveTimeOut(10_000);
            if (w[0].equals("ow")) {
                return Measure.oneWays(n -> {
                    b.putLong(0, n);
                    dealer.send(req, 0);
                    while (true) {
                        byte[] r = dealer.recv(0);
                        long now = System.nanoTime(); // same clock as A's stamp (CLOCK_MONOTONIC)
                        if (r == null) {
                            throw new IllegalStateException("no one-way message within 10 s");
                        }
                        ByteBuffer m = ByteBuffer.wrap(r);
                        if (m.getLong(0) == n) {
                            return now - m.getLong(8);
                        }
                    }
                });
            }
            return Measure.roundTrips(n -> {
                b.putLong(0, n);
                dealer.send(req, 0);
                byte[] r;
                do {
                    r = dealer.recv(0);
                    if (r == null) {
                        throw new IllegalStateException("no reply within 10 s");
                    }
                } while (ByteBuffer.wrap(r).getLong(0) != n);
            });
        } finally {
            ctx.destroySocket(dealer);
        }
    }

    @Override
    public void finish(String c) throws Exception {
        stop = true;
        if (worker != null) {
            worker.join(10_000);
            worker = null;
        }
    }

    @Override
    public void close() throws Exception {
        finish("");
        ctx.close();
    }
}
