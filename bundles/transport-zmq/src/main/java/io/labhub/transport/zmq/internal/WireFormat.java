package io.labhub.transport.zmq.internal;

import io.labhub.api.ErrorCode;
import io.labhub.api.LabHubException;
import io.labhub.api.RemoteException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The one owner of the data-channel wire format (docs/zmq-channels.md is its prose twin).
 *
 * <p>Version 2: every LabHub data message is <b>one</b> ZeroMQ frame (after the ROUTER routing id, for
 * a server): a header of {@code headerLength} bytes (32 in this revision), big-endian (network order),
 * immediately followed by the payload (possibly empty). One frame per message means CURVE boxes each
 * message once, and the payload is copied once, into the frame.
 *
 * <pre>
 *  0        1        2                 4                                 8
 *  +--------+--------+-----------------+---------------------------------+
 *  | version|  type  | headerLength=32 |  timeoutMillis (u32)            |
 *  +--------+--------+-----------------+---------------------------------+
 *  |  id (i64): PUBLISH = sequence (1, 2, ...); REQUEST/REPLY = request id  |   8
 *  +---------------------------------------------------------------------+
 *  |  timestampNanos (i64): sender's clock, nanoseconds since the epoch    |  16
 *  +---------------------------------------------------------------------+
 *  |  param (i64): PUBLISH = session id; REQUEST = largest reply accepted  |  24
 *  |               (bytes, 0 = no limit); REPLY = 0                         |
 *  +---------------------------------------------------------------------+  32
 *  |  payload (frame length - headerLength bytes)                          |
 * </pre>
 *
 * Types: {@link #PUBLISH} (pubsub data), {@link #REQUEST}, {@link #REPLY_OK} (payload = the handler's
 * reply) and {@link #REPLY_ERROR} (payload = UTF-8 JSON {@code {"code":..., "remoteType":...,
 * "message":...}}), {@link #PING} and {@link #PONG} (a client's readiness probe; empty payload).
 * A receiver accepts a {@code headerLength} above 32 (a later minor revision may append fields; the
 * payload starts at {@code headerLength}). Version 1 (two frames: a 32-byte header whose bytes 2-3 were
 * 0, then the payload) and unknown versions are classified by {@link #check}, counted and refused by the
 * receiver, never delivered.
 */
final class WireFormat {

    static final int VERSION = 2;
    /** The previous format: header frame + payload frame. Recognised only to refuse it clearly. */
    static final int VERSION_1 = 1;
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
    static final int HEADER_LENGTH_OFFSET = 2;
    static final int TIMEOUT_OFFSET = 4;
    static final int ID_OFFSET = 8;
    static final int TIMESTAMP_OFFSET = 16;
    static final int PARAM_OFFSET = 24;

    /**
     * Bytes ZeroMQ's per-frame limit ({@code ZMQ_MAXMSGSIZE}) allows above the payload limit: the
     * header, and CURVE's per-frame box overhead. The exact limit is then checked by LabHub, so
     * that a slightly oversized message gets a counted, typed refusal instead of a dropped connection.
     */
    static final int FRAME_SLACK = 256;

    private static final byte[] EMPTY = new byte[0];

    private WireFormat() {
    }

    /** A decoded header. */
    record Header(int version, int type, int headerLength, long timeoutMillis, long id, long timestampNanos, long param) {
    }

    /** What a receiver makes of a message: {@link #OK}, or why it is refused. */
    enum Check {
        OK,
        /** shorter than a header: no id to answer to */
        NOT_A_HEADER,
        /** a version-1 peer (header frame + payload frame) */
        VERSION_1,
        /** a version this code does not know */
        UNKNOWN_VERSION,
        /** version 2 but more than one frame, or a header length outside the frame */
        MALFORMED
    }

    /**
     * One version-2 message: the header, then {@code payload} copied in after it (the one copy of the
     * payload a sender makes; ZeroMQ sends this array without copying it again).
     */
    static byte[] encode(int type, long timeoutMillis, long id, long timestampNanos, long param, byte[] payload) {
        byte[] frame = new byte[HEADER_LENGTH + payload.length];
        System.arraycopy(payload, 0, frame, HEADER_LENGTH, payload.length);
        writeHeader(frame, type, timeoutMillis, id, timestampNanos, param);
        return frame;
    }

    /** A header-only message (PING, PONG). */
    static byte[] encode(int type, long id) {
        return encode(type, 0, id, nowEpochNanos(), 0, EMPTY);
    }

    /** Writes a version-2 header into the first {@link #HEADER_LENGTH} bytes of {@code frame}. */
    static void writeHeader(byte[] frame, int type, long timeoutMillis, long id, long timestampNanos, long param) {
        ByteBuffer b = ByteBuffer.wrap(frame, 0, HEADER_LENGTH).order(ByteOrder.BIG_ENDIAN);
        b.put(VERSION_OFFSET, (byte) VERSION);
        b.put(TYPE_OFFSET, (byte) type);
        b.putShort(HEADER_LENGTH_OFFSET, (short) HEADER_LENGTH);
        b.putInt(TIMEOUT_OFFSET, (int) Math.min(Math.max(timeoutMillis, 0), 0xFFFF_FFFFL));
        b.putLong(ID_OFFSET, id);
        b.putLong(TIMESTAMP_OFFSET, timestampNanos);
        b.putLong(PARAM_OFFSET, param);
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
                Short.toUnsignedInt(b.getShort(HEADER_LENGTH_OFFSET)),
                Integer.toUnsignedLong(b.getInt(TIMEOUT_OFFSET)),
                b.getLong(ID_OFFSET),
                b.getLong(TIMESTAMP_OFFSET),
                b.getLong(PARAM_OFFSET));
    }

    /**
     * Classifies a received message whose first frame decoded to {@code h} ({@code null}: too short) and
     * that had {@code frames} frames in all (routing id not counted).
     */
    static Check check(Header h, byte[] frame, int frames) {
        if (h == null) {
            return Check.NOT_A_HEADER;
        }
        if (h.version() == VERSION_1) {
            return Check.VERSION_1;
        }
        if (h.version() != VERSION) {
            return Check.UNKNOWN_VERSION;
        }
        if (frames != 1 || h.headerLength() < HEADER_LENGTH || h.headerLength() > frame.length) {
            return Check.MALFORMED;
        }
        return Check.OK;
    }

    /** Payload bytes of a checked message. */
    static int payloadLength(byte[] frame, Header h) {
        return frame.length - h.headerLength();
    }

    /** The payload of a checked message, as its own array (the receiver's one copy). */
    static byte[] payload(byte[] frame, Header h) {
        return h.headerLength() == frame.length ? EMPTY : Arrays.copyOfRange(frame, h.headerLength(), frame.length);
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
