package io.labhub.core.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelName;
import io.labhub.api.ChannelState;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.After;
import org.junit.Test;

/**
 * The local directory keeps the SPI's event contract (ChannelContext.onEvent: "on a Hub thread, never
 * concurrently"): before the fix, listeners ran on each registering thread, so two producers offering at
 * once ran them at the same time, inside the producers' own calls.
 */
public class LocalDirectoryTest {

    private static final int PER_THREAD = 200;

    private final LocalDirectory directory = new LocalDirectory("local");

    @After
    public void close() {
        directory.close();
    }

    @Test
    public void eventsArriveOnOneHubThreadNeverOnTheCallersAndNeverConcurrently() throws Exception {
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        CountDownLatch all = new CountDownLatch(2 * PER_THREAD);
        directory.subscribe(e -> {
            if (inside.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
            }
            threads.add(Thread.currentThread());
            long until = System.nanoTime() + 20_000; // a listener that takes a little time widens the window
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            inside.decrementAndGet();
            all.countDown();
        });
        CyclicBarrier start = new CyclicBarrier(2);
        Thread a = producer("lab.a", start);
        Thread b = producer("lab.b", start);
        a.start();
        b.start();
        a.join();
        b.join();
        assertTrue("every event delivered", all.await(30, TimeUnit.SECONDS));
        assertFalse("never on the registering thread", threads.contains(a) || threads.contains(b));
        assertEquals("one Hub thread: " + threads, 1, threads.size());
        assertEquals("never concurrently", 0, overlaps.get());
    }

    private Thread producer(String prefix, CyclicBarrier start) {
        return new Thread(() -> {
            try {
                start.await();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            for (int i = 0; i < PER_THREAD; i++) {
                directory.register(new ChannelInfo(new ChannelName(prefix + i), ChannelKind.PUBSUB, "local",
                        "inproc://" + prefix + i, null, Map.of(), 0, ChannelState.ACTIVE));
            }
        }, "producer-" + prefix);
    }
}
