package io.labhub.validation.internal;

import io.labhub.api.InvalidInputException;
import org.junit.Test;

import static io.labhub.validation.Refused.assertPrintableAscii;
import static org.junit.Assert.assertEquals;

public class RefusalsTest {

    @Test
    public void leavesPrintableAsciiAlone() {
        assertEquals("camera1.frames -_:/", Refusals.display("camera1.frames -_:/"));
    }

    @Test
    public void escapesEverythingElse() {
        assertEquals("\\u0000\\u0009\\u000A\\u000D\\u001F\\u007F\\u0080\\u00A0",
                Refusals.display("\u0000\t\n\r\u001F\u007F\u0080\u00A0"));
        assertEquals("\\u0430\\uFF41\\u0301\\uD83D\\uDE00\\uFFFF", Refusals.display("\u0430\uFF41\u0301\uD83D\uDE00\uFFFF"));
    }

    @Test
    public void escapesBackslashAndQuoteSoThatAnEscapeCannotBeForged() {
        // A value that spells a backslash-u escape is not shown like a real NUL.
        assertEquals("\\\\u0000", Refusals.display("\\u0000"));
        assertEquals("\\u0000", Refusals.display("\u0000"));
        assertEquals("say \\\"hi\\\"", Refusals.display("say \"hi\""));
    }

    @Test
    public void truncatesTo64CharactersAndGivesTheLength() {
        assertEquals("x".repeat(64), Refusals.display("x".repeat(64)));
        assertEquals("x".repeat(64) + "...(65 chars)", Refusals.display("x".repeat(65)));
        assertEquals("\\u0000".repeat(64) + "...(1000 chars)", Refusals.display("\u0000".repeat(1000)));
    }

    @Test
    public void showsNullAsNull() {
        assertEquals("null", Refusals.display(null));
        InvalidInputException e = Refusals.refuse("x.null", null, "x is required");
        assertEquals("[x.null] x is required: null", e.getMessage());
    }

    @Test
    public void buildsTheMessageFromRuleSentenceAndQuotedValue() {
        InvalidInputException e = Refusals.refuse("x.rule", "a\nb", "x is bad");
        assertEquals("x.rule", e.rule());
        assertEquals("a\\u000Ab", e.value());
        assertEquals("[x.rule] x is bad: \"a\\u000Ab\"", e.getMessage());
        assertPrintableAscii(e.getMessage());
    }

    @Test
    public void describesACharacterByItsCodePoint() {
        assertEquals("'/' (U+002F)", Refusals.describeChar("a/b", 1));
        assertEquals("'\\\\' (U+005C)", Refusals.describeChar("\\", 0));
        assertEquals("U+0000", Refusals.describeChar("\u0000", 0));
        assertEquals("U+1F600", Refusals.describeChar("\uD83D\uDE00", 0));
    }
}
