package io.labhub.transport.shm.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.Test;

/** The lock of a ring end ({@link RingLock}): exclusion, re-entry, timeouts, interrupts, misuse. */
public class RingLockTest {

    private static final class Counter {
        long plain; // guarded by the lock only: a lost update shows as a short total
    }

    @Test
    public void fourThreadsIncrementingAPlainFieldUnderTheLockLoseNoUpdate() throws Exception {
        RingLock lock = new RingLock();
        Counter c = new Counter();
        int threads = 4;
        int each = 200_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < each; i++) {
                        lock.lock();
                        try {
                            c.plain++;
                        } finally {
                            lock.unlock();
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        lock.lock();
        try {
            assertEquals((long) threads * each, c.plain);
        } finally {
            lock.unlock();
        }
    }

    @Test
    public void reentryCountsHoldsAndOnlyTheLastUnlockFreesIt() throws Exception {
        RingLock lock = new RingLock();
        lock.lock();
        assertTrue(lock.tryLock());
        lock.lock();
        assertEquals(3, lock.getHoldCount());
        assertTrue(lock.isHeldByCurrentThread());
        assertFalse("held here: another thread cannot take it", otherThread(lock::tryLock));
        lock.unlock();
        lock.unlock();
        assertEquals(1, lock.getHoldCount());
        assertFalse(otherThread(lock::tryLock));
        lock.unlock();
        assertEquals(0, lock.getHoldCount());
        assertFalse(lock.isHeldByCurrentThread());
        AtomicReference<Boolean> heldThere = new AtomicReference<>();
        assertTrue("free: another thread takes it", otherThread(() -> {
            boolean got = lock.tryLock();
            heldThere.set(lock.isHeldByCurrentThread() && lock.getHoldCount() == 1);
            lock.unlock();
            return got;
        }));
        assertTrue(heldThere.get());
    }

    @Test
    public void aTimedTryLockGivesUpAtItsDeadlineAndTakesTheLockOnceItIsFree() throws Exception {
        RingLock lock = new RingLock();
        lock.lock();
        assertFalse("held for the whole wait", otherThread(() -> lock.tryLock(TimeUnit.MILLISECONDS.toNanos(30))));
        CountDownLatch waiting = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Boolean> taken = pool.submit(() -> {
                waiting.countDown();
                boolean got = lock.tryLock(TimeUnit.SECONDS.toNanos(30));
                if (got) {
                    lock.unlock();
                }
                return got;
            });
            assertTrue(waiting.await(10, TimeUnit.SECONDS));
            lock.unlock(); // the waiter, parked or spinning, takes it within one park
            assertTrue(taken.get(30, TimeUnit.SECONDS));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    public void anInterruptEndsATimedWaitWithInterruptedException() throws Exception {
        RingLock lock = new RingLock();
        lock.lock();
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            try {
                lock.tryLock(TimeUnit.SECONDS.toNanos(60));
                outcome.set(new AssertionError("tryLock returned"));
            } catch (Throwable t) {
                outcome.set(t);
            }
        });
        waiter.start();
        waiter.interrupt();
        waiter.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse("the waiter ended", waiter.isAlive());
        assertTrue(String.valueOf(outcome.get()), outcome.get() instanceof InterruptedException);
        lock.unlock();
    }

    @Test
    public void unlockByAThreadThatDoesNotHoldItIsRefused() throws Exception {
        RingLock lock = new RingLock();
        assertThrows(IllegalMonitorStateException.class, lock::unlock);
        lock.lock();
        AtomicReference<Throwable> there = new AtomicReference<>();
        otherThread(() -> {
            try {
                lock.unlock();
            } catch (Throwable t) {
                there.set(t);
            }
            return true;
        });
        assertTrue(String.valueOf(there.get()), there.get() instanceof IllegalMonitorStateException);
        assertTrue("still held here", lock.isHeldByCurrentThread());
        lock.unlock();
    }

    private interface Task {
        boolean run() throws Exception;
    }

    private static boolean otherThread(Task task) throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            return pool.submit(task::run).get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
    }
}
