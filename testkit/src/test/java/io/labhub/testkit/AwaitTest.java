package io.labhub.testkit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.Test;

public class AwaitTest {

    @Test
    public void returnsAsSoonAsTheConditionHolds() {
        AtomicInteger polls = new AtomicInteger();
        Await.until("the third poll", Duration.ofSeconds(10), () -> polls.incrementAndGet() >= 3);
        assertEquals(3, polls.get());
    }

    @Test
    public void failsAtTheDeadlineSayingWhatWasAwaited() {
        long start = System.nanoTime();
        AssertionError e = assertThrows(AssertionError.class, () -> Await.until("never", Duration.ofMillis(50), () -> false));
        assertEquals("timed out after 50 ms waiting for: never", e.getMessage());
        assertTrue(System.nanoTime() - start >= Duration.ofMillis(50).toNanos());
    }

    @Test
    public void withinSaysWhetherItHeld() {
        assertTrue(Await.within("now", Duration.ZERO, () -> true));
        assertFalse(Await.within("never", Duration.ofMillis(20), () -> false));
    }

    @Test
    public void aThrowingConditionFailsAtOnceWithItsCause() {
        AssertionError e = assertThrows(AssertionError.class, () -> Await.until("io", Duration.ofSeconds(10), () -> {
            throw new IOException("disk");
        }));
        assertTrue(e.getMessage(), e.getMessage().startsWith("failed waiting for: io"));
        assertTrue(e.getCause() instanceof IOException);
    }

    @Test
    public void valueReturnsTheFirstNonNull() {
        AtomicInteger n = new AtomicInteger();
        assertEquals("x", Await.value("x", Duration.ofSeconds(10), () -> n.incrementAndGet() < 3 ? null : "x"));
    }

    @Test
    public void untilAssertedKeepsTheLastFailure() {
        AssertionError e = assertThrows(AssertionError.class, () -> Await.untilAsserted("two", Duration.ofMillis(30),
                () -> assertEquals(2, 1)));
        assertTrue(e.getMessage(), e.getMessage().contains("waiting for: two (last: expected:<2> but was:<1>)"));
    }

    @Test
    public void anInterruptEndsTheWait() {
        Thread.currentThread().interrupt();
        AssertionError e = assertThrows(AssertionError.class, () -> Await.until("x", Duration.ofSeconds(10), () -> false));
        assertEquals("interrupted waiting for: x", e.getMessage());
        assertTrue(Thread.interrupted());
    }
}
