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
    public void headerIsThirtyTwoBigEndianBytesAtTheDocumentedOffsets() {
        byte[] h = WireFormat.encode(WireFormat.REQUEST, 1500, 0x0102030405060708L, 0x1112131415161718L, 0x2122232425262728L);
        assertArrayEquals(new byte[] {
            1, 2, 0, 0, 0, 0, 0x05, (byte) 0xdc,
            1, 2, 3, 4, 5, 6, 7, 8,
            0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
            0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28}, h);
        WireFormat.Header d = WireFormat.decode(h);
        assertEquals(new WireFormat.Header(1, WireFormat.REQUEST, 1500, 0x0102030405060708L, 0x1112131415161718L,
                0x2122232425262728L), d);
    }

    @Test
    public void shortFramesAreNotHeadersAndLongerOnesAreAccepted() {
        assertNull(WireFormat.decode(new byte[31]));
        assertNull(WireFormat.decode(null));
        byte[] longer = new byte[40];
        System.arraycopy(WireFormat.encode(WireFormat.PUBLISH, 0, 9, 10, 11), 0, longer, 0, 32);
        assertEquals(9, WireFormat.decode(longer).id());
    }

    @Test
    public void timeoutIsAnUnsignedThirtyTwoBitFieldClampedAtItsBounds() {
        assertEquals(0xFFFF_FFFFL, WireFormat.decode(WireFormat.encode(WireFormat.REQUEST, Long.MAX_VALUE, 1, 0, 0)).timeoutMillis());
        assertEquals(0, WireFormat.decode(WireFormat.encode(WireFormat.REQUEST, -5, 1, 0, 0)).timeoutMillis());
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
