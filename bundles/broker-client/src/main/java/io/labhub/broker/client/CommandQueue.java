package io.labhub.broker.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.labhub.api.LabHubException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;

/**
 * What API threads ask of the client's socket thread: requests to send, handed over lock-free in order
 * (each add wakes the thread), and, on the socket thread, the requests that wait for a session to open.
 */
final class CommandQueue {

    /** A request from an API thread: send it, complete {@code future} (if any) with the reply. */
    record Command(ObjectNode request, CompletableFuture<ObjectNode> future, long deadline, boolean waitForSession) {
    }

    private final ConcurrentLinkedQueue<Command> commands = new ConcurrentLinkedQueue<>();
    /** Socket thread only. */
    private final List<Command> waitingForSession = new ArrayList<>();
    private final Runnable wake;

    CommandQueue(Runnable wake) {
        this.wake = wake;
    }

    /** Any thread. */
    void add(Command command) {
        commands.add(command);
        wake.run();
    }

    /** @return the next command from an API thread, or {@code null} */
    Command poll() {
        return commands.poll();
    }

    /** Keeps {@code command} until the next session opens (or its deadline passes). */
    void waitForSession(Command command) {
        waitingForSession.add(command);
    }

    /** @return the commands that waited for a session, removed */
    List<Command> takeWaiting() {
        List<Command> out = List.copyOf(waitingForSession);
        waitingForSession.clear();
        return out;
    }

    /** Fails the waiting commands whose deadline passed (or whose caller stopped waiting). */
    void expireWaiting(long now, Supplier<LabHubException> error) {
        for (Iterator<Command> it = waitingForSession.iterator(); it.hasNext(); ) {
            Command c = it.next();
            if (now - c.deadline() > 0 || c.future().isDone()) {
                it.remove();
                c.future().completeExceptionally(error.get());
            }
        }
    }

    /** Fails everything, queued and waiting (close). */
    void failAll(LabHubException e) {
        waitingForSession.forEach(c -> c.future().completeExceptionally(e));
        waitingForSession.clear();
        Command c;
        while ((c = commands.poll()) != null) {
            if (c.future() != null) {
                c.future().completeExceptionally(e);
            }
        }
    }
}
