package io.labhub.validation;

import io.labhub.api.ChannelKind;
import org.junit.Test;

import java.util.Map;

import static io.labhub.validation.Refused.assertRefused;
import static org.junit.Assert.assertEquals;

/**
 * Registered endpoints (issue 12, finding 4): a zmq channel must name a tcp host and port that another
 * host can reach; a shm channel must name a segment of the shm transport's form and publish its size.
 */
public class EndpointTest {

    private static final String SEGMENT = "labhub-0123456789abcdef0123456789abcdef";
    private static final Map<String, String> SIZES = Map.of("shm.slotSize", "4096", "shm.slotCount", "8");

    private final Validator validator = Validators.defaults();

    @Test
    public void acceptsTcpHostAndPort() {
        for (String endpoint : new String[] {"tcp://127.0.0.1:5570", "tcp://lab-pc:40200", "tcp://lab-pc.example.org:1",
                "tcp://[::1]:65535", "tcp://[fe80::1%eth0]:5000", "tcp://0.0.0.0:7000"}) {
            assertEquals(endpoint, validator.endpoint(ChannelKind.PUBSUB, endpoint, Map.of()));
            assertEquals(endpoint, validator.endpoint(ChannelKind.REQREP, endpoint, Map.of()));
        }
    }

    @Test
    public void refusesOtherSchemes() {
        for (String endpoint : new String[] {"inproc://lab.thermometer", "ipc:///etc/passwd", "pgm://eth0;239.1.1.1:5555",
                "udp://1.2.3.4:5", "TCP://1.2.3.4:5", "seg", "/dev/shm/x"}) {
            assertRefused("endpoint.scheme", () -> validator.endpoint(ChannelKind.PUBSUB, endpoint, Map.of()));
            assertRefused("endpoint.scheme", () -> validator.endpoint(ChannelKind.REQREP, endpoint, Map.of()));
        }
    }

    @Test
    public void refusesBadHosts() {
        for (String endpoint : new String[] {"tcp://:5570", "tcp://*:5570", "tcp://a/b:1", "tcp://-x:1", "tcp://[zz]:1",
                "tcp://a_b:1"}) {
            assertRefused("endpoint.host", () -> validator.endpoint(ChannelKind.PUBSUB, endpoint, Map.of()));
        }
    }

    @Test
    public void refusesBadPorts() {
        for (String endpoint : new String[] {"tcp://host", "tcp://host:", "tcp://host:0", "tcp://host:65536",
                "tcp://host:-1", "tcp://host:12ab", "tcp://host:*", "tcp://host:0000000080"}) {
            assertRefused("endpoint.port", () -> validator.endpoint(ChannelKind.PUBSUB, endpoint, Map.of()));
        }
    }

    @Test
    public void refusesNullEmptyLongAndUnprintable() {
        assertRefused("endpoint.null", () -> validator.endpoint(ChannelKind.PUBSUB, null, Map.of()));
        assertRefused("endpoint.null", () -> validator.endpoint(null, "tcp://h:1", Map.of()));
        assertRefused("endpoint.length", () -> validator.endpoint(ChannelKind.PUBSUB, "", Map.of()));
        assertRefused("endpoint.length", () -> validator.endpoint(ChannelKind.PUBSUB,
                "tcp://" + "a".repeat(1100) + ":1", Map.of()));
        assertRefused("endpoint.charset", () -> validator.endpoint(ChannelKind.PUBSUB, "tcp://h :1", Map.of()));
        assertRefused("endpoint.charset", () -> validator.endpoint(ChannelKind.SHM, "labhub-\u0000", SIZES));
    }

    @Test
    public void acceptsShmSegmentWithSizes() {
        assertEquals(SEGMENT, validator.endpoint(ChannelKind.SHM, SEGMENT, SIZES));
        assertEquals(SEGMENT, validator.endpoint(ChannelKind.SHM, SEGMENT, Map.of("shm.slotSize", 64, "shm.slotCount", 2L)));
    }

    @Test
    public void refusesShmNamesNotMadeByTheTransport() {
        for (String endpoint : new String[] {"seg", "labhub-", "labhub-0123456789ABCDEF0123456789ABCDEF",
                "labhub-0123456789abcdef0123456789abcde", "../labhub-0123456789abcdef0123456789abcdef",
                "tcp://127.0.0.1:5000", "ipc:///etc/passwd"}) {
            assertRefused("endpoint.segment", () -> validator.endpoint(ChannelKind.SHM, endpoint, SIZES));
        }
    }

    @Test
    public void refusesShmWithoutSizeMetadata() {
        assertRefused("endpoint.shmSize", () -> validator.endpoint(ChannelKind.SHM, SEGMENT, Map.of()));
        assertRefused("endpoint.shmSize", () -> validator.endpoint(ChannelKind.SHM, SEGMENT, null));
        assertRefused("endpoint.shmSize", () -> validator.endpoint(ChannelKind.SHM, SEGMENT, Map.of("shm.slotSize", "64")));
        assertRefused("endpoint.shmSize", () -> validator.endpoint(ChannelKind.SHM, SEGMENT,
                Map.of("shm.slotSize", "big", "shm.slotCount", "8")));
        assertRefused("endpoint.shmSize", () -> validator.endpoint(ChannelKind.SHM, SEGMENT,
                Map.of("shm.slotSize", "-4", "shm.slotCount", "8")));
        assertRefused("endpoint.shmSize", () -> validator.endpoint(ChannelKind.SHM, SEGMENT,
                Map.of("shm.slotSize", 1.5, "shm.slotCount", "8")));
        assertRefused("shm.slotSize", () -> validator.endpoint(ChannelKind.SHM, SEGMENT,
                Map.of("shm.slotSize", "0", "shm.slotCount", "8")));
        assertRefused("shm.total", () -> validator.endpoint(ChannelKind.SHM, SEGMENT,
                Map.of("shm.slotSize", "268435456", "shm.slotCount", "65536")));
    }
}
