package io.labhub.api.text;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

/** Moved from validation's RefusalsTest with the helper (same assertions). */
public class SafeTextTest {
    @Test
    public void leavesPrintableAsciiAlone() {
        assertEquals("camera1.frames -_:/", SafeText.display("camera1.frames -_:/"));
    }

    @Test
    public void escapesEverythingElse() {
        assertEquals("\\u0000\\u0009\\u000A\\u000D\\u001F\\u007F\\u0080\\u00A0",
                SafeText.display("\u0000\t\n\r\u001F\u007F\u0080\u00A0"));
        assertEquals("\\u0430\\uFF41\\u0301\\uD83D\\uDE00\\uFFFF", SafeText.display("\u0430\uFF41\u0301\uD83D\uDE00\uFFFF"));
    }

    @Test
    public void escapesBackslashAndQuoteSoThatAnEscapeCannotBeForged() {
        // A value that spells a backslash-u escape is not shown like a real NUL.
        assertEquals("\\\\u0000", SafeText.display("\\u0000"));
        assertEquals("\\u0000", SafeText.display("\u0000"));
        assertEquals("say \\\"hi\\\"", SafeText.display("say \"hi\""));
    }

    @Test
    public void truncatesTo64CharactersAndGivesTheLength() {
        assertEquals("x".repeat(64), SafeText.display("x".repeat(64)));
        assertEquals("x".repeat(64) + "...(65 chars)", SafeText.display("x".repeat(65)));
        assertEquals("\\u0000".repeat(64) + "...(1000 chars)", SafeText.display("\u0000".repeat(1000)));
    }

    @Test
    public void showsNullAsNull() {
        assertEquals("null", SafeText.display(null));
    }

    /** Moved from security's Z85KeyTest (Z85Key.display was a copy; hex digits are upper case in the one format). */
    @Test
    public void displayEscapesAndTruncates() {
        assertEquals("a\\u000Ab\\u00E9", SafeText.display("a\nb\u00e9"));
        assertTrue(SafeText.display("x".repeat(500)).endsWith("...(500 chars)"));
    }

    @Test
    public void keysShowTheirFirstEightCharactersEscaped() {
        assertEquals("rq:rM>}U...", SafeText.keyPrefix("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"));
        assertEquals("short", SafeText.keyPrefix("short"));
        assertEquals("123456789012", SafeText.keyPrefix("123456789012"));
        assertEquals("\\u0430bcdefgh...", SafeText.keyPrefix("\u0430bcdefghijklmn")); // a look-alike shows as what it is
        assertEquals("null", SafeText.keyPrefix(null));
    }
}
