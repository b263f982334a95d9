package io.labhub.transport.zmq.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

public class GapTrackerTest {

    private final GapTracker tracker = new GapTracker();

    @Test
    public void firstMessageSkipsNothingEvenForALateJoiner() {
        GapTracker.Step s = tracker.onMessage(7, 1000);
        assertEquals(0, s.skipped());
        assertFalse(s.newSession());
    }

    @Test
    public void consecutiveSequencesSkipNothingAndHolesAreCounted() {
        tracker.onMessage(7, 1);
        assertEquals(0, tracker.onMessage(7, 2).skipped());
        assertEquals(3, tracker.onMessage(7, 6).skipped());
        assertEquals(0, tracker.onMessage(7, 7).skipped());
    }

    @Test
    public void aSequenceThatDoesNotAdvanceSkipsNothingAndDoesNotRewind() {
        tracker.onMessage(7, 10);
        assertEquals(0, tracker.onMessage(7, 10).skipped());
        assertEquals(0, tracker.onMessage(7, 4).skipped());
        assertEquals(0, tracker.onMessage(7, 11).skipped());
    }

    @Test
    public void aNewSessionCountsTheNewPublishersEarlierMessages() {
        tracker.onMessage(7, 500);
        GapTracker.Step s = tracker.onMessage(8, 4);
        assertTrue(s.newSession());
        assertEquals(3, s.skipped());
        assertEquals(0, tracker.onMessage(8, 5).skipped());
        GapTracker.Step fresh = tracker.onMessage(9, 1);
        assertTrue(fresh.newSession());
        assertEquals(0, fresh.skipped());
    }
}
