package io.labhub.web.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;

import io.labhub.api.ChannelCounters;
import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelName;
import io.labhub.api.ChannelState;
import io.labhub.api.Hub;
import io.labhub.api.HubStatus;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.Test;

public class ChannelTableTest {

    private static final HubStatus CONNECTED = new HubStatus("key", "tcp://127.0.0.1:5570", true, null, "ok", Set.of(ChannelKind.PUBSUB), 1);
    private static final HubStatus UNREACHABLE = new HubStatus("key", "tcp://127.0.0.1:5570", false, null, "retrying", Set.of(), 0);
    private static final HubStatus LOCAL = new HubStatus("key", "", false, null, "local", Set.of(), 0);

    @Test
    public void statesAreTheBrokersWordsOrConnectingWhileTheBrokerDoesNotAnswer() {
        assertEquals("active", ChannelTable.state(ChannelState.ACTIVE, CONNECTED));
        assertEquals("lost", ChannelTable.state(ChannelState.PRODUCER_LOST, CONNECTED));
        assertEquals("closed", ChannelTable.state(ChannelState.CLOSED, CONNECTED));
        assertEquals("connecting", ChannelTable.state(ChannelState.ACTIVE, UNREACHABLE));
        assertEquals("a local directory has no broker to wait for", "active", ChannelTable.state(ChannelState.ACTIVE, LOCAL));
    }

    /** A Hub that knows two channels; only the first one's producer counters are reachable. */
    private static Hub hub(ChannelCounters counters) {
        List<ChannelInfo> channels = List.of(
                new ChannelInfo(new ChannelName("lab.here"), ChannelKind.PUBSUB, "k", "tcp://x", "s", Map.of(), 2, ChannelState.ACTIVE),
                new ChannelInfo(new ChannelName("lab.remote"), ChannelKind.PUBSUB, "k", "tcp://y", "s", Map.of(), 0, ChannelState.ACTIVE));
        return (Hub) Proxy.newProxyInstance(Hub.class.getClassLoader(), new Class<?>[] {Hub.class}, (p, m, args) -> switch (m.getName()) {
            case "channels" -> channels;
            case "status" -> CONNECTED;
            case "observe", "producerCounters" -> "lab.here".equals(args[0]) ? Optional.of(counters) : Optional.empty();
            default -> throw new UnsupportedOperationException(m.getName());
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    public void countersComeFromObserveAndAFirstReadingHasNoRateYet() {
        ChannelCounters c = new ChannelCounters(10, 100, 0, 0, 0, 0, 0, 0, 0);
        Map<String, Object> list = new ChannelTable(hub(c)).read();
        List<Map<String, Object>> rows = (List<Map<String, Object>>) list.get("channels");
        assertEquals("lab.here", rows.get(0).get("name"));
        assertSame(c, rows.get(0).get("counters"));
        assertEquals(2, rows.get(0).get("consumers"));
        assertNull("one reading is no rate", rows.get(0).get("rate"));
        assertNull("a remote producer's counters are not reachable", rows.get(1).get("counters"));
        assertEquals(true, ((Map<String, Object>) list.get("hub")).get("brokerConnected"));
    }
}
