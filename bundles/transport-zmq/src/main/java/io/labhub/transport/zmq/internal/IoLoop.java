package io.labhub.transport.zmq.internal;

import io.labhub.api.ChannelClosedException;
import io.labhub.api.LabHubException;
import io.labhub.api.ErrorCode;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
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
 * loop may be asleep, {@link Selector#wakeup()} ends its {@code select} (an eventfd write on Linux; at
 * most one per sleep, coalesced by {@code wakePending}). That wakes the loop in microseconds without a
 * second ZeroMQ socket shared between threads.
 *
 * <p>Each watched socket's mailbox channel ({@code ZMQ_FD}) is registered with the loop's own selector
 * once, when it is watched, and stays registered until it is released (JeroMQ's {@code ZMQ.poll} would
 * rebuild its poll set on every call). As in {@code zmq_poll}, the mailbox only says "commands
 * arrived": whether a socket is readable is asked with {@code ZMQ_EVENTS}, before sleeping (so input
 * that is already queued never waits for a wake-up) and after every wake-up.
 *
 * <p>Each pass: find readable sockets (those whose {@code enabled} says so), sleep in {@code select} only
 * when nothing is readable and no task is queued (timeout from the owner's timer), run queued tasks, call
 * the handlers of readable sockets, call the owner's tick. An exception in a task or handler is logged
 * and the loop goes on.
 */
final class IoLoop {

    private static final Logger LOG = LoggerFactory.getLogger(IoLoop.class);
    /** The longest a pass sleeps even with nothing to do, so a lost wake-up cannot strand a task. */
    private static final long MAX_POLL_MILLIS = 1000;

    private static final class Watch {
        final ZMQ.Socket socket;
        final Runnable onReadable;
        final BooleanSupplier enabled;
        final SelectionKey key;
        boolean readable;

        Watch(ZMQ.Socket socket, Runnable onReadable, BooleanSupplier enabled, SelectionKey key) {
            this.socket = socket;
            this.onReadable = onReadable;
            this.enabled = enabled;
            this.key = key;
        }
    }

    private final String name;
    private final ZContext zmq;
    private final Thread thread;
    private final Selector selector;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private final List<Watch> watches = new ArrayList<>();
    /** Loop thread only: the watches of the current pass. */
    private Watch[] polled = new Watch[4];
    private final List<ZMQ.Socket> owned = new ArrayList<>();
    private volatile boolean running = true;
    /**
     * Held by whoever uses the sockets: the loop thread during a pass (released only while it sleeps in
     * {@code select}), or a {@link #tryRun} caller. Sockets thus change hands with a memory barrier, as
     * ZeroMQ requires of sockets shared between threads, and are never used by two threads at once.
     */
    private final ReentrantLock owner = new ReentrantLock();
    /** Written under {@code owner}: whether the loop sleeps in {@code select}, and until when at most. */
    private boolean asleep;
    private long sleepingUntil;
    private LongSupplier pollTimeoutMillis = () -> MAX_POLL_MILLIS;
    private Runnable tick = () -> { };
    private int linger;

    IoLoop(String name, ZContext zmq, int lingerMillis) {
        this.name = name;
        this.zmq = zmq;
        this.linger = lingerMillis;
        try {
            this.selector = Selector.open();
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
     * Runs {@code task} on the caller's thread, now, if the loop's sockets are free: the loop is asleep in
     * {@code select} (or between passes) and no queued task is waiting (so a caller's earlier queued
     * tasks still run first). The task then owns the sockets as the loop thread would; it must be short
     * and must not block. Exceptions are logged, as on the loop. Afterwards, a watched socket that has
     * input wakes the loop (the task may have consumed its mailbox signal).
     *
     * @return false (nothing ran) when the loop is busy or stopping, or when called from the loop thread
     *         itself: queue the task with {@link #execute}
     */
    boolean tryRun(Runnable task) {
        // Never nested in a pass or another task (a future's callback on the loop thread): queue it then.
        if (stopping.get() || owner.isHeldByCurrentThread() || !owner.tryLock()) {
            return false;
        }
        try {
            if (!running || stopping.get() || !tasks.isEmpty()) {
                return false;
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.warn("{}: task failed", name, e);
            }
            if (asleep) {
                // Using a socket runs the commands its mailbox holds, so the task may have consumed the very
                // signal ("input arrived") the sleeping loop waits for: ask the sockets, as the loop would.
                for (Watch w : watches) {
                    if (check(w)) {
                        wake();
                        break;
                    }
                }
            }
            return true;
        } finally {
            owner.unlock();
        }
    }

    /**
     * Wakes the loop if it sleeps past {@code deadlineNanos} ({@link System#nanoTime()} scale): for work
     * done by {@link #tryRun} that changes what the loop waits for (an earlier deadline, a socket enabled
     * again). Call from inside the {@link #tryRun} task.
     */
    void wakeIfAsleepPast(long deadlineNanos) {
        if (asleep && sleepingUntil - deadlineNanos > 0) {
            wake();
        }
    }

    /** Whether {@link #execute} still takes tasks (false once the loop is stopping). */
    boolean accepting() {
        return !stopping.get();
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
        SelectableChannel mailbox = socket.getFD();
        SelectionKey key = mailbox.keyFor(selector);
        if (key == null || !key.isValid()) {
            try {
                key = mailbox.register(selector, 0);
            } catch (ClosedChannelException e) {
                throw new LabHubException(ErrorCode.INTERNAL, name + ": cannot watch a closed socket", e);
            }
        }
        watches.add(new Watch(socket, onReadable, enabled, key));
    }

    /** Loop thread only: stops watching and closes {@code socket}. */
    void release(ZMQ.Socket socket) {
        assertInLoop();
        for (Iterator<Watch> it = watches.iterator(); it.hasNext(); ) {
            Watch w = it.next();
            if (w.socket == socket) {
                it.remove();
                w.key.cancel();
            }
        }
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
            selector.wakeup(); // a no-op once the selector is closed
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
            owner.lock();
            running = false;
            for (ZMQ.Socket s : owned) {
                closeQuietly(s);
            }
            owned.clear();
            watches.clear();
            try {
                selector.close();
            } catch (IOException e) {
                LOG.debug("{}: closing the selector: {}", name, e.toString());
            }
            owner.unlock();
            // tasks still queued are dropped; their futures belong to owners that fail them on close
            terminated.complete(null);
        }
    }

    private void pass() throws IOException {
        owner.lock();
        try {
            passLocked();
        } finally {
            owner.unlock();
        }
    }

    /** One pass, holding {@code owner} except while asleep in {@code select}. */
    private void passLocked() throws IOException {
        // Handlers may watch or release sockets: iterate over this pass's copy.
        int n = watches.size();
        if (polled.length < n) {
            polled = new Watch[Math.max(n, 2 * polled.length)];
        }
        boolean readable = false;
        for (int i = 0; i < n; i++) {
            Watch w = watches.get(i);
            polled[i] = w;
            readable |= check(w);
        }
        if (!readable && tasks.isEmpty()) {
            long timeout = Math.min(pollTimeoutMillis.getAsLong(), MAX_POLL_MILLIS);
            if (timeout < 0) {
                timeout = MAX_POLL_MILLIS;
            }
            wakePending.set(false);
            // A task queued from here on finds wakePending false and wakes the select below.
            if (tasks.isEmpty()) {
                int keys;
                if (timeout == 0) {
                    keys = selector.selectNow();
                } else {
                    sleepingUntil = System.nanoTime() + timeout * 1_000_000;
                    asleep = true;
                    owner.unlock();
                    try {
                        keys = selector.select(timeout);
                    } finally {
                        owner.lock();
                        asleep = false;
                    }
                }
                if (keys > 0) {
                    selector.selectedKeys().clear();
                }
                for (int i = 0; i < n; i++) {
                    check(polled[i]);
                }
            }
        } else {
            wakePending.set(false);
        }
        Runnable task;
        while (running && (task = tasks.poll()) != null) {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.warn("{}: task failed", name, e);
            }
        }
        for (int i = 0; running && i < n; i++) {
            Watch w = polled[i];
            polled[i] = null;
            if (w.readable && watches.contains(w)) {
                try {
                    w.onReadable.run();
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

    /**
     * Whether {@code w} is enabled and has input ({@code ZMQ_EVENTS}, which also runs the commands its
     * mailbox holds); keeps its mailbox registered for reading only while it is enabled, so that a
     * disabled socket with pending commands cannot keep waking the loop.
     */
    private boolean check(Watch w) {
        boolean on = w.enabled.getAsBoolean();
        if (w.key.isValid()) {
            int ops = on ? SelectionKey.OP_READ : 0;
            if (w.key.interestOps() != ops) {
                w.key.interestOps(ops);
            }
        }
        boolean in = false;
        if (on) {
            try {
                int events = w.socket.getEvents(); // -1 once the context is terminating
                in = events > 0 && (events & ZMQ.Poller.POLLIN) != 0;
            } catch (RuntimeException e) {
                // the context is terminating: the socket is gone
                LOG.debug("{}: reading a socket's events: {}", name, e.toString());
            }
        }
        w.readable = in;
        return in;
    }

    private static void closeQuietly(ZMQ.Socket s) {
        try {
            s.close();
        } catch (RuntimeException e) {
            LOG.debug("closing a socket: {}", e.toString());
        }
    }
}
