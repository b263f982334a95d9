package io.labhub.transport.zmq.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.labhub.testkit.Await;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The I/O loop on its own, with inproc PAIR sockets: wake-ups, sockets watched once and polled for as
 * long as they are watched, input already queued, disabled and released watches. The loop here sleeps
 * up to a minute per pass when nothing wakes it ({@link #MAX_IDLE_MILLIS}, timer one minute too), while
 * every step is awaited for at most {@link #DEADLINE}: a missing wake-up or readiness check fails the
 * step by itself, no timing margin needed.
 */
public class IoLoopTest {

    private static final Duration DEADLINE = Duration.ofSeconds(10);
    /** How long an idle pass may sleep: far beyond {@link #DEADLINE}. */
    private static final long MAX_IDLE_MILLIS = 60_000;

    private ZContext zmq;
    private IoLoop loop;

    @Before
    public void start() {
        zmq = new ZContext();
        loop = new IoLoop("test-loop", zmq, 0, MAX_IDLE_MILLIS);
        loop.call(() -> {
            loop.timer(() -> 60_000, () -> { });
            return null;
        }, 10_000);
    }

    @After
    public void stop() {
        loop.stop(() -> { }, 5_000);
        zmq.close();
    }

    /** A PAIR socket owned by the loop, bound to {@code endpoint}, and its peer on this thread. */
    private ZMQ.Socket peer(String endpoint) {
        ZMQ.Socket peer = zmq.createSocket(SocketType.PAIR);
        peer.connect(endpoint);
        return peer;
    }

    @Test
    public void aTaskFromAnotherThreadWakesASleepingLoop() throws Exception {
        for (int i = 0; i < 20; i++) {
            CountDownLatch ran = new CountDownLatch(1);
            assertTrue(loop.execute(ran::countDown));
            assertTrue("task " + i + " did not run within " + DEADLINE.toMillis() + " ms: the wake-up was lost",
                    ran.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
        }
    }

    @Test
    public void everyMessageIsReadEvenWhenTheHandlerTakesOneAtATime() throws Exception {
        int n = 50;
        AtomicInteger read = new AtomicInteger();
        CountDownLatch all = new CountDownLatch(n);
        loop.call(() -> {
            ZMQ.Socket s = loop.socket(SocketType.PAIR);
            s.bind("inproc://one-at-a-time");
            // reads ONE message per call: the rest must be found without new input waking the loop
            loop.watch(s, () -> {
                if (s.recv(ZMQ.DONTWAIT) != null) {
                    read.incrementAndGet();
                    all.countDown();
                }
            }, () -> true);
            return null;
        }, 10_000);
        ZMQ.Socket peer = peer("inproc://one-at-a-time");
        for (int i = 0; i < n; i++) {
            assertTrue(peer.send(new byte[] {(byte) i}, 0));
        }
        assertTrue("all read within " + DEADLINE.toMillis() + " ms, got " + read.get()
                        + ": queued input waited for a poll timeout", all.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
        zmq.destroySocket(peer);
    }

    @Test
    public void aDisabledWatchIsNotReadUntilEnabledAndAReleasedOneNeverAgain() throws Exception {
        AtomicBoolean enabled = new AtomicBoolean(false);
        AtomicInteger reads = new AtomicInteger();
        AtomicInteger passes = new AtomicInteger();
        ZMQ.Socket[] owned = new ZMQ.Socket[1];
        loop.call(() -> {
            ZMQ.Socket s = loop.socket(SocketType.PAIR);
            s.bind("inproc://gated");
            owned[0] = s;
            loop.timer(() -> 60_000, passes::incrementAndGet);
            loop.watch(s, () -> {
                while (s.recv(ZMQ.DONTWAIT) != null) {
                    reads.incrementAndGet();
                }
            }, enabled::get);
            return null;
        }, 10_000);
        ZMQ.Socket peer = peer("inproc://gated");
        assertTrue(peer.send("a"));
        // The message sits there while the watch is disabled; the loop neither reads it nor spins on it.
        int before = loop.call(passes::get, 10_000);
        assertEquals(0, (int) loop.call(reads::get, 10_000));
        int after = loop.call(passes::get, 10_000);
        assertTrue("a disabled watch with input must not keep the loop busy (" + (after - before) + " passes)",
                after - before < 50);

        loop.execute(() -> enabled.set(true));
        Await.until("the message is read once enabled (not after a poll timeout)", DEADLINE, () -> reads.get() == 1);

        loop.call(() -> {
            loop.release(owned[0]);
            return null;
        }, 10_000);
        peer.send("b", ZMQ.DONTWAIT);
        // a few passes after the release: nothing more was read, and the loop still works
        for (int i = 0; i < 5; i++) {
            loop.call(() -> null, 10_000);
        }
        assertEquals(1, reads.get());
        assertFalse("the loop still accepts work", !loop.accepting());
        zmq.destroySocket(peer);
    }

    @Test
    public void tryRunUsesTheCallersThreadOnlyWhileTheLoopIsIdle() throws Exception {
        // Busy loop: a task holds it, so tryRun must refuse (nothing runs) rather than wait or share.
        CountDownLatch inTask = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        loop.execute(() -> {
            inTask.countDown();
            try {
                release.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(inTask.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
        AtomicBoolean ran = new AtomicBoolean();
        assertFalse("the loop is busy", loop.tryRun(() -> ran.set(true)));
        assertFalse(ran.get());
        release.countDown();

        // Idle loop (asleep in select): the task runs now, on this thread.
        Thread me = Thread.currentThread();
        AtomicBoolean onMe = new AtomicBoolean();
        Await.until("the loop is idle and tryRun runs the task", DEADLINE,
                () -> loop.tryRun(() -> onMe.set(Thread.currentThread() == me)));
        assertTrue(onMe.get());

        // On the loop thread itself (say, in a future's callback) a task is never run nested in the pass.
        AtomicBoolean nested = new AtomicBoolean(true);
        loop.call(() -> {
            nested.set(loop.tryRun(() -> ran.set(true)));
            return null;
        }, 10_000);
        assertFalse("tryRun on the loop thread must refuse", nested.get());
        assertFalse(ran.get());

        loop.stop(() -> { }, 5_000);
        assertFalse("a stopped loop runs nothing", loop.tryRun(() -> ran.set(true)));
        assertFalse(ran.get());
    }

    @Test
    public void wakeIfAsleepPastEndsALongSleepAtOnce() throws Exception {
        AtomicInteger ticks = new AtomicInteger();
        loop.call(() -> {
            loop.timer(() -> 60_000, ticks::incrementAndGet);
            return null;
        }, 10_000);
        for (int i = 0; i < 10; i++) {
            int before = ticks.get();
            Await.until("tryRun on the idle loop", DEADLINE,
                    () -> loop.tryRun(() -> loop.wakeIfAsleepPast(System.nanoTime())));
            Await.until("the loop woke and ticked (the wake-up was not lost)", DEADLINE, () -> ticks.get() > before);
        }
    }

    @Test
    public void inputWhoseSignalATryRunTaskConsumedIsStillReadAtOnce() throws Exception {
        AtomicInteger reads = new AtomicInteger();
        ZMQ.Socket[] owned = new ZMQ.Socket[1];
        loop.call(() -> {
            ZMQ.Socket s = loop.socket(SocketType.PAIR);
            s.bind("inproc://consumed-signal");
            owned[0] = s;
            loop.watch(s, () -> {
                while (s.recv(ZMQ.DONTWAIT) != null) {
                    reads.incrementAndGet();
                }
            }, () -> true);
            return null;
        }, 10_000);
        ZMQ.Socket peer = peer("inproc://consumed-signal");
        for (int i = 0; i < 20; i++) {
            int expected = i + 1;
            // While the loop sleeps, a task owning the socket makes it run its commands (as a send does),
            // eating the mailbox signal of the message that just arrived.
            Await.until("tryRun on the idle loop", DEADLINE, () -> loop.tryRun(() -> {
                peer.send("m");
                long end = System.nanoTime() + DEADLINE.toNanos();
                while ((owned[0].getEvents() & ZMQ.Poller.POLLIN) == 0 && System.nanoTime() - end < 0) {
                    Thread.onSpinWait();
                }
            }));
            Await.until("message " + expected + " read (the loop did not sleep on it)", DEADLINE,
                    () -> reads.get() == expected);
        }
        zmq.destroySocket(peer);
    }
}
