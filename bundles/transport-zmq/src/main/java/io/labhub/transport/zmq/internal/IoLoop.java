package io.labhub.transport.zmq.internal;

import io.labhub.api.ChannelClosedException;
import io.labhub.api.LabHubException;
import io.labhub.api.ErrorCode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The one thread that owns a channel's ZeroMQ sockets (ZeroMQ sockets are not thread-safe).
 *
 * <p>Other threads hand it work with {@link #execute}: the task goes into a lock-free queue and, if the
 * loop may be asleep in {@code poll}, one byte into a {@link Pipe} whose source end is polled together
 * with the sockets. That wakes the loop in microseconds without a second ZeroMQ socket shared between
 * threads (Aeron's conductor and JeroMQ's own reactors do the same).
 *
 * <p>Each pass: poll (sockets whose {@code enabled} says so, the wake pipe; timeout from the owner's
 * timer), run queued tasks, call the handlers of readable sockets, call the owner's tick. An exception in
 * a task or handler is logged and the loop goes on.
 */
final class IoLoop {

    private static final Logger LOG = LoggerFactory.getLogger(IoLoop.class);
    /** The longest a pass sleeps even with nothing to do, so a lost wake-up cannot strand a task. */
    private static final long MAX_POLL_MILLIS = 1000;

    private record Watch(ZMQ.Socket socket, Runnable onReadable, BooleanSupplier enabled) {
    }

    private final String name;
    private final ZContext zmq;
    private final Thread thread;
    private final Selector selector;
    private final Pipe pipe;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private final List<Watch> watches = new ArrayList<>();
    private final List<ZMQ.Socket> owned = new ArrayList<>();
    private final ByteBuffer drain = ByteBuffer.allocate(256);
    private volatile boolean running = true;
    private LongSupplier pollTimeoutMillis = () -> MAX_POLL_MILLIS;
    private Runnable tick = () -> { };
    private int linger;

    IoLoop(String name, ZContext zmq, int lingerMillis) {
        this.name = name;
        this.zmq = zmq;
        this.linger = lingerMillis;
        try {
            this.selector = Selector.open();
            this.pipe = Pipe.open();
            pipe.source().configureBlocking(false);
        } catch (IOException e) {
            throw new LabHubException(ErrorCode.INTERNAL, "cannot open the I/O loop of " + name + ": " + e, e);
        }
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Runs {@code task} on the loop thread. @return false when the loop is stopping (the task is dropped) */
    boolean execute(Runnable task) {
        if (stopping.get()) {
            return false;
        }
        tasks.add(task);
        wake();
        return true;
    }

    /**
     * Runs {@code work} on the loop thread and waits for its result at most {@code timeoutMillis}.
     * A {@link LabHubException} it throws is rethrown as is.
     */
    <T> T call(Callable<T> work, long timeoutMillis) {
        CompletableFuture<T> result = new CompletableFuture<>();
        boolean queued = execute(() -> {
            try {
                result.complete(work.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        if (!queued) {
            throw new ChannelClosedException("channel " + name + " is closed");
        }
        try {
            return result.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof LabHubException le) {
                throw le;
            }
            throw new LabHubException(ErrorCode.INTERNAL, name + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new LabHubException(ErrorCode.INTERNAL, name + ": the I/O thread did not answer in " + timeoutMillis + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabHubException(ErrorCode.INTERNAL, name + ": interrupted", e);
        }
    }

    /** Loop thread only: a new socket, owned (closed) by this loop. */
    ZMQ.Socket socket(SocketType type) {
        assertInLoop();
        ZMQ.Socket s = zmq.createSocket(type);
        s.setLinger(linger);
        owned.add(s);
        return s;
    }

    /** Loop thread only: call {@code onReadable} when {@code socket} has input and {@code enabled} is true. */
    void watch(ZMQ.Socket socket, Runnable onReadable, BooleanSupplier enabled) {
        assertInLoop();
        watches.add(new Watch(socket, onReadable, enabled));
    }

    /** Loop thread only: stops watching and closes {@code socket}. */
    void release(ZMQ.Socket socket) {
        assertInLoop();
        watches.removeIf(w -> w.socket == socket);
        if (owned.remove(socket)) {
            closeQuietly(socket);
        }
    }

    /** Loop thread only: how long the next poll may sleep, and what to do after each pass. */
    void timer(LongSupplier pollTimeoutMillis, Runnable tick) {
        assertInLoop();
        this.pollTimeoutMillis = pollTimeoutMillis;
        this.tick = tick;
    }

    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /**
     * Runs {@code last} on the loop (after the tasks already queued), closes every owned socket and ends
     * the thread; waits for that at most {@code waitMillis} unless called from the loop itself.
     */
    void stop(Runnable last, long waitMillis) {
        if (stopping.compareAndSet(false, true)) {
            tasks.add(() -> {
                try {
                    last.run();
                } finally {
                    running = false;
                }
            });
            wake();
        }
        if (!inLoop()) {
            try {
                terminated.get(waitMillis, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                LOG.warn("{}: I/O thread did not stop within {} ms", name, waitMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                LOG.warn("{}: I/O thread ended with {}", name, e.getCause().toString());
            }
        }
    }

    private void assertInLoop() {
        if (!inLoop()) {
            throw new IllegalStateException("not on the I/O thread of " + name);
        }
    }

    private void wake() {
        if (wakePending.compareAndSet(false, true)) {
            try {
                pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
            } catch (IOException e) {
                // only when the loop already closed its pipe: nothing is listening any more
                LOG.debug("{}: wake-up after close ignored: {}", name, e.toString());
            }
        }
    }

    private void run() {
        try {
            while (running) {
                pass();
            }
        } catch (Throwable t) {
            LOG.error("{}: I/O thread failed; the channel stops working", name, t);
        } finally {
            stopping.set(true);
            for (ZMQ.Socket s : owned) {
                closeQuietly(s);
            }
            owned.clear();
            watches.clear();
            try {
                selector.close();
                pipe.sink().close();
                pipe.source().close();
            } catch (IOException e) {
                LOG.debug("{}: closing the wake pipe: {}", name, e.toString());
            }
            // tasks still queued are dropped; their futures belong to owners that fail them on close
            terminated.complete(null);
        }
    }

    private void pass() throws IOException {
        List<Watch> polled = new ArrayList<>(watches.size());
        for (Watch w : watches) {
            if (w.enabled.getAsBoolean()) {
                polled.add(w);
            }
        }
        ZMQ.PollItem[] items = new ZMQ.PollItem[polled.size() + 1];
        items[0] = new ZMQ.PollItem(pipe.source(), ZMQ.Poller.POLLIN);
        for (int i = 0; i < polled.size(); i++) {
            items[i + 1] = new ZMQ.PollItem(polled.get(i).socket, ZMQ.Poller.POLLIN);
        }
        long timeout = tasks.isEmpty() ? Math.min(pollTimeoutMillis.getAsLong(), MAX_POLL_MILLIS) : 0;
        ZMQ.poll(selector, items, timeout < 0 ? MAX_POLL_MILLIS : timeout);

        if (items[0].isReadable()) {
            while (pipe.source().read(drain.clear()) > 0) {
                // empty the pipe; one byte per wake-up, coalesced by wakePending
            }
        }
        wakePending.set(false);
        Runnable task;
        while (running && (task = tasks.poll()) != null) {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.warn("{}: task failed", name, e);
            }
        }
        for (int i = 0; running && i < polled.size(); i++) {
            if (items[i + 1].isReadable() && watches.contains(polled.get(i))) {
                try {
                    polled.get(i).onReadable.run();
                } catch (RuntimeException e) {
                    LOG.warn("{}: reading failed", name, e);
                }
            }
        }
        if (running) {
            try {
                tick.run();
            } catch (RuntimeException e) {
                LOG.warn("{}: timer failed", name, e);
            }
        }
    }

    private static void closeQuietly(ZMQ.Socket s) {
        try {
            s.close();
        } catch (RuntimeException e) {
            LOG.debug("closing a socket: {}", e.toString());
        }
    }
}
