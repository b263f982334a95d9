package io.labhub.cli;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.Test;

public class OptionsTest {

    @Test
    public void optionsMayStandAnywhereAndTakeEitherForm() {
        Options o = Options.parse(new String[] {"--json", "tail", "--home=/opt/hub", "lab.thermometer", "5",
                "--timeout", "2s", "--broker", "tcp://lab-pc:5570"});
        assertEquals("tail", o.verb);
        assertEquals(List.of("lab.thermometer", "5"), o.args);
        assertTrue(o.json);
        assertEquals(Path.of("/opt/hub"), o.home);
        assertEquals(Duration.ofSeconds(2), o.timeout);
        assertEquals("tcp://lab-pc:5570", o.broker);
        assertEquals(5, o.tailCount());
    }

    @Test
    public void statusTakesANodeAndNoArguments() {
        Options o = Options.parse(new String[] {"status", "--node", "lab1", "--json"});
        assertEquals("status", o.verb);
        assertEquals("lab1", o.node);
        assertTrue(o.json);
        assertEquals(null, Options.parse(new String[] {"status"}).node);
        try {
            Options.parse(new String[] {"status", "lab1"});
            fail("status takes no arguments");
        } catch (CliException e) {
            assertEquals(CliException.USAGE, e.exit());
        }
    }

    @Test
    public void doubleDashEndsOptionsSoAPayloadMayStartWithADash() {
        Options o = Options.parse(new String[] {"publish", "x.y", "--", "-5", "--json"});
        assertEquals(List.of("x.y", "-5", "--json"), o.args);
        assertTrue(!o.json);
    }

    @Test
    public void badUsageIsTypedWithExitTwo() {
        for (String[] argv : List.of(new String[] {}, new String[] {"frobnicate"}, new String[] {"info"},
                new String[] {"info", "a", "b"}, new String[] {"channels", "--bogus", "x"}, new String[] {"tail", "a", "0"},
                new String[] {"tail", "a", "--timeout", "soon"}, new String[] {"channels", "--home"},
                new String[] {"request", "stage.x"}, new String[] {"allow", "k", "--file", "f"})) {
            try {
                Options.parse(argv).tailCount();
                fail("accepted " + String.join(" ", argv));
            } catch (CliException e) {
                assertEquals(String.join(" ", argv), CliException.USAGE, e.exit());
                assertTrue(e.line(), e.line().startsWith("labhub-cli: USAGE: "));
            }
        }
    }

    @Test
    public void helpNeedsNothingElse() {
        assertTrue(Options.parse(new String[] {"--help"}).help);
        assertTrue(Options.parse(new String[] {"help"}).help);
    }

    @Test
    public void allowLineKeepsZ85CharactersGogoWouldParse() {
        String key = "1<y#0FzB(=2[*QJ.tnHYJ7ET?N.]Q8V{=Z1TDt>]";
        assertEquals("hub:allow '" + key + "'", Keys.allowLine(key));
    }

    @Test
    public void exitStatusFollowsTheErrorCode() {
        assertEquals(CliException.UNREACHABLE, CliException.from(new io.labhub.api.LabHubException(
                io.labhub.api.ErrorCode.BROKER_UNAVAILABLE, "x")).exit());
        assertEquals(CliException.NOT_ALLOWED, CliException.from(new io.labhub.api.LabHubException(
                io.labhub.api.ErrorCode.KEY_IN_USE, "x")).exit());
        CliException notFound = CliException.from(new io.labhub.api.ChannelNotFoundException("no\nchannel"));
        assertEquals(CliException.FAILED, notFound.exit());
        assertEquals("labhub-cli: CHANNEL_NOT_FOUND: no channel", notFound.line());
    }
}
