package io.labhub.transport.zmq.internal;

import static io.labhub.transport.zmq.internal.TransportFixture.DEADLINE;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelState;
import io.labhub.api.ChannelTimeoutException;
import io.labhub.api.Channel;
import io.labhub.api.ConsumerOptions;
import io.labhub.api.ErrorCode;
import io.labhub.api.Message;
import io.labhub.api.Publisher;
import io.labhub.api.RequestClient;
import io.labhub.api.RequestServer;
import io.labhub.api.Subscriber;
import io.labhub.api.ZmqOptions;
import io.labhub.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.RuleChain;
import org.junit.rules.TemporaryFolder;

/**
 * Issue 13 item 5's finding: a consumer behind a cut link learned nothing (the broker, on the far side,
 * still saw its producer heartbeating, and its {@code producer_lost} could not cross the cut). Here a
 * {@link CutRelay} between consumer and producer is cut like a cable (silence, no reset): the consumer's
 * own ZMTP heartbeats make {@link Channel#producerState()} {@code PRODUCER_LOST} within a deadline, and
 * {@code ACTIVE} again after the link is back, the socket having reconnected by itself (one reconnect),
 * with the subscriber's gap counted from the sequence numbers and the request client's requests timing out
 * (typed) during the cut and answered after. Failed before the change: producerState() stayed ACTIVE.
 */
public class ProducerLivenessTest {

    /** No message for this long: nothing is in flight any more (the publisher has stopped). */
    private static final Duration QUIET = Duration.ofMillis(200);

    /** Heartbeat 500 ms + timeout 1500 ms (the defaults) puts a dead link's detection at about 2 s. */
    private static final Duration DETECTION = Duration.ofSeconds(6);

    private final TemporaryFolder tmp = new TemporaryFolder();
    private final TransportFixture f = new TransportFixture(tmp);

    @Rule
    public RuleChain rules = RuleChain.outerRule(tmp).around(f);

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The channel's registration pointed at a relay in front of its producer. */
    private CutRelay relayed(String name) throws Exception {
        ChannelInfo direct = f.registry.info(name);
        CutRelay relay = f.closeLater(new CutRelay(direct.endpoint()));
        f.registry.register(new ChannelInfo(direct.name(), direct.kind(), direct.producer(), relay.endpoint(),
                direct.serverKey(), direct.metadata(), 0, ChannelState.ACTIVE));
        return relay;
    }

    /** Publishes {@code probe} until it arrives; returns it, adding the skipped counts of everything read. */
    private static Message firstThrough(Publisher pub, Subscriber sub, byte[] probe, long[] skipped) {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < end) {
            pub.publish(probe);
            Optional<Message> m = sub.poll();
            while (m.isPresent()) {
                skipped[0] += m.get().skipped();
                if (Arrays.equals(m.get().payload(), probe)) {
                    return m.get();
                }
                m = sub.poll();
            }
            pause();
        }
        throw new AssertionError("nothing got through within " + DEADLINE);
    }

    /** Publishes while waiting for the subscriber's view of its producer to become {@code state}. */
    private static void publishUntil(Publisher pub, Subscriber sub, ChannelState state, Duration deadline, long[] skipped) {
        long end = System.nanoTime() + deadline.toNanos();
        while (sub.producerState() != state) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("producerState() still " + sub.producerState() + ", not " + state + " after "
                        + deadline.toMillis() + " ms");
            }
            pub.publish(utf8("tick"));
            for (Optional<Message> m = sub.poll(); m.isPresent(); m = sub.poll()) {
                skipped[0] += m.get().skipped();
            }
            pause();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(5); // a publishing pace, not a stand-in for synchronisation
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    public void subscriberLearnsOfACutLinkByItselfAndResumesWithTheGapCounted() throws Exception {
        Publisher pub = f.closeLater(f.producerPubSub.createPublisher(f.registry.context("cut.telemetry", ChannelKind.PUBSUB),
                ZmqOptions.DEFAULTS));
        CutRelay relay = relayed("cut.telemetry");
        Subscriber sub = f.closeLater(f.consumerPubSub.openSubscriber(
                f.registry.context("cut.telemetry", ChannelKind.PUBSUB), ConsumerOptions.DEFAULTS));
        long[] skipped = {0};
        firstThrough(pub, sub, utf8("before"), skipped);
        assertEquals(ChannelState.ACTIVE, sub.producerState());
        assertEquals(0, sub.counters().reconnects());

        relay.cut();
        publishUntil(pub, sub, ChannelState.PRODUCER_LOST, DETECTION, skipped);
        for (int i = 0; i < 100; i++) {
            pub.publish(utf8("into the cut"));
        }
        assertEquals("nothing comes through a cut link", ChannelState.PRODUCER_LOST, sub.producerState());

        relay.restore();
        publishUntil(pub, sub, ChannelState.ACTIVE, DEADLINE, skipped);
        Message after = firstThrough(pub, sub, utf8("after"), skipped);
        assertTrue("the messages published into the cut show as a gap (skipped " + skipped[0] + ")", skipped[0] >= 100);
        assertEquals("gaps counter sums Message.skipped", skipped[0], sub.counters().gaps());
        assertEquals("the socket came back by itself: one reconnect", 1, sub.counters().reconnects());
        assertEquals(ChannelState.ACTIVE, sub.producerState());
        long next = pub.publish(utf8("resumed"));
        Message resumed = firstThrough(pub, sub, utf8("resumed"), skipped);
        assertTrue(resumed.sequence() >= next && after.sequence() < next);
        sub.close();
        assertEquals(ChannelState.CLOSED, sub.producerState());
    }

    @Test
    public void requestClientLearnsOfACutLinkByItselfTimesOutTypedAndIsAnsweredAfter() throws Exception {
        f.closeLater(f.producerReqRep.createServer(f.registry.context("cut.stage", ChannelKind.REQREP),
                r -> new String(r, StandardCharsets.UTF_8).toUpperCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8),
                ZmqOptions.DEFAULTS));
        CutRelay relay = relayed("cut.stage");
        RequestClient client = f.closeLater(f.consumerReqRep.openClient(
                f.registry.context("cut.stage", ChannelKind.REQREP), ConsumerOptions.DEFAULTS));
        assertEquals("ONE", new String(client.request(utf8("one"), DEADLINE), StandardCharsets.UTF_8));
        assertEquals(ChannelState.ACTIVE, client.producerState());

        relay.cut();
        ChannelTimeoutException e = assertThrows(ChannelTimeoutException.class,
                () -> client.request(utf8("two"), Duration.ofMillis(300)));
        assertEquals(ErrorCode.TIMEOUT, e.code());
        Await.until("the client sees its producer lost", DETECTION,
                () -> client.producerState() == ChannelState.PRODUCER_LOST);
        e = assertThrows(ChannelTimeoutException.class, () -> client.request(utf8("three"), Duration.ofMillis(300)));
        assertEquals(ErrorCode.TIMEOUT, e.code());

        relay.restore();
        assertEquals("FOUR", new String(client.request(utf8("four"), DEADLINE), StandardCharsets.UTF_8));
        assertEquals(ChannelState.ACTIVE, client.producerState());
        assertEquals("the socket came back by itself: one reconnect", 1, client.counters().reconnects());
        assertTrue(client.counters().timeouts() >= 2);
    }

    @Test
    public void theBrokersProducerLostEventHoldsUntilDataFlowsAgain() {
        Publisher pub = f.closeLater(f.producerPubSub.createPublisher(f.registry.context("lost.by.broker", ChannelKind.PUBSUB),
                ZmqOptions.DEFAULTS));
        Subscriber sub = f.closeLater(f.consumerPubSub.openSubscriber(
                f.registry.context("lost.by.broker", ChannelKind.PUBSUB), ConsumerOptions.DEFAULTS));
        long[] skipped = {0};
        firstThrough(pub, sub, utf8("before"), skipped);
        // Copies published while the first was on its way still arrive, and each one (rightly) proves the
        // producer alive again: let them land before the broker speaks (it failed 2 module runs in 2 without).
        long[] lastArrival = {System.nanoTime()};
        Await.until("the messages in flight have arrived", DEADLINE, () -> {
            Optional<Message> m = sub.poll();
            if (m.isPresent()) {
                skipped[0] += m.get().skipped();
                lastArrival[0] = System.nanoTime();
                return false;
            }
            return System.nanoTime() - lastArrival[0] > QUIET.toNanos();
        });
        f.registry.producerLost("lost.by.broker");
        Await.until("the subscriber takes the broker's word", DEADLINE,
                () -> sub.producerState() == ChannelState.PRODUCER_LOST);
        firstThrough(pub, sub, utf8("still here"), skipped);
        assertEquals("a message from the producer proves it alive", ChannelState.ACTIVE, sub.producerState());
        assertEquals("no connection was lost: no reconnect", 0, sub.counters().reconnects());
    }
}
