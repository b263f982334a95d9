package io.labhub.validation.internal;

import io.labhub.api.InvalidInputException;
import org.junit.Test;

import static io.labhub.validation.Refused.assertPrintableAscii;
import static org.junit.Assert.assertEquals;

public class RefusalsTest {

    @Test
    public void showsNullAsNull() {
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
