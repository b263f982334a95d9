package io.labhub.validation;

import io.labhub.api.ChannelName;
import io.labhub.api.InvalidInputException;
import org.junit.Test;

import static io.labhub.validation.Refused.assertRefused;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

public class ChannelNameTest {

    private final Validator validator = Validators.defaults();

    private void accepted(String name) {
        ChannelName checked = validator.channelName(name);
        assertEquals(name, checked.value());
    }

    private InvalidInputException refused(String rule, String name) {
        return assertRefused(rule, () -> validator.channelName(name));
    }

    @Test
    public void acceptsNamesOfTheDesignRule() {
        accepted("a");
        accepted("Z");
        accepted("camera1.frames");
        accepted("lab.room-3.cam_2.frames");
        accepted("A-b_c.d-e");
        accepted("a.b.c.d.e.f");
        accepted("a-");
        accepted("a_");
        accepted("a1.2.3");
        accepted("a.-._");
    }

    @Test
    public void acceptsExactly255Characters() {
        accepted("a".repeat(255));
        accepted("a." + "b".repeat(253));
    }

    @Test
    public void refusesNullAndEmpty() {
        InvalidInputException e = refused("name.null", null);
        assertEquals("null", e.value());
        assertTrue(e.getMessage().endsWith(": null"));
        refused("name.empty", "");
    }

    @Test
    public void refuses256CharactersAndMuchLongerWithATruncatedValue() {
        InvalidInputException e = refused("name.length", "a".repeat(256));
        assertEquals("a".repeat(64) + "...(256 chars)", e.value());
        assertTrue(e.getMessage().contains("this one has 256"));

        InvalidInputException huge = refused("name.length", "b".repeat(1_000_000));
        assertTrue(huge.value().endsWith("...(1000000 chars)"));
        assertTrue("message stays short: " + huge.getMessage().length(), huge.getMessage().length() < 300);
    }

    @Test
    public void refusesPathSeparatorsAndTraversal() {
        refused("name.charset", "a/b");
        refused("name.charset", "/etc/passwd");
        refused("name.charset", "../etc/passwd");
        refused("name.charset", "C:\\Windows");
        InvalidInputException backslash = refused("name.charset", "a\\b");
        assertEquals("a\\\\b", backslash.value());
        assertTrue(backslash.getMessage().contains("'\\\\' (U+005C) at index 1"));
        assertTrue(refused("name.charset", "a/b").getMessage().contains("'/' (U+002F) at index 1"));
    }

    @Test
    public void refusesDotsThatMakeAnEmptyLevel() {
        refused("name.start", "..");
        refused("name.start", ".");
        refused("name.start", ".hidden");
        refused("name.level", "a..b");
        refused("name.level", "a...b");
        refused("name.level", "a.");
        refused("name.level", "a.b.");
        assertTrue(refused("name.level", "ab..c").getMessage().contains("index 2"));
    }

    @Test
    public void refusesANameThatDoesNotStartWithALetter() {
        refused("name.start", "1camera");
        refused("name.start", "_camera");
        refused("name.start", "-camera");
    }

    @Test
    public void refusesNulAndControlCharactersAndShowsThemEscaped() {
        InvalidInputException nul = refused("name.charset", "a\u0000b");
        assertEquals("a\\u0000b", nul.value());
        assertTrue(nul.getMessage().contains("\"a\\u0000b\""));
        assertTrue(nul.getMessage().contains("U+0000 at index 1"));

        assertEquals("cam\\u000Aforged log line", refused("name.charset", "cam\nforged log line").value());
        assertEquals("a\\u000Db", refused("name.charset", "a\rb").value());
        assertEquals("a\\u0009b", refused("name.charset", "a\tb").value());
        assertEquals("a\\u007Fb", refused("name.charset", "a\u007Fb").value());
        assertEquals("a\\u001B[31mred", refused("name.charset", "a\u001B[31mred").value());
        refused("name.charset", "a b");
        refused("name.charset", "a\u0085b");
    }

    @Test
    public void refusesUnicodeLookAlikesAndShowsWhatTheyAre() {
        // Cyrillic U+0430 looks like the Latin a.
        InvalidInputException cyrillic = refused("name.charset", "c\u0430mera");
        assertEquals("c\\u0430mera", cyrillic.value());
        assertTrue(cyrillic.getMessage().contains("U+0430 at index 1"));
        // A name made only of a look-alike fails on the first character, before the start rule.
        refused("name.charset", "\u0430");
        // Fullwidth letters.
        assertEquals("\\uFF43\\uFF41\\uFF4D", refused("name.charset", "\uFF43\uFF41\uFF4D").value());
        // A combining mark after a plain letter.
        assertTrue(refused("name.charset", "came\u0301ra").getMessage().contains("U+0301 at index 4"));
        // Invisible characters: zero-width space, right-to-left override, BOM.
        refused("name.charset", "a\u200Bb");
        refused("name.charset", "a\u202Eb");
        refused("name.charset", "\uFEFFab");
        // Latin letters with diacritics and the Kelvin sign (folds to k) are not ASCII either.
        refused("name.charset", "caf\u00E9");
        refused("name.charset", "\u212Aelvin");
    }

    @Test
    public void refusesEmojiAndShowsBothSurrogates() {
        InvalidInputException e = refused("name.charset", "cam\uD83D\uDE00");
        assertEquals("cam\\uD83D\\uDE00", e.value());
        assertTrue(e.getMessage().contains("U+1F600 at index 3"));
        refused("name.charset", "cam\uD83D");
    }

    @Test
    public void truncatesALongHostileNameAfterEscaping() {
        String hostile = "a" + "\u0000".repeat(299);
        InvalidInputException e = refused("name.length", hostile + "x");
        assertEquals("a" + "\\u0000".repeat(63) + "...(301 chars)", e.value());
        InvalidInputException charset = refused("name.charset", "a" + "\n".repeat(200));
        assertTrue(charset.value().endsWith("...(201 chars)"));
    }
}
