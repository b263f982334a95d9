package io.labhub.transport.zmq.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.labhub.api.InvalidInputException;
import org.junit.Test;

public class ZmqSettingsTest {

    @Test
    public void optionsWinAndZeroMeansTheConfiguredDefault() {
        ZmqSettings s = new ZmqSettings(50, 4096, "127.0.0.1", "", 10);
        assertEquals(7, s.hwm(7));
        assertEquals(50, s.hwm(0));
        assertEquals(4096, s.maxMessage(-1));
        assertEquals(99, s.maxMessage(99));
        ZmqSettings fallback = new ZmqSettings(0, 0, null, null, -3);
        assertEquals(ZmqSettings.DEFAULT_HIGH_WATER_MARK, fallback.highWaterMark());
        assertEquals(ZmqSettings.DEFAULT_MAX_MESSAGE_SIZE, fallback.maxMessageSize());
        assertEquals("*", fallback.bindHost());
        assertEquals(0, fallback.lingerMillis());
    }

    @Test
    public void noEndpointMeansAnEphemeralPortOnTheBindHost() {
        assertEquals("tcp://127.0.0.1:*", new ZmqSettings(0, 0, "127.0.0.1", "", 0).bindEndpoint(null));
        assertEquals("tcp://*:*", ZmqSettings.DEFAULTS.bindEndpoint(" "));
        assertEquals("tcp://10.0.0.5:5601", ZmqSettings.DEFAULTS.bindEndpoint("tcp://10.0.0.5:5601"));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ZmqSettings.DEFAULTS.bindEndpoint("http://x\n"));
        assertEquals("zmq.endpoint", e.rule());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    public void wildcardBindsAreAdvertisedUnderARealHost() {
        ZmqSettings named = new ZmqSettings(0, 0, "*", "lab-pc-3", 0);
        assertEquals("tcp://lab-pc-3:40123", named.advertise("tcp://0.0.0.0:40123"));
        assertEquals("tcp://127.0.0.1:40123", named.advertise("tcp://127.0.0.1:40123"));
        assertEquals("ipc:///tmp/x", named.advertise("ipc:///tmp/x"));
        String auto = ZmqSettings.DEFAULTS.advertise("tcp://0.0.0.0:40123");
        assertTrue(auto, auto.startsWith("tcp://") && auto.endsWith(":40123") && !auto.contains("0.0.0.0"));
    }

    @Test
    public void advertisedInterfaceNamesTheInterfaceToPublish() {
        ZmqSettings byInterface = new ZmqSettings(0, 0, "*", "", 0, "lo", 0, 0, 0, 0, 0, 0);
        assertEquals("advertisedInterface names the interface to publish", "tcp://127.0.0.1:40123",
                byInterface.advertise("tcp://0.0.0.0:40123"));
    }

    @Test
    public void requestReplyBoundsHaveDefaultsThatFitASmallHeap() {
        ZmqSettings d = ZmqSettings.DEFAULTS;
        assertEquals(ZmqSettings.DEFAULT_MAX_QUEUED_REQUESTS, d.maxQueuedRequests());
        assertEquals(64L << 20, d.maxQueuedBytes());
        assertEquals(RequestFloodTest.PER_CLIENT_BOUND, d.maxQueuedRequestsPerClient());
        assertTrue(d.maxQueuedBytesPerClient() <= d.maxQueuedBytes());
        assertTrue(d.maxQueuedRequestsPerClient() <= d.maxQueuedRequests());
        ZmqSettings small = d.withBounds(5, 1000, 2, 500, 3, 700);
        assertEquals(5, small.maxQueuedRequests());
        assertEquals(500, small.maxQueuedBytesPerClient());
        assertEquals(700, small.maxInFlightBytes());
        assertEquals("zero means the default", d, small.withBounds(0, 0, 0, 0, 0, 0));
    }
}
