package io.labhub.transport.zmq.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay between a consumer and its producer that can be cut like a cable: while cut it forwards
 * nothing and closes nothing (bytes already read wait, new connections are held before they reach the
 * producer), so both ends see silence, not a reset; restored, it forwards again. Needs no root (the
 * multi-host test does the same with {@code ip link set down} in network namespaces).
 */
final class CutRelay implements AutoCloseable {

    private final ServerSocket listener;
    private final InetSocketAddress upstream;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Object gate = new Object();
    private volatile boolean cut;
    private volatile boolean closed;

    /** Relays {@code 127.0.0.1:<port>} (a fresh port) to {@code upstreamEndpoint} ({@code tcp://host:port}). */
    CutRelay(String upstreamEndpoint) throws IOException {
        String hostPort = upstreamEndpoint.substring("tcp://".length());
        int colon = hostPort.lastIndexOf(':');
        upstream = new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "cut-relay-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Where the consumer should connect. */
    String endpoint() {
        return "tcp://127.0.0.1:" + listener.getLocalPort();
    }

    void cut() {
        cut = true;
    }

    void restore() {
        synchronized (gate) {
            cut = false;
            gate.notifyAll();
        }
    }

    private void awaitOpen() throws InterruptedException {
        synchronized (gate) {
            while (cut && !closed) {
                gate.wait();
            }
        }
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                sockets.add(client);
                Thread t = new Thread(() -> connect(client), "cut-relay-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void connect(Socket client) {
        try {
            awaitOpen(); // a SYN across a cut cable goes nowhere
            Socket server = new Socket();
            sockets.add(server);
            server.connect(upstream, 5000);
            pump(client, server, "up");
            pump(server, client, "down");
        } catch (IOException | InterruptedException e) {
            closeQuietly(client);
        }
    }

    private void pump(Socket from, Socket to, String direction) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[64 * 1024];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                while (!closed) {
                    awaitOpen();
                    int n = in.read(buf);
                    if (n < 0) {
                        awaitOpen(); // a close does not cross a cut cable either
                        break;
                    }
                    awaitOpen(); // read just before the cut: held, as in a cable, and delivered after
                    out.write(buf, 0, n);
                }
            } catch (IOException | InterruptedException e) {
                // one end went away
            }
            closeQuietly(from);
            closeQuietly(to);
        }, "cut-relay-" + direction);
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    @Override
    public void close() {
        closed = true;
        restore();
        try {
            listener.close();
        } catch (IOException e) {
            // nothing to do
        }
        for (Socket s : sockets) {
            closeQuietly(s);
        }
    }
}
