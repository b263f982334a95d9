package io.labhub.transport.shm.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * The lock of one end of a ring (a {@link RingProducer}, a {@link RingConsumer}): re-entrant, taken with one
 * compare-and-set, given back with a release store, and no queue of waiters: a thread that finds it held
 * spins, yields, then parks {@value #PARK_NANOS} ns at a time and tries again; the release unparks the latest
 * parked waiter, so a hand-off waits for a park only when the release missed it.
 *
 * <p>Why not {@link java.util.concurrent.locks.ReentrantLock}: its release is a volatile store (a full fence on
 * x86), because it must look for queued waiters after it, and every publish and every poll takes and gives back
 * its end's lock once: two fences per frame on the hot path, each waiting for the stores before it to reach
 * the other core. Measured in the suite's interleaved duel (benchmarks/README.md, 2026-12-07), 64 B stream, the
 * builds alternating, same state of the machine: 18.3-21.2 M msg/s with this lock against 16.6-18.4 M with
 * ReentrantLock (about 1.13x), the round trip unchanged. A waiter that polls needs no reliable wake-up, so the
 * release needs no fence; the price is that a hand-off whose unpark the release missed waits up to one park.
 * Two threads rarely share one end (the API allows it; drivers publish from one thread), and a thread waiting for
 * a {@code reliable} producer's ring to drain waits inside the lock in any case.
 */
final class RingLock {

    /** How long a waiter parks between two tries once it has spun and yielded. */
    static final long PARK_NANOS = 20_000;
    private static final int SPINS = 100;
    private static final int YIELDS = 100;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(RingLock.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** 0 free, 1 held. */
    @SuppressWarnings("unused") // through STATE
    private volatile int state;
    /**
     * The holder, written by it alone (after taking, before giving back); a plain field, as ReentrantLock's owner:
     * a thread reads itself here only if it wrote itself, so its own checks are exact.
     */
    private Thread owner;
    private int holds;
    /**
     * A thread parked (or about to park) for the lock: the release unparks it. Only the latest waiter is kept; any
     * other, and one whose announcement the release's plain load missed, tries again after its park at the latest.
     */
    private volatile Thread waiter;

    /** Takes the lock, waiting as long as it takes (not interruptible, as {@code ReentrantLock.lock}). */
    void lock() {
        if (!tryLock()) {
            Thread me = Thread.currentThread();
            waitFor(me, Long.MAX_VALUE);
            taken(me);
        }
    }

    /** Takes the lock if it is free (or held by this thread already). */
    boolean tryLock() {
        Thread me = Thread.currentThread();
        if (owner == me) {
            holds++;
            return true;
        }
        if (!STATE.compareAndSet(this, 0, 1)) {
            return false;
        }
        taken(me);
        return true;
    }

    /** The first hold, after the compare-and-set that took the lock. */
    private void taken(Thread me) {
        owner = me;
        holds = 1;
    }

    /** Takes the lock within {@code nanos}; false when it stayed held that long. */
    boolean tryLock(long nanos) throws InterruptedException {
        if (tryLock()) {
            return true;
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        Thread me = Thread.currentThread();
        if (!waitFor(me, System.nanoTime() + Math.max(0, nanos))) {
            if (Thread.interrupted()) {
                throw new InterruptedException(); // as ReentrantLock.tryLock(timeout): an interrupt ends the wait
            }
            return false;
        }
        taken(me);
        return true;
    }

    /**
     * Spins, yields, then parks until the compare-and-set succeeds or {@code deadline} passes ({@code
     * Long.MAX_VALUE}: none, and an interrupt is kept for the caller, as {@code ReentrantLock.lock} does, instead
     * of ending the wait); false at the deadline or, for a timed wait, on an interrupt.
     */
    private boolean waitFor(Thread me, long deadline) {
        boolean timed = deadline != Long.MAX_VALUE;
        boolean interrupted = false;
        try {
            for (int i = 0; ; i++) {
                if (i < SPINS) {
                    Thread.onSpinWait();
                } else if (i < SPINS + YIELDS) {
                    Thread.yield();
                } else {
                    waiter = me;
                    if ((int) STATE.getOpaque(this) != 0) {
                        LockSupport.parkNanos(this, PARK_NANOS);
                    }
                    if (!timed && Thread.interrupted()) {
                        interrupted = true; // else every later park would return at once
                    }
                }
                if ((int) STATE.getOpaque(this) == 0 && STATE.compareAndSet(this, 0, 1)) {
                    return true;
                }
                if (timed && (System.nanoTime() - deadline >= 0 || me.isInterrupted())) {
                    return false;
                }
            }
        } finally {
            if (waiter == me) {
                waiter = null;
            }
            if (interrupted) {
                me.interrupt();
            }
        }
    }

    /** Gives back one hold; the last one frees the lock with a release store (everything before it is visible to the next holder). */
    void unlock() {
        if (owner != Thread.currentThread()) {
            throw new IllegalMonitorStateException("not held by " + Thread.currentThread().getName());
        }
        if (--holds == 0) {
            owner = null;
            STATE.setRelease(this, 0);
            Thread w = waiter; // a load, no fence: a waiter it misses ends its park by itself
            if (w != null) {
                LockSupport.unpark(w);
            }
        }
    }

    boolean isHeldByCurrentThread() {
        return owner == Thread.currentThread();
    }

    /** Holds of the calling thread (0 when another thread holds the lock or nobody does). */
    int getHoldCount() {
        return owner == Thread.currentThread() ? holds : 0;
    }
}
