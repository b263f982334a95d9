package io.labhub.core.internal;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

/** The default node of hub.status.NODE: the host name made one valid channel-name level. */
public class StatusChannelTest {

    @Test
    public void aHostNameBecomesOneLevel() {
        assertEquals("labpc1", StatusChannel.node("labpc1.physics.example.org"));
        assertEquals("lab-pc_1", StatusChannel.node("lab-pc 1"));
        assertEquals("h42box", StatusChannel.node("42box"));
        assertEquals("h_", StatusChannel.node("é"));
    }
}
