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
 * long as they are watched, input already queued, disabled and released watches. Every loop here sleeps
 * up to a second per pass when nothing wakes it, so each deadline below (well under a second per step)
 * fails if a wake-up or a readiness check is missing.
 */
public class IoLoopTest {

    private static final Duration DEADLINE = Duration.ofSeconds(10);

    private ZContext zmq;
    private IoLoop loop;

    @Before
    public void start() {
        zmq = new ZContext();
        loop = new IoLoop("test-loop", zmq, 0);
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
            long t0 = System.nanoTime();
            assertTrue(loop.execute(ran::countDown));
            assertTrue("task " + i + " ran", ran.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
            long millis = (System.nanoTime() - t0) / 1_000_000;
            assertTrue("task " + i + " waited " + millis + " ms: the wake-up was lost", millis < 900);
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
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            assertTrue(peer.send(new byte[] {(byte) i}, 0));
        }
        assertTrue("all read, got " + read.get(), all.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(n + " messages took " + millis + " ms: queued input waited for poll timeouts", millis < 900);
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

        long t0 = System.nanoTime();
        loop.execute(() -> enabled.set(true));
        Await.until("the message is read once enabled", DEADLINE, () -> reads.get() == 1);
        assertTrue("enabling must not wait for a poll timeout", (System.nanoTime() - t0) / 1_000_000 < 900);

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
            long t0 = System.nanoTime();
            Await.until("tryRun on the idle loop", DEADLINE,
                    () -> loop.tryRun(() -> loop.wakeIfAsleepPast(System.nanoTime())));
            Await.until("the loop woke and ticked", DEADLINE, () -> ticks.get() > before);
            long millis = (System.nanoTime() - t0) / 1_000_000;
            assertTrue("woken after " + millis + " ms: the wake-up was lost", millis < 900);
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
            long t0 = System.nanoTime();
            // While the loop sleeps, a task owning the socket makes it run its commands (as a send does),
            // eating the mailbox signal of the message that just arrived.
            Await.until("tryRun on the idle loop", DEADLINE, () -> loop.tryRun(() -> {
                peer.send("m");
                long end = System.nanoTime() + DEADLINE.toNanos();
                while ((owned[0].getEvents() & ZMQ.Poller.POLLIN) == 0 && System.nanoTime() - end < 0) {
                    Thread.onSpinWait();
                }
            }));
            Await.until("message " + expected + " read", DEADLINE, () -> reads.get() == expected);
            long millis = (System.nanoTime() - t0) / 1_000_000;
            assertTrue("message " + expected + " read after " + millis + " ms: the loop slept on it", millis < 900);
        }
        zmq.destroySocket(peer);
    }
}
