package io.labhub.transport.zmq.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import io.labhub.api.ChannelNotFoundException;
import io.labhub.api.ErrorCode;
import io.labhub.api.InvalidInputException;
import io.labhub.api.LabHubException;
import io.labhub.api.MessageTooLargeException;
import io.labhub.api.RemoteException;
import java.nio.charset.StandardCharsets;
import org.junit.Test;

public class WireFormatTest {

    @Test
    public void aMessageIsOneFrameTheThirtyTwoByteBigEndianHeaderThenThePayload() {
        byte[] m = WireFormat.encode(WireFormat.REQUEST, 1500, 0x0102030405060708L, 0x1112131415161718L,
                0x2122232425262728L, new byte[] {9, 8, 7});
        assertArrayEquals(new byte[] {
            2, 2, 0, 32, 0, 0, 0x05, (byte) 0xdc,
            1, 2, 3, 4, 5, 6, 7, 8,
            0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
            0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28,
            9, 8, 7}, m);
        WireFormat.Header d = WireFormat.decode(m);
        assertEquals(new WireFormat.Header(2, WireFormat.REQUEST, 32, 1500, 0x0102030405060708L, 0x1112131415161718L,
                0x2122232425262728L), d);
        assertEquals(WireFormat.Check.OK, WireFormat.check(d, m, 1));
        assertEquals(3, WireFormat.payloadLength(m, d));
        assertArrayEquals(new byte[] {9, 8, 7}, WireFormat.payload(m, d));
        assertEquals("an empty payload is the header alone", 32, WireFormat.encode(WireFormat.PING, 0, 1, 0, 0, new byte[0]).length);
    }

    @Test
    public void shortFramesAreNotHeadersAndALongerHeaderMovesThePayload() {
        assertNull(WireFormat.decode(new byte[31]));
        assertNull(WireFormat.decode(null));
        assertEquals(WireFormat.Check.NOT_A_HEADER, WireFormat.check(null, new byte[31], 1));
        byte[] longer = new byte[40 + 2];
        System.arraycopy(WireFormat.encode(WireFormat.PUBLISH, 0, 9, 10, 11, new byte[0]), 0, longer, 0, 32);
        longer[3] = 40; // a later minor revision appended 8 bytes of header
        longer[40] = 5;
        longer[41] = 6;
        WireFormat.Header h = WireFormat.decode(longer);
        assertEquals(9, h.id());
        assertEquals(WireFormat.Check.OK, WireFormat.check(h, longer, 1));
        assertArrayEquals(new byte[] {5, 6}, WireFormat.payload(longer, h));
    }

    @Test
    public void versionOneUnknownVersionsAndMalformedMessagesAreClassifiedNotThrown() {
        byte[] v1Header = WireFormat.encode(WireFormat.PUBLISH, 0, 1, 0, 0, new byte[0]);
        v1Header[0] = 1;
        v1Header[3] = 0; // version 1 had a reserved 0 here and the payload in a second frame
        assertEquals(WireFormat.Check.VERSION_1, WireFormat.check(WireFormat.decode(v1Header), v1Header, 2));
        byte[] v9 = WireFormat.encode(WireFormat.PUBLISH, 0, 1, 0, 0, new byte[0]);
        v9[0] = 9;
        assertEquals(WireFormat.Check.UNKNOWN_VERSION, WireFormat.check(WireFormat.decode(v9), v9, 1));
        byte[] ok = WireFormat.encode(WireFormat.PUBLISH, 0, 1, 0, 0, new byte[4]);
        assertEquals("two frames are not version 2", WireFormat.Check.MALFORMED, WireFormat.check(WireFormat.decode(ok), ok, 2));
        byte[] shortHeader = ok.clone();
        shortHeader[3] = 16;
        assertEquals(WireFormat.Check.MALFORMED, WireFormat.check(WireFormat.decode(shortHeader), shortHeader, 1));
        byte[] pastTheEnd = ok.clone();
        pastTheEnd[2] = 1;
        assertEquals(WireFormat.Check.MALFORMED, WireFormat.check(WireFormat.decode(pastTheEnd), pastTheEnd, 1));
    }

    @Test
    public void timeoutIsAnUnsignedThirtyTwoBitFieldClampedAtItsBounds() {
        assertEquals(0xFFFF_FFFFL, WireFormat.decode(WireFormat.encode(WireFormat.REQUEST, Long.MAX_VALUE, 1, 0, 0, new byte[0])).timeoutMillis());
        assertEquals(0, WireFormat.decode(WireFormat.encode(WireFormat.REQUEST, -5, 1, 0, 0, new byte[0])).timeoutMillis());
    }

    @Test
    public void errorRepliesBecomeTheMatchingExceptionTypes() {
        LabHubException remote = WireFormat.errorFrom(WireFormat.errorBody(ErrorCode.REMOTE_ERROR, "java.lang.IllegalStateException", "not homed"));
        assertTrue(remote instanceof RemoteException);
        assertEquals("java.lang.IllegalStateException", ((RemoteException) remote).remoteType());
        assertEquals("not homed", remote.getMessage());
        assertTrue(WireFormat.errorFrom(WireFormat.errorBody(ErrorCode.CHANNEL_NOT_FOUND, "x", "gone")) instanceof ChannelNotFoundException);
        assertTrue(WireFormat.errorFrom(WireFormat.errorBody(ErrorCode.MESSAGE_TOO_LARGE, "", "big")) instanceof MessageTooLargeException);
        assertTrue(WireFormat.errorFrom(WireFormat.errorBody(ErrorCode.INVALID_ARGUMENT, "", "bad")) instanceof InvalidInputException);
    }

    @Test
    public void unknownCodesAndGarbageBodiesStillGiveATypedError() {
        LabHubException future = WireFormat.errorFrom("{\"code\":\"FROM_THE_FUTURE\",\"message\":\"hm\"}".getBytes(StandardCharsets.UTF_8));
        assertTrue(future instanceof RemoteException);
        assertTrue(future.getMessage().contains("FROM_THE_FUTURE"));
        LabHubException garbage = WireFormat.errorFrom(new byte[] {(byte) 0xff, 0, 1});
        assertEquals(ErrorCode.INVALID_MESSAGE, garbage.code());
        assertTrue(garbage.getMessage().contains("\\u"));
    }
}
