package io.labhub.validation;

import static io.labhub.validation.Refused.assertRefused;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;

import io.labhub.api.ConsumerOptions;
import io.labhub.api.ShmOptions;
import io.labhub.api.ZmqOptions;
import java.time.Duration;
import java.util.Map;
import org.junit.Test;

/**
 * Channel options and bind endpoints (issue 14, item 5): the rules the Hub and the ZeroMQ transport
 * each had a copy of, now only here.
 */
public class OptionsTest {

    private final Validator validator = Validators.defaults();

    @Test
    public void bindEndpointsMayUseWildcardsIpcAndInproc() {
        for (String e : new String[] {"tcp://*:*", "tcp://127.0.0.1:*", "tcp://10.0.0.5:5601", "ipc:///tmp/x", "inproc://a"}) {
            assertEquals(e, validator.bindEndpoint(e));
        }
    }

    @Test
    public void bindEndpointsOtherwiseAreRefusedOnOneLine() {
        for (String e : new String[] {null, "", "http://x", "tcp://", "tcp://x\n", "tcp:/x", "tcp://" + "x".repeat(2000)}) {
            assertRefused("zmq.endpoint", () -> validator.bindEndpoint(e));
        }
    }

    @Test
    public void defaultsPass() {
        assertSame(ShmOptions.DEFAULTS, validator.shmOptions(ShmOptions.DEFAULTS));
        assertSame(ZmqOptions.DEFAULTS, validator.zmqOptions(ZmqOptions.DEFAULTS));
        assertSame(ConsumerOptions.DEFAULTS, validator.consumerOptions(ConsumerOptions.DEFAULTS));
    }

    @Test
    public void badOptionsNameTheOption() {
        assertRefused("options.null", () -> validator.zmqOptions(null));
        assertRefused("options.null", () -> validator.shmOptions(null));
        assertRefused("options.null", () -> validator.consumerOptions(null));
        assertRefused("options.maxMessageSize", () -> validator.zmqOptions(ZmqOptions.DEFAULTS.withMaxMessageSize(0)));
        assertRefused("options.highWaterMark", () -> validator.zmqOptions(ZmqOptions.DEFAULTS.withHighWaterMark(-1)));
        assertRefused("zmq.endpoint", () -> validator.zmqOptions(ZmqOptions.DEFAULTS.withEndpoint("udp://x:1")));
        assertRefused("options.reliableTimeout", () -> validator.shmOptions(ShmOptions.DEFAULTS.withReliableTimeout(Duration.ZERO)));
        assertRefused("shm.slotSize", () -> validator.shmOptions(ShmOptions.DEFAULTS.withSlots(Integer.MAX_VALUE, 1 << 16)));
        assertRefused("metadata.key", () -> validator.zmqOptions(ZmqOptions.DEFAULTS.withMetadata(Map.of("a b", "x"))));
        assertRefused("options.waitForChannel", () -> validator.consumerOptions(
                new ConsumerOptions(Duration.ofMillis(-1), ConsumerOptions.DEFAULTS.waitStrategy(), 1, 0)));
    }
}
