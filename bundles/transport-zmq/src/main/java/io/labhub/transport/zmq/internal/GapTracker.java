package io.labhub.transport.zmq.internal;

/**
 * Sequence accounting of one subscriber: how many messages it missed before each one it receives.
 *
 * <p>A publisher numbers its messages 1, 2, 3 ... within a session (a random 64-bit id drawn when it is
 * created). Rules:
 * <ul>
 *   <li>The first message a subscriber ever receives skips nothing: a late joiner was never owed the
 *       earlier ones.</li>
 *   <li>Within a session, {@code skipped = sequence - last - 1} (messages dropped at a high-water mark,
 *       in this subscriber's own queue, or on a broken connection). A sequence that does not advance
 *       skips nothing.</li>
 *   <li>A new session (the publisher restarted) skips {@code sequence - 1}: the new publisher's
 *       messages sent before this subscriber got through to it. What the dead publisher sent after our
 *       last message cannot be known and is not counted.</li>
 * </ul>
 * Not thread-safe: used by the subscriber's one reading thread.
 */
final class GapTracker {

    /** What one message told us. */
    record Step(long skipped, boolean newSession) {
    }

    private boolean started;
    private long session;
    private long last;

    Step onMessage(long messageSession, long sequence) {
        if (!started) {
            started = true;
            session = messageSession;
            last = sequence;
            return new Step(0, false);
        }
        if (messageSession != session) {
            session = messageSession;
            last = sequence;
            return new Step(Math.max(0, sequence - 1), true);
        }
        long skipped = sequence > last ? sequence - last - 1 : 0;
        last = Math.max(last, sequence);
        return new Step(skipped, false);
    }
}
