package io.labhub.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.labhub.api.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.Test;

public class FormatTest {

    @Test
    public void durationsAcceptMillisecondsSecondsAndBareNumbers() {
        assertEquals(Duration.ofMillis(500), Format.duration("TIMEOUT", "500ms"));
        assertEquals(Duration.ofSeconds(5), Format.duration("TIMEOUT", "5s"));
        assertEquals(Duration.ofMillis(2000), Format.duration("TIMEOUT", "2000"));
    }

    @Test
    public void badDurationsAndCountsAreRefusedWithTheRule() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Format.duration("TIMEOUT", "soon"));
        assertTrue(e.getMessage(), e.getMessage().contains("'soon'"));
        assertThrows(InvalidInputException.class, () -> Format.duration("TIMEOUT", "0"));
        assertThrows(InvalidInputException.class, () -> Format.count("COUNT", "-3", 10));
        assertThrows(InvalidInputException.class, () -> Format.count("COUNT", "11", 10));
        assertEquals(3, Format.count("COUNT", "3", 10));
    }

    @Test
    public void tablesAlignColumns() {
        String t = Format.table(List.of(new String[] {"NAME", "KIND"}, new String[] {"camera1.frames", "shm"}));
        String[] lines = t.split(System.lineSeparator());
        assertEquals(lines[0].indexOf("KIND"), lines[1].indexOf("shm"));
    }

    @Test
    public void binaryPayloadsAreShownAsHexAndTextAsText() {
        assertEquals("21.5 C", Format.payload("21.5 C".getBytes(StandardCharsets.UTF_8)));
        assertTrue(Format.payload(new byte[] {0, 1, 2}).startsWith("3 bytes: 00 01 02"));
        assertEquals("-", Format.rate(Double.NaN));
        assertEquals("ABCDEFGH..", Format.shortKey("ABCDEFGHIJKLMNOP"));
    }
}
