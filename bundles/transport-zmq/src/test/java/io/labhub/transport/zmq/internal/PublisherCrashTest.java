package io.labhub.transport.zmq.internal;

import static io.labhub.transport.zmq.internal.TransportFixture.DEADLINE;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelName;
import io.labhub.api.ChannelState;
import io.labhub.api.ConsumerOptions;
import io.labhub.api.Message;
import io.labhub.api.Subscriber;
import io.labhub.testkit.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.RuleChain;
import org.junit.rules.TemporaryFolder;

/**
 * A publisher in another JVM is killed with SIGKILL and started again (new port, same key pair); the
 * subscriber follows it after the REGISTERED event, resumes receiving, and counts the gap.
 */
public class PublisherCrashTest {

    private static final Duration START_DEADLINE = Duration.ofSeconds(60);

    private final TemporaryFolder tmp = new TemporaryFolder();
    private final TransportFixture f = new TransportFixture(tmp);
    private final List<ChildJvm> children = new ArrayList<>();

    @Rule
    public RuleChain rules = RuleChain.outerRule(tmp).around(f);

    @After
    public void killChildren() {
        children.forEach(ChildJvm::close);
    }

    /** A publisher JVM, started once it printed where it publishes. */
    private ChildJvm startPublisher(Path keys) throws Exception {
        ChildJvm child = ChildJvm.main(PublisherProcess.class)
                .args(keys.toString(), f.producerSide.allowListFile().toString(), "crash.test")
                .ready("READY ").readyTimeout(START_DEADLINE).start();
        children.add(child);
        return child;
    }

    /** The registration the child announced ({@code READY endpoint serverKey}). */
    private static ChannelInfo announced(ChildJvm child) {
        String[] words = child.ready().split(" ");
        return new ChannelInfo(new ChannelName("crash.test"), ChannelKind.PUBSUB, words[2], words[1], words[2],
                Map.of(), 0, ChannelState.ACTIVE);
    }

    @Test
    public void subscriberResumesAfterThePublisherIsKilledAndRestartedElsewhere() throws Exception {
        Path keys = tmp.newFolder("child-keys").toPath();
        ChildJvm one = startPublisher(keys);
        ChannelInfo before = announced(one);
        f.registry.register(before);

        Subscriber sub = f.consumerPubSub.openSubscriber(f.registry.context("crash.test", ChannelKind.PUBSUB),
                ConsumerOptions.DEFAULTS);
        Message m = sub.receive(START_DEADLINE);
        long lastOld = m.sequence();
        for (int i = 0; i < 20; i++) {
            m = sub.receive(DEADLINE);
            assertEquals(lastOld + 1, m.sequence());
            lastOld = m.sequence();
        }

        one.kill(); // SIGKILL: no close, no goodbye; returns once the process is gone

        ChannelInfo after = announced(startPublisher(keys));
        assertNotEquals(before.endpoint(), after.endpoint());
        assertEquals("same key pair after the restart", before.serverKey(), after.serverKey());
        f.registry.register(after);

        // Drain what the dead publisher had delivered, until the new session's first message.
        long end = System.nanoTime() + START_DEADLINE.toNanos();
        Message resumed = null;
        while (resumed == null && System.nanoTime() < end) {
            Message next = sub.receive(START_DEADLINE);
            if (next.sequence() != lastOld + 1 || next.skipped() > 0) {
                resumed = next; // the first discontinuity: the new publisher's first message we got
            } else {
                lastOld = next.sequence();
            }
        }
        assertTrue("the subscriber received from the restarted publisher", resumed != null);
        assertEquals("counted as a new session: every earlier message of the new publisher was missed",
                resumed.sequence() - 1, resumed.skipped());
        assertEquals(1, sub.counters().reconnects());
        assertTrue("the gap before the first message of the new publisher is counted",
                sub.counters().gaps() >= resumed.skipped());
        Message then = sub.receive(DEADLINE);
        assertEquals(resumed.sequence() + 1, then.sequence());
        assertEquals(0, then.skipped());
    }
}
