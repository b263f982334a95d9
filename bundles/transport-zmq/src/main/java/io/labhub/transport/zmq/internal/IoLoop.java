package io.labhub.transport.zmq.internal;

import io.labhub.agent.Agent;
import io.labhub.agent.AgentRunner;
import io.labhub.agent.SocketIdleStrategy;
import io.labhub.api.ChannelClosedException;
import io.labhub.api.LabHubException;
import io.labhub.api.ErrorCode;
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
 * The one thread that owns a channel's ZeroMQ sockets (ZeroMQ sockets are not thread-safe): an
 * {@link Agent} run by an {@link AgentRunner}, idling in a {@link SocketIdleStrategy}.
 *
 * <p>Other threads hand it work with {@link #execute}: the task goes into a lock-free queue and the
 * idle strategy's {@link SocketIdleStrategy#wake() wake()} ends its {@code select} (an eventfd write on
 * Linux, coalesced to one per sleep). That wakes the loop in microseconds without a second ZeroMQ
 * socket shared between threads.
 *
 * <p>Each watched socket's mailbox channel ({@code ZMQ_FD}) is registered with the idle strategy's
 * selector once, when it is watched, and stays registered until it is released. Whether a socket is
 * readable is asked with {@code ZMQ_EVENTS} at the start of each pass and again before sleeping (so
 * input that is already queued never waits for a wake-up).
 *
 * <p>Each pass ({@link #doWork()}): find readable sockets (those whose {@code enabled} says so), run
 * queued tasks, call the handlers of readable sockets, call the owner's tick; the loop sleeps only when
 * a pass found nothing readable and ran no task (timeout from the owner's timer). An exception in a
 * task or handler is logged and the loop goes on.
 */
final class IoLoop implements Agent {

    private static final Logger LOG = LoggerFactory.getLogger(IoLoop.class);
    /** The longest a pass sleeps even with nothing to do, so a lost wake-up cannot strand a task. */
    private static final long MAX_POLL_MILLIS = 1000;

    /** A watched socket and what to do when it is readable. */
    private static final class Handler {
        final SocketIdleStrategy.Watch watch;
        final Runnable onReadable;
        boolean readable;

        Handler(SocketIdleStrategy.Watch watch, Runnable onReadable) {
            this.watch = watch;
            this.onReadable = onReadable;
        }

        boolean check() {
            readable = watch.hasInput();
            return readable;
        }
    }

    private final String name;
    private final ZContext zmq;
    private final SocketIdleStrategy idle;
    private final AgentRunner runner;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final List<Handler> handlers = new ArrayList<>();
    /** Loop thread only: the handlers of the current pass. */
    private Handler[] polled = new Handler[4];
    private final List<ZMQ.Socket> owned = new ArrayList<>();
    private volatile boolean running = true;
    /**
     * Held by whoever uses the sockets: the loop thread from its start to its end, except while it
     * sleeps in {@code select} (the idle strategy's {@link SocketIdleStrategy.SleepListener}), or a
     * {@link #tryRun} caller during that sleep. Sockets thus change hands with a memory barrier, as
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
        this(name, zmq, lingerMillis, MAX_POLL_MILLIS);
    }

    /** @param maxIdleMillis the longest sleep of a pass (tests make it long, so that only a wake-up ends it) */
    IoLoop(String name, ZContext zmq, int lingerMillis, long maxIdleMillis) {
        this.name = name;
        this.zmq = zmq;
        this.linger = lingerMillis;
        this.idle = new SocketIdleStrategy(maxIdleMillis);
        idle.timeout(() -> pollTimeoutMillis.getAsLong());
        idle.sleepListener(new SocketIdleStrategy.SleepListener() {
            @Override
            public void sleeping(long untilNanos) {
                sleepingUntil = untilNanos;
                asleep = true;
                owner.unlock();
            }

            @Override
            public void awake() {
                owner.lock();
                asleep = false;
            }
        });
        this.runner = new AgentRunner(this, idle).start();
    }

    @Override
    public String roleName() {
        return name;
    }

    /** Runs {@code task} on the loop thread. @return false when the loop is stopping (the task is dropped) */
    boolean execute(Runnable task) {
        if (stopping.get()) {
            return false;
        }
        tasks.add(task);
        idle.wake();
        return true;
    }

    /**
     * Runs {@code task} on the caller's thread, now, if the loop's sockets are free: the loop is asleep in
     * {@code select} and no queued task is waiting (so a caller's earlier queued tasks still run first).
     * The task then owns the sockets as the loop thread would; it must be short and must not block.
     * Exceptions are logged, as on the loop. Afterwards, a watched socket that has input wakes the loop
     * (the task may have consumed its mailbox signal).
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
            if (!running || stopping.get() || !tasks.isEmpty() || !asleep) {
                return false;
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.warn("{}: task failed", name, e);
            }
            // Using a socket runs the commands its mailbox holds, so the task may have consumed the very
            // signal ("input arrived") the sleeping loop waits for: ask the sockets, as the loop would.
            for (Handler h : handlers) {
                if (h.check()) {
                    idle.wake();
                    break;
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
            idle.wake();
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
        try {
            handlers.add(new Handler(idle.watch(socket, enabled), onReadable));
        } catch (IllegalStateException e) {
            throw new LabHubException(ErrorCode.INTERNAL, name + ": cannot watch a closed socket", e);
        }
    }

    /** Loop thread only: stops watching and closes {@code socket}. */
    void release(ZMQ.Socket socket) {
        assertInLoop();
        for (Iterator<Handler> it = handlers.iterator(); it.hasNext(); ) {
            if (it.next().watch.socket() == socket) {
                it.remove();
            }
        }
        idle.unwatch(socket);
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
        return runner.isOnAgentThread();
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
                    runner.stop();
                }
            });
            idle.wake();
        }
        if (!inLoop() && !runner.join(waitMillis)) {
            LOG.warn("{}: I/O thread did not stop within {} ms", name, waitMillis);
        }
    }

    private void assertInLoop() {
        if (!inLoop()) {
            throw new IllegalStateException("not on the I/O thread of " + name);
        }
    }

    @Override
    public void onStart() {
        owner.lock(); // released only while asleep (see the sleep listener), and in onClose
    }

    /** One pass, holding {@code owner}. @return tasks run plus handlers called */
    @Override
    public int doWork() {
        // Handlers may watch or release sockets: iterate over this pass's copy.
        int n = handlers.size();
        if (polled.length < n) {
            polled = new Handler[Math.max(n, 2 * polled.length)];
        }
        for (int i = 0; i < n; i++) {
            Handler h = handlers.get(i);
            polled[i] = h;
            h.check();
        }
        int work = 0;
        Runnable task;
        while (running && (task = tasks.poll()) != null) {
            work++;
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.warn("{}: task failed", name, e);
            }
        }
        for (int i = 0; i < n; i++) {
            Handler h = polled[i];
            polled[i] = null;
            if (running && h.readable && handlers.contains(h)) {
                work++;
                try {
                    h.onReadable.run();
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
        return work;
    }

    @Override
    public void onClose() {
        stopping.set(true);
        if (!owner.isHeldByCurrentThread()) {
            owner.lock();
        }
        running = false;
        for (ZMQ.Socket s : owned) {
            idle.unwatch(s);
            closeQuietly(s);
        }
        owned.clear();
        handlers.clear();
        owner.unlock();
        // tasks still queued are dropped; their futures belong to owners that fail them on close
    }

    private static void closeQuietly(ZMQ.Socket s) {
        try {
            s.close();
        } catch (RuntimeException e) {
            LOG.debug("closing a socket: {}", e.toString());
        }
    }
}
