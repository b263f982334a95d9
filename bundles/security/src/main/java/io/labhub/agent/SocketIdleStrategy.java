package io.labhub.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZMQ;

/**
 * How an {@link Agent} that owns ZeroMQ sockets idles: when a {@code doWork} did nothing, it blocks in
 * {@code select} on one {@link Selector} that holds the mailbox channel ({@code ZMQ_FD}) of every
 * watched socket, for at most the timeout, until a socket has input or another thread calls
 * {@link #wake()}. Agrona's {@code BackoffIdleStrategy} spins and yields first; a socket loop has no
 * reason to burn a core, so this one blocks at once.
 *
 * <p><b>Waking.</b> {@link #wake()} is the one cross-thread wake-up: {@link Selector#wakeup()} (an
 * eventfd write on Linux), at most one per idle period: the flag that coalesces them is cleared after
 * each {@link #idle}, before the agent's next {@code doWork} reads its queues, so work queued after that
 * always ends the next sleep. No wake-up pipe, no second socket.
 *
 * <p><b>Input.</b> As in {@code zmq_poll}, a mailbox channel only says "commands arrived"; whether a
 * socket is readable is asked with {@code ZMQ_EVENTS} ({@link Watch#hasInput()}), and using a socket
 * (a send) may consume the signal of input already queued. So {@link #idle} asks every enabled watch
 * before it sleeps and does not sleep when one has input.
 *
 * <p>Everything except {@link #wake()} is for the agent thread only.
 */
public final class SocketIdleStrategy implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SocketIdleStrategy.class);

    /** Told when the agent thread goes to sleep and wakes up (a loop that lends its sockets while asleep). */
    public interface SleepListener {
        /** Before {@code select}, with the {@link System#nanoTime()} it sleeps until at most. */
        void sleeping(long untilNanos);

        /** After {@code select} returned. */
        void awake();
    }

    /** A watched socket: its selection key and whether it is enabled (a disabled socket never ends a sleep). */
    public final class Watch {
        private final ZMQ.Socket socket;
        private final BooleanSupplier enabled;
        private final SelectionKey key;

        private Watch(ZMQ.Socket socket, BooleanSupplier enabled, SelectionKey key) {
            this.socket = socket;
            this.enabled = enabled;
            this.key = key;
        }

        public ZMQ.Socket socket() {
            return socket;
        }

        /**
         * Whether the socket is enabled and has input ({@code ZMQ_EVENTS}, which also runs the commands its
         * mailbox holds). Keeps the mailbox registered for reading only while enabled, so that a disabled
         * socket with pending commands cannot keep waking the agent.
         */
        public boolean hasInput() {
            boolean on = enabled.getAsBoolean();
            if (key.isValid()) {
                int ops = on ? SelectionKey.OP_READ : 0;
                if (key.interestOps() != ops) {
                    key.interestOps(ops);
                }
            }
            if (!on) {
                return false;
            }
            try {
                int events = socket.getEvents(); // -1 once the context is terminating
                return events > 0 && (events & ZMQ.Poller.POLLIN) != 0;
            } catch (RuntimeException e) {
                LOG.debug("reading a socket's events: {}", e.toString());
                return false; // the context is terminating: the socket is gone
            }
        }
    }

    private final Selector selector;
    private final long maxIdleMillis;
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final List<Watch> watches = new ArrayList<>();
    private LongSupplier timeoutMillis;
    private SleepListener listener;

    /**
     * @param maxIdleMillis the longest one idle period lasts (so a timer, or a stop, is never later than
     *                      this, whatever the agent's own timeout says)
     */
    public SocketIdleStrategy(long maxIdleMillis) {
        if (maxIdleMillis < 1) {
            throw new IllegalArgumentException("maxIdleMillis must be at least 1, not " + maxIdleMillis);
        }
        this.maxIdleMillis = maxIdleMillis;
        this.timeoutMillis = () -> maxIdleMillis;
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector", e);
        }
    }

    /** How long the next idle period may last: the agent's next deadline; negative = the maximum. */
    public void timeout(LongSupplier millis) {
        this.timeoutMillis = millis;
    }

    public void sleepListener(SleepListener listener) {
        this.listener = listener;
    }

    /** Watches an always enabled socket. */
    public Watch watch(ZMQ.Socket socket) {
        return watch(socket, () -> true);
    }

    /** Watches {@code socket}: input on it ends a sleep while {@code enabled} says so. */
    public Watch watch(ZMQ.Socket socket, BooleanSupplier enabled) {
        SelectableChannel mailbox = socket.getFD();
        SelectionKey key = mailbox.keyFor(selector);
        if (key == null || !key.isValid()) {
            try {
                key = mailbox.register(selector, SelectionKey.OP_READ);
            } catch (ClosedChannelException e) {
                throw new IllegalStateException("cannot watch a closed socket", e);
            }
        }
        Watch w = new Watch(socket, enabled, key);
        watches.add(w);
        return w;
    }

    /** Stops watching {@code socket} (before it is closed). */
    public void unwatch(ZMQ.Socket socket) {
        for (int i = watches.size() - 1; i >= 0; i--) {
            Watch w = watches.get(i);
            if (w.socket == socket) {
                watches.remove(i);
                w.key.cancel();
            }
        }
    }

    /**
     * Called by the runner after each {@code doWork}: returns at once when it did work or a watched socket
     * has input; otherwise sleeps until input, {@link #wake()} or the timeout.
     */
    public void idle(int workCount) {
        try {
            if (workCount <= 0 && !anyInput()) {
                long timeout = timeoutMillis.getAsLong();
                timeout = timeout < 0 ? maxIdleMillis : Math.min(timeout, maxIdleMillis);
                int keys;
                if (timeout == 0) {
                    keys = selector.selectNow();
                } else {
                    SleepListener l = listener;
                    if (l != null) {
                        l.sleeping(System.nanoTime() + timeout * 1_000_000L);
                    }
                    try {
                        keys = selector.select(timeout); // a wakeup() since the last idle returns at once
                    } finally {
                        if (l != null) {
                            l.awake();
                        }
                    }
                }
                if (keys > 0) {
                    selector.selectedKeys().clear();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the agent's selector failed", e);
        } finally {
            wakePending.set(false);
        }
    }

    private boolean anyInput() {
        boolean any = false;
        for (int i = 0; i < watches.size(); i++) {
            any |= watches.get(i).hasInput(); // every one: each keeps its interest set up to date
        }
        return any;
    }

    /** Any thread: ends the current (or next) sleep; coalesced, at most one selector wake-up per sleep. */
    public void wake() {
        if (wakePending.compareAndSet(false, true)) {
            selector.wakeup(); // a no-op once the selector is closed
        }
    }

    /** Closes the selector (the runner does, after {@code onClose}). */
    @Override
    public void close() {
        watches.clear();
        try {
            selector.close();
        } catch (IOException e) {
            LOG.debug("closing a selector: {}", e.toString());
        }
    }
}
