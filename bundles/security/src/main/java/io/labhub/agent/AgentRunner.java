package io.labhub.agent;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread of one {@link Agent} (Agrona's {@code AgentRunner}): {@code onStart}, then
 * {@code doWork} / {@link SocketIdleStrategy#idle(int)} while running, then {@code onClose}. An exception
 * from the agent is logged and ends it (each LabHub loop stopped on an unexpected failure before, too).
 * The thread is a daemon named after {@link Agent#roleName()}.
 */
public final class AgentRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AgentRunner.class);

    private final Agent agent;
    private final SocketIdleStrategy idle;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean failed;

    public AgentRunner(Agent agent, SocketIdleStrategy idle) {
        this.agent = agent;
        this.idle = idle;
        this.thread = new Thread(this::run, agent.roleName());
        this.thread.setDaemon(true);
    }

    /** Starts the agent thread. @return this */
    public AgentRunner start() {
        thread.start();
        return this;
    }

    /** Whether the caller is the agent thread. */
    public boolean isOnAgentThread() {
        return Thread.currentThread() == thread;
    }

    /** Whether the agent still runs: not closed, not ended by a failure. */
    public boolean isRunning() {
        return running && (thread.isAlive() || thread.getState() == Thread.State.NEW);
    }

    /** Whether the agent ended because it threw. */
    public boolean failed() {
        return failed;
    }

    /**
     * Asks the agent to stop after its current {@code doWork} and wakes it. Off the agent thread, waits
     * until {@code onClose} has run (uninterruptibly: an interrupt is kept for the caller); on it (a
     * task that closes its own loop), returns at once.
     */
    @Override
    public void close() {
        stop();
        join(Long.MAX_VALUE);
    }

    /** Asks the agent to stop after its current {@code doWork}, and wakes it; does not wait. */
    public void stop() {
        running = false;
        idle.wake();
    }

    /**
     * Waits, uninterruptibly, at most {@code maxMillis} for the agent thread to end (not on the agent
     * thread itself: returns {@code false} at once there). The one join of every LabHub socket loop.
     *
     * @return whether the thread has ended
     */
    public boolean join(long maxMillis) {
        if (isOnAgentThread()) {
            return false;
        }
        if (thread.getState() == Thread.State.NEW) {
            return true;
        }
        long deadline = maxMillis == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + maxMillis * 1_000_000L;
        boolean interrupted = false;
        try {
            while (thread.isAlive()) {
                long left = deadline == Long.MAX_VALUE ? 0 : (deadline - System.nanoTime()) / 1_000_000L;
                if (deadline != Long.MAX_VALUE && left <= 0) {
                    return false;
                }
                try {
                    thread.join(left); // 0 = until it ends
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            return true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        try {
            agent.onStart();
            while (running && !Thread.currentThread().isInterrupted()) {
                idle.idle(agent.doWork());
            }
        } catch (Throwable t) {
            failed = true;
            LOG.error("{} failed", agent.roleName(), t);
        } finally {
            running = false;
            try {
                agent.onClose();
            } catch (Throwable t) {
                LOG.error("{}: closing failed", agent.roleName(), t);
            } finally {
                idle.close();
            }
        }
    }
}
