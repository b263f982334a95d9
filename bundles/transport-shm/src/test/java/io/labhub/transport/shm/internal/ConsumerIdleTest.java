package io.labhub.transport.shm.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.time.Duration;

import org.junit.Test;

import io.labhub.api.LabHubException;
import io.labhub.api.WaitStrategy;

/**
 * The modes of a reader waiting at the producer's heels ({@link ConsumerIdle}), driven by a scripted reader: the
 * reply mode looks at the next slot at once, the stream mode holds off and takes a batch, and the reply mode's
 * probe gets a stream out of the reply mode it would otherwise keep feeding.
 */
public class ConsumerIdleTest {

    private static final long WAIT = Duration.ofSeconds(5).toNanos();

    /**
     * A reader scripted as a stream or a reply: {@code pollSlot} finds nothing at the first look of a wait and the
     * frame at the second (the frame is being written when the reader arrives, as at a producer's heels);
     * {@code tryNext} (the read after a hold-off) finds a frame, with more announced behind it in a stream only.
     */
    private static final class Scripted implements ConsumerIdle.Reader<Object> {
        final boolean stream;
        int firstLooks;
        int pollSlots;
        int tryNexts;
        private boolean looked;

        Scripted(boolean stream) {
            this.stream = stream;
        }

        void newWait() {
            looked = false;
        }

        @Override
        public Object tryNext() {
            tryNexts++;
            return this;
        }

        @Override
        public boolean moreAnnounced() {
            return stream;
        }

        @Override
        public Object pollSlot() {
            pollSlots++;
            if (!looked) {
                looked = true;
                firstLooks++;
                return null;
            }
            return this;
        }

        @Override
        public long wantedSequence() {
            return 1;
        }

        @Override
        public SegmentMapping beforeSleep() {
            throw new AssertionError("the scripted reader always has a frame before the spin ends");
        }

        @Override
        public boolean open() {
            return true;
        }

        @Override
        public LabHubException segmentLost(String why) {
            throw new AssertionError(why);
        }
    }

    private static ConsumerIdle idle() {
        return new ConsumerIdle(null, new WaitStrategy(Duration.ofSeconds(5), Duration.ZERO), Duration.ofMillis(50));
    }

    private static void waits(ConsumerIdle idle, Scripted reader, int n) {
        for (int i = 0; i < n; i++) {
            reader.newWait();
            assertNotNull(idle.await(WAIT, reader, true));
        }
    }

    @Test
    public void aStreamTheReplyModeKeepsCoupledIsTakenIntoTheStreamModeByTheProbe() {
        ConsumerIdle idle = idle();
        Scripted stream = new Scripted(true);
        // every first look finds nothing: without the probe the reader would spin on the slot for ever
        waits(idle, stream, ConsumerIdle.REPLY_PROBE_PERIOD);
        assertEquals("one hold-off: the probe", 1, stream.tryNexts);
        int before = stream.firstLooks;
        waits(idle, stream, 1000);
        assertEquals("in the stream mode every wait holds off and takes a batch", 1001, stream.tryNexts);
        assertEquals("and no longer spins on the slot the producer writes", before, stream.firstLooks);
    }

    @Test
    public void aReplyStaysInTheReplyModeAndPaysAHoldOffOnceInAProbePeriodOnly() {
        ConsumerIdle idle = idle();
        Scripted reply = new Scripted(false);
        int periods = 10;
        waits(idle, reply, periods * ConsumerIdle.REPLY_PROBE_PERIOD);
        assertEquals("hold-offs: one probe per period", periods, reply.tryNexts);
        assertEquals("every other wait looked at the slot at once", (periods * (ConsumerIdle.REPLY_PROBE_PERIOD - 1)),
                reply.firstLooks);
        assertTrue(reply.pollSlots >= 2 * reply.firstLooks);
    }
}
