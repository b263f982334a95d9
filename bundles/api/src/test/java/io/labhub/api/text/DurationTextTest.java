package io.labhub.api.text;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.time.Duration;

import org.junit.Test;

import io.labhub.api.InvalidInputException;

public class DurationTextTest {

    @Test
    public void millisecondsSecondsAndBareNumbersUpToAnHour() {
        assertEquals(Duration.ofMillis(500), DurationText.parse("--interval", "500ms"));
        assertEquals(Duration.ofSeconds(5), DurationText.parse("--interval", " 5S "));
        assertEquals(Duration.ofMillis(2000), DurationText.parse("--interval", "2000"));
        assertEquals(Duration.ZERO, DurationText.parse("--interval", "0"));
        assertEquals(DurationText.MAX, DurationText.parse("--interval", "3600s"));
    }

    @Test
    public void anythingElseIsRefusedNamingTheOptionAndShowingTheTextSafely() {
        for (String bad : new String[] {"soon", "", "-1", "3601s", "9223372036854775807s", "5 min", "1e3", null}) {
            InvalidInputException e = assertThrows(String.valueOf(bad), InvalidInputException.class,
                    () -> DurationText.parse("--interval", bad));
            assertEquals("duration", e.rule());
            assertTrue(e.getMessage(), e.getMessage().startsWith("--interval must be a duration"));
        }
        InvalidInputException hostile = assertThrows(InvalidInputException.class, () -> DurationText.parse("x", "5\u0000s\n"));
        assertTrue(hostile.getMessage(), hostile.getMessage().contains("\\u0000"));
        InvalidInputException zero = assertThrows(InvalidInputException.class, () -> DurationText.positive("TIMEOUT", "0ms"));
        assertTrue(zero.getMessage(), zero.getMessage().contains("must be positive"));
    }
}
