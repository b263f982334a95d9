package io.labhub.testkit;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits for a condition with a deadline. The condition is polled every {@link #POLL} (a polling interval,
 * not a stand-in for synchronisation: the wait ends as soon as the condition holds, and fails only at
 * the deadline). Failures are {@link AssertionError}s that say what was awaited and for how long.
 */
public final class Await {

    /** How often a condition is polled. Short, so a wait costs little more than the thing awaited. */
    public static final Duration POLL = Duration.ofMillis(5);

    /** A condition that may throw: an exception ends the wait at once and fails it (with the cause). */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    /** An assertion to repeat until it passes (it throws {@link AssertionError} while it does not). */
    @FunctionalInterface
    public interface Assertion {
        void check() throws Exception;
    }

    private Await() {
    }

    /**
     * Waits until {@code condition} holds.
     *
     * @throws AssertionError "timed out after N ms waiting for: {@code what}" when it does not hold within
     *                        {@code timeout}, or when the condition throws or the thread is interrupted
     */
    public static void until(String what, Duration timeout, Condition condition) {
        if (!within(what, timeout, condition)) {
            throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for: " + what);
        }
    }

    /**
     * Waits until {@code condition} holds or {@code timeout} passes, and says which: for a test that
     * asserts that something does NOT happen within a time.
     */
    public static boolean within(String what, Duration timeout, Condition condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (test(what, condition)) {
                return true;
            }
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            pause(what);
        }
    }

    /**
     * Waits until {@code value} returns something other than {@code null}, and returns it.
     *
     * @throws AssertionError as {@link #until}
     */
    public static <T> T value(String what, Duration timeout, Callable<T> value) {
        Object[] seen = new Object[1];
        until(what, timeout, () -> (seen[0] = value.call()) != null);
        @SuppressWarnings("unchecked")
        T t = (T) seen[0];
        return t;
    }

    /**
     * Repeats {@code assertion} until it passes; at the deadline it fails with the assertion's own last
     * failure as the cause (openHAB's {@code waitForAssert}).
     */
    public static void untilAsserted(String what, Duration timeout, Assertion assertion) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                assertion.check();
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() - deadline >= 0) {
                    throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for: " + what
                            + " (last: " + e.getMessage() + ")", e);
                }
            } catch (Exception e) {
                throw new AssertionError("failed waiting for: " + what + ": " + e, e);
            }
            pause(what);
        }
    }

    private static boolean test(String what, Condition condition) {
        try {
            return condition.holds();
        } catch (Exception e) {
            throw new AssertionError("failed waiting for: " + what + ": " + e, e);
        }
    }

    private static void pause(String what) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(POLL.toMillis()));
        if (Thread.interrupted()) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for: " + what);
        }
    }
}
