package io.labhub.cli;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class HubAddressTest {

    private static final String KEY = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";

    @Rule
    public TemporaryFolder folder = new TemporaryFolder();

    private Options options(Path home, String... more) {
        String[] argv = new String[more.length + 3];
        argv[0] = "channels";
        argv[1] = "--home";
        argv[2] = home.toString();
        System.arraycopy(more, 0, argv, 3, more.length);
        return Options.parse(argv);
    }

    @Test
    public void readsTheEndpointAndTheRuntimesOwnKeyAsTheRuntimeDoes() throws Exception {
        Path home = folder.getRoot().toPath();
        Files.createDirectories(home.resolve("conf/keys"));
        Files.writeString(home.resolve("conf/io.labhub.core.cfg"), "broker.endpoint = tcp://127.0.0.1:6000\nbroker.publicKey =\n");
        Files.writeString(home.resolve("conf/keys/labhub.pub"), "# LabHub CURVE public key\n" + KEY + "\n");
        HubAddress a = HubAddress.resolve(options(home));
        assertEquals("tcp://127.0.0.1:6000", a.endpoint());
        assertEquals(KEY, a.requireKey());
        assertEquals(home.resolve("conf/keys/allowed_keys"), a.allowListFile());
    }

    @Test
    public void flagsWinAndDefaultsApplyWithoutConfiguration() {
        Path home = folder.getRoot().toPath();
        HubAddress a = HubAddress.resolve(options(home, "--broker-key", KEY));
        assertEquals(HubAddress.DEFAULT_ENDPOINT, a.endpoint());
        assertEquals(KEY, a.brokerKey());
        HubAddress b = HubAddress.resolve(options(home, "--broker", "tcp://lab-pc:5570"));
        assertEquals("tcp://lab-pc:5570", b.endpoint());
        assertNull(b.brokerKey());
        try {
            b.requireKey();
            fail("no key, no error");
        } catch (CliException e) {
            assertEquals(CliException.UNREACHABLE, e.exit());
            assertTrue(e.getMessage(), e.getMessage().contains("--broker-key"));
        }
    }

    @Test
    public void aRuntimeWithoutABrokerSaysSo() throws Exception {
        Path home = folder.getRoot().toPath();
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/io.labhub.core.cfg"), "directory = local\n");
        try {
            HubAddress.resolve(options(home));
            fail("local directory accepted");
        } catch (CliException e) {
            assertEquals(CliException.UNREACHABLE, e.exit());
            assertTrue(e.getMessage(), e.getMessage().contains("directory = local"));
        }
    }
}
