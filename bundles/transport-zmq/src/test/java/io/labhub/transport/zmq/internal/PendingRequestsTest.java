package io.labhub.transport.zmq.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.Test;

public class PendingRequestsTest {

    private final PendingRequests pending = new PendingRequests();

    private static PendingRequests.Pending request(long id, long deadline) {
        return new PendingRequests.Pending(id, deadline, 100, new byte[WireFormat.HEADER_LENGTH], new CompletableFuture<>());
    }

    @Test
    public void repliesFindTheirRequestByIdInAnyOrder() {
        PendingRequests.Pending a = request(1, 1_000);
        PendingRequests.Pending b = request(2, 2_000);
        pending.add(a);
        pending.add(b);
        assertSame(b, pending.complete(2));
        assertSame(a, pending.complete(1));
        assertEquals(0, pending.size());
    }

    @Test
    public void aReplyToAnUnknownOrExpiredIdFindsNothing() {
        pending.add(request(1, 1_000));
        assertNull(pending.complete(99));
        List<PendingRequests.Pending> expired = pending.expire(1_000);
        assertEquals(1, expired.size());
        assertNull("a late reply to an expired request is not delivered", pending.complete(1));
    }

    @Test
    public void expiryTakesOnlyRequestsPastTheirDeadlineAndSkipsCompletedOnes() {
        pending.add(request(1, 1_000));
        pending.add(request(2, 3_000));
        pending.add(request(3, 2_000));
        pending.complete(1);
        assertTrue(pending.expire(1_500).isEmpty());
        List<PendingRequests.Pending> expired = pending.expire(2_500);
        assertEquals(1, expired.size());
        assertEquals(3, expired.get(0).id);
        assertEquals(1, pending.size());
    }

    @Test
    public void nextDeadlineIsRoundedUpAndIgnoresCompletedRequests() {
        assertEquals(-1, pending.millisToNextDeadline(0));
        pending.add(request(1, 1_000_000));
        pending.add(request(2, 5_500_000));
        assertEquals(1, pending.millisToNextDeadline(0));
        pending.complete(1);
        assertEquals(6, pending.millisToNextDeadline(0));
        assertEquals(0, pending.millisToNextDeadline(6_000_000));
    }

    @Test
    public void deferredRequestsComeBackOnlyWhileStillPending() {
        PendingRequests.Pending a = request(1, 1_000);
        PendingRequests.Pending b = request(2, 1_000);
        pending.add(a);
        pending.add(b);
        pending.deferSend(a);
        pending.deferSend(b);
        pending.complete(1);
        assertTrue(pending.hasUnsent());
        assertEquals(List.of(b), pending.takeUnsent());
        assertFalse(pending.hasUnsent());
        assertEquals(1, pending.clear().size());
        assertEquals(0, pending.size());
    }
}
