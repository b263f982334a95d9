package io.labhub.sample.stage;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.labhub.api.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.Test;

public class MotionTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final Motion axis = new Motion(0, 100, 20, 0, now::get);

    @Test
    public void positionFollowsTheSpeedUntilTheTarget() {
        long[] move = axis.moveTo(10);
        assertEquals(500_000_000L, move[1]); // 10 mm at 20 mm/s
        now.addAndGet(250_000_000L);
        assertEquals(5.0, axis.position(), 1e-9);
        assertTrue(axis.moving());
        now.addAndGet(1_000_000_000L);
        assertEquals(10.0, axis.position(), 1e-9);
        assertFalse(axis.moving());
    }

    @Test
    public void stopHoldsThePositionReached() {
        axis.moveTo(100);
        now.addAndGet(1_000_000_000L);
        assertEquals(20.0, axis.stop(), 1e-9);
        now.addAndGet(1_000_000_000L);
        assertEquals(20.0, axis.position(), 1e-9);
    }

    @Test
    public void outOfRangeTargetsAreRefusedWithTheRule() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> axis.moveTo(100.5));
        assertEquals("stage.range", e.rule());
        assertThrows(InvalidInputException.class, () -> axis.moveTo(Double.NaN));
        assertEquals(0.0, axis.position(), 1e-9);
    }

    @Test
    public void aStopEndsAWaitingMoveAsNotArrived() throws Exception {
        Motion real = new Motion(0, 100, 1, 0, System::nanoTime);
        long[] move = real.moveTo(50); // 50 s: only a stop can end it early
        Thread stopper = new Thread(real::stop);
        stopper.start();
        assertFalse(real.awaitArrival(move[0], move[1]));
        stopper.join();
    }

    @Test
    public void unknownCommandsGetATypedError() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> new Handler().handle("jump 3".getBytes(StandardCharsets.UTF_8)));
        assertEquals("stage.command", e.rule());
        assertTrue(e.getMessage(), e.getMessage().contains("move MM, position, stop"));
        assertTrue(new String(new Handler().handleQuietly("position"), StandardCharsets.UTF_8).startsWith("position 0.000 mm"));
    }

    /** The driver's request parsing without a Hub. */
    private static final class Handler {
        byte[] handle(byte[] request) throws Exception {
            return StageDriver.handle(new Motion(0, 100, 20, 0, System::nanoTime), request);
        }

        byte[] handleQuietly(String request) {
            try {
                return handle(request.getBytes(StandardCharsets.UTF_8));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }
}
