package io.labhub.agent;

/**
 * A duty cycle run on one thread by an {@link AgentRunner} (Agrona's {@code Agent}): the runner calls
 * {@link #onStart()} once, then {@link #doWork()} until it is closed, idling between calls that did
 * nothing, then {@link #onClose()} once. Every method runs on the agent thread.
 */
public interface Agent {

    /** Before the first {@link #doWork()}: create sockets, bind. A throw ends the agent (then {@link #onClose()}). */
    default void onStart() throws Exception {
    }

    /**
     * Does what is ready, a bounded amount, without blocking.
     *
     * @return how much work was done (messages, tasks, timers); 0 lets the runner idle until a socket
     *         has input, {@link SocketIdleStrategy#wake()} is called or the idle timeout passes
     * @throws Exception ends the agent (logged, then {@link #onClose()})
     */
    int doWork() throws Exception;

    /** After the last {@link #doWork()}, also after a failure: flush, fail what waits, close sockets. */
    default void onClose() {
    }

    /** The agent's name: its thread's name and the prefix of the runner's log lines. */
    String roleName();
}
