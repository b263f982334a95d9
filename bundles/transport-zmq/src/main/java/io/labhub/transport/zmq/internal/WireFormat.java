package io.labhub.transport.zmq.internal;

import io.labhub.api.ErrorCode;
import io.labhub.api.LabHubException;
import io.labhub.api.RemoteException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The one owner of the data-channel wire format (docs/zmq-channels.md is its prose twin).
 *
 * <p>Every LabHub data message is a ZeroMQ multipart message whose first frame (after the ROUTER
 * routing id, for a server) is a fixed 32-byte header, big-endian (network order), followed by exactly
 * one payload frame (possibly empty):
 *
 * <pre>
 *  0        1        2                 4                                 8
 *  +--------+--------+-----------------+---------------------------------+
 *  | version|  type  |  reserved (0)   |  timeoutMillis (u32)            |
 *  +--------+--------+-----------------+---------------------------------+
 *  |  id (i64): PUBLISH = sequence (1, 2, ...); REQUEST/REPLY = request id  |   8
 *  +---------------------------------------------------------------------+
 *  |  timestampNanos (i64): sender's clock, nanoseconds since the epoch    |  16
 *  +---------------------------------------------------------------------+
 *  |  param (i64): PUBLISH = session id; REQUEST = largest reply accepted  |  24
 *  |               (bytes, 0 = no limit); REPLY = 0                         |
 *  +---------------------------------------------------------------------+  32
 * </pre>
 *
 * Types: {@link #PUBLISH} (pubsub data), {@link #REQUEST}, {@link #REPLY_OK} (payload = the handler's
 * reply) and {@link #REPLY_ERROR} (payload = UTF-8 JSON {@code {"code":..., "remoteType":...,
 * "message":...}}), {@link #PING} and {@link #PONG} (a client's readiness probe; empty payload).
 * A receiver accepts headers longer than 32 bytes (a later minor revision may append
 * fields) but refuses another {@link #VERSION}.
 */
final class WireFormat {

    static final int VERSION = 1;
    static final int HEADER_LENGTH = 32;

    static final int PUBLISH = 1;
    static final int REQUEST = 2;
    static final int REPLY_OK = 3;
    static final int REPLY_ERROR = 4;
    /** Client to server, header only: "are you there?". Answered at once by {@link #PONG} with the same id. */
    static final int PING = 5;
    static final int PONG = 6;

    static final int VERSION_OFFSET = 0;
    static final int TYPE_OFFSET = 1;
    static final int TIMEOUT_OFFSET = 4;
    static final int ID_OFFSET = 8;
    static final int TIMESTAMP_OFFSET = 16;
    static final int PARAM_OFFSET = 24;

    /**
     * Bytes ZeroMQ's per-frame limit ({@code ZMQ_MAXMSGSIZE}) allows above the payload limit: the
     * header frame, and CURVE's per-frame box overhead. The exact limit is then checked by LabHub, so
     * that a slightly oversized message gets a counted, typed refusal instead of a dropped connection.
     */
    static final int FRAME_SLACK = 256;

    private WireFormat() {
    }

    /** A decoded header. */
    record Header(int version, int type, long timeoutMillis, long id, long timestampNanos, long param) {
    }

    static byte[] encode(int type, long timeoutMillis, long id, long timestampNanos, long param) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.BIG_ENDIAN);
        b.put(VERSION_OFFSET, (byte) VERSION);
        b.put(TYPE_OFFSET, (byte) type);
        b.putInt(TIMEOUT_OFFSET, (int) Math.min(Math.max(timeoutMillis, 0), 0xFFFF_FFFFL));
        b.putLong(ID_OFFSET, id);
        b.putLong(TIMESTAMP_OFFSET, timestampNanos);
        b.putLong(PARAM_OFFSET, param);
        return b.array();
    }

    /**
     * @return the header, or {@code null} when the frame is too short to be one (any version)
     */
    static Header decode(byte[] frame) {
        if (frame == null || frame.length < HEADER_LENGTH) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(frame).order(ByteOrder.BIG_ENDIAN);
        return new Header(
                Byte.toUnsignedInt(b.get(VERSION_OFFSET)),
                Byte.toUnsignedInt(b.get(TYPE_OFFSET)),
                Integer.toUnsignedLong(b.getInt(TIMEOUT_OFFSET)),
                b.getLong(ID_OFFSET),
                b.getLong(TIMESTAMP_OFFSET),
                b.getLong(PARAM_OFFSET));
    }

    /** The ZeroMQ per-frame receive limit for a payload limit of {@code maxPayload} bytes. */
    static long frameLimit(int maxPayload) {
        return (long) Math.max(maxPayload, HEADER_LENGTH) + FRAME_SLACK;
    }

    /** Nanoseconds since the Unix epoch, as precise as the clock allows. */
    static long nowEpochNanos() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** The body of a {@link #REPLY_ERROR}. */
    static byte[] errorBody(ErrorCode code, String remoteType, String message) {
        return ErrorBody.encode(code, remoteType, message);
    }

    /** Turns an error reply's body into the exception the caller sees. */
    static LabHubException errorFrom(byte[] body) {
        ErrorBody e = ErrorBody.decode(body);
        if (e.code() == null) {
            return new RemoteException(e.remoteType(), "[" + e.rawCode() + "] " + e.message());
        }
        if (e.code() == ErrorCode.REMOTE_ERROR) {
            return new RemoteException(e.remoteType(), e.message());
        }
        return LabHubException.of(e.code(), e.message());
    }
}
