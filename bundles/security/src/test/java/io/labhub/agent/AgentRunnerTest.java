package io.labhub.agent;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import io.labhub.testkit.Await;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

public class AgentRunnerTest {

    /** An agent that runs queued tasks: the shape of every LabHub socket loop. */
    static final class TaskAgent implements Agent {
        final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
        final AtomicInteger passes = new AtomicInteger();
        final CountDownLatch closed = new CountDownLatch(1);
        volatile boolean started;

        @Override
        public void onStart() {
            started = true;
        }

        @Override
        public int doWork() {
            passes.incrementAndGet();
            int n = 0;
            Runnable r;
            while ((r = tasks.poll()) != null) {
                r.run();
                n++;
            }
            return n;
        }

        @Override
        public void onClose() {
            closed.countDown();
        }

        @Override
        public String roleName() {
            return "test-agent";
        }
    }

    @Test
    public void aWakeEndsALongSleepAtOnce() throws Exception {
        SocketIdleStrategy idle = new SocketIdleStrategy(60_000);
        TaskAgent agent = new TaskAgent();
        AgentRunner runner = new AgentRunner(agent, idle).start();
        try {
            Await.until("agent asleep after its first passes", Duration.ofSeconds(10), () -> agent.passes.get() >= 1);
            for (int i = 0; i < 100; i++) {
                CountDownLatch ran = new CountDownLatch(1);
                agent.tasks.add(ran::countDown);
                idle.wake();
                // the idle timeout is a minute: only the wake-up can end the sleep within the deadline
                assertTrue("task " + i + " ran after a wake", ran.await(10, TimeUnit.SECONDS));
            }
            assertTrue(agent.started);
        } finally {
            runner.close();
        }
        assertEquals("onClose ran before close() returned", 0, agent.closed.getCount());
        assertFalse(runner.isRunning());
    }

    @Test
    public void inputOnAWatchedSocketEndsTheSleep() throws Exception {
        try (ZContext context = new ZContext()) {
            ZMQ.Socket in = context.createSocket(SocketType.PAIR);
            ZMQ.Socket out = context.createSocket(SocketType.PAIR);
            in.bind("inproc://agent-test");
            out.connect("inproc://agent-test");
            SocketIdleStrategy idle = new SocketIdleStrategy(60_000);
            AtomicInteger received = new AtomicInteger();
            Agent agent = new Agent() {
                @Override
                public void onStart() {
                    idle.watch(in);
                }

                @Override
                public int doWork() {
                    int n = 0;
                    while (in.recv(ZMQ.DONTWAIT) != null) {
                        n++;
                    }
                    received.addAndGet(n);
                    return n;
                }

                @Override
                public void onClose() {
                    idle.unwatch(in);
                }

                @Override
                public String roleName() {
                    return "test-socket-agent";
                }
            };
            AgentRunner runner = new AgentRunner(agent, idle).start();
            try {
                for (int i = 1; i <= 20; i++) {
                    out.send("m" + i);
                    int expected = i;
                    Await.until("message " + i + " read", Duration.ofSeconds(10), () -> received.get() == expected);
                }
            } finally {
                runner.close();
            }
        }
    }

    @Test
    public void closeFromTheAgentThreadReturnsAndStopsIt() throws Exception {
        SocketIdleStrategy idle = new SocketIdleStrategy(60_000);
        TaskAgent agent = new TaskAgent();
        AgentRunner runner = new AgentRunner(agent, idle).start();
        agent.tasks.add(runner::close);
        idle.wake();
        assertTrue(agent.closed.await(10, TimeUnit.SECONDS));
        assertTrue(runner.join(10_000));
        runner.close(); // again, from outside: no-op
    }

    @Test
    public void aFailingAgentIsClosedAndMarkedFailed() throws Exception {
        CountDownLatch closed = new CountDownLatch(1);
        AgentRunner runner = new AgentRunner(new Agent() {
            @Override
            public int doWork() {
                throw new IllegalStateException("boom (expected by the test)");
            }

            @Override
            public void onClose() {
                closed.countDown();
            }

            @Override
            public String roleName() {
                return "test-failing-agent";
            }
        }, new SocketIdleStrategy(1000)).start();
        assertTrue(closed.await(10, TimeUnit.SECONDS));
        assertTrue(runner.join(10_000));
        assertTrue(runner.failed());
    }

    @Test
    public void closeKeepsTheCallersInterrupt() {
        SocketIdleStrategy idle = new SocketIdleStrategy(60_000);
        TaskAgent agent = new TaskAgent();
        AgentRunner runner = new AgentRunner(agent, idle).start();
        Thread.currentThread().interrupt();
        runner.close();
        assertTrue("interrupt kept", Thread.interrupted());
        assertEquals(0, agent.closed.getCount());
    }

    @Test
    public void pendingTableExpiresByDeadlineAndFindsById() {
        PendingTable<String, String> table = new PendingTable<>();
        long now = 1_000_000_000L;
        table.add("a", now + 5_000_000, "A");
        table.add("b", now + 1_000_000, "B");
        table.add("c", now + 9_000_000, "C");
        assertEquals(1, table.millisToNextDeadline(now));
        assertEquals("B", table.remove("b"));
        assertNull("answered once only", table.remove("b"));
        assertEquals(5, table.millisToNextDeadline(now));
        assertEquals(List.of(), table.expire(now + 4_999_999));
        assertEquals(List.of("A"), table.expire(now + 5_000_000));
        assertNull("expired: a late reply finds nothing", table.remove("a"));
        assertEquals(1, table.size());
        assertEquals(List.of("C"), table.clear());
        assertTrue(table.isEmpty());
        assertEquals(-1, table.millisToNextDeadline(now));
    }
}
