package io.cascade.protocol.rtmp.message;

import io.cascade.protocol.rtmp.RtmpProtocolException;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * User Control message (type 4): a 2-byte event type and event data. {@link #decode} checks that the known events carry
 * their parameters (4 bytes; SetBufferLength 8), so {@link #streamId()} / {@link #value()} are safe on them; unknown event
 * types are passed through with whatever data they have.
 */
public record UserControl(int eventType, byte[] data) {
    public static final int STREAM_BEGIN = 0;
    public static final int STREAM_EOF = 1;
    public static final int STREAM_DRY = 2;
    public static final int SET_BUFFER_LENGTH = 3;
    public static final int STREAM_IS_RECORDED = 4;
    public static final int PING_REQUEST = 6;
    public static final int PING_RESPONSE = 7;

    public UserControl {
        if (eventType < 0 || eventType > 0xFFFF) {
            throw new IllegalArgumentException("event type " + eventType + " is not 16 bits");
        }
        data = data == null ? new byte[0] : data;
    }

    public static UserControl streamBegin(int streamId) {
        return new UserControl(STREAM_BEGIN, Bytes.u32(streamId & 0xFFFFFFFFL));
    }

    public static UserControl streamEof(int streamId) {
        return new UserControl(STREAM_EOF, Bytes.u32(streamId & 0xFFFFFFFFL));
    }

    public static UserControl streamDry(int streamId) {
        return new UserControl(STREAM_DRY, Bytes.u32(streamId & 0xFFFFFFFFL));
    }

    public static UserControl streamIsRecorded(int streamId) {
        return new UserControl(STREAM_IS_RECORDED, Bytes.u32(streamId & 0xFFFFFFFFL));
    }

    public static UserControl setBufferLength(int streamId, long bufferMillis) {
        byte[] d = new byte[8];
        Bytes.putU32(d, 0, streamId & 0xFFFFFFFFL);
        Bytes.putU32(d, 4, bufferMillis & 0xFFFFFFFFL);
        return new UserControl(SET_BUFFER_LENGTH, d);
    }

    public static UserControl pingRequest(long ts) {
        return new UserControl(PING_REQUEST, Bytes.u32(ts & 0xFFFFFFFFL));
    }

    public static UserControl pingResponse(long ts) {
        return new UserControl(PING_RESPONSE, Bytes.u32(ts & 0xFFFFFFFFL));
    }

    /** Minimum data length of an event type we know, 0 for unknown ones. */
    static int requiredDataLength(int eventType) {
        return switch (eventType) {
            case STREAM_BEGIN, STREAM_EOF, STREAM_DRY, STREAM_IS_RECORDED, PING_REQUEST, PING_RESPONSE -> 4;
            case SET_BUFFER_LENGTH -> 8;
            default -> 0;
        };
    }

    public static UserControl decode(byte[] payload) throws RtmpProtocolException {
        Bytes.requireLength(payload, 2, "UserControl");
        int type = (payload[0] & 0xFF) << 8 | (payload[1] & 0xFF);
        int need = requiredDataLength(type);
        if (payload.length - 2 < need) {
            throw new RtmpProtocolException("UserControl: event " + type + " needs " + need + " data bytes at offset 2, got "
                    + (payload.length - 2));
        }
        return new UserControl(type, Arrays.copyOfRange(payload, 2, payload.length));
    }

    public byte[] encode() {
        byte[] b = new byte[2 + data.length];
        b[0] = (byte) (eventType >>> 8);
        b[1] = (byte) eventType;
        System.arraycopy(data, 0, b, 2, data.length);
        return b;
    }

    /** The first 4 data bytes as a stream id (StreamBegin/EOF/Dry/IsRecorded/SetBufferLength). */
    public int streamId() {
        return (int) value();
    }

    /** The first 4 data bytes as an unsigned 32-bit value (the ping timestamp for PingRequest/PingResponse). */
    public long value() {
        if (data.length < 4) {
            throw new IllegalStateException("UserControl event " + eventType + " has " + data.length + " data bytes, not 4");
        }
        return Bytes.u32(data, 0);
    }

    /** SetBufferLength's buffer length in milliseconds (data bytes 4..8). */
    public long bufferLength() {
        if (data.length < 8) {
            throw new IllegalStateException("UserControl event " + eventType + " has " + data.length + " data bytes, not 8");
        }
        return Bytes.u32(data, 4);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UserControl u && u.eventType == eventType && Arrays.equals(u.data, data);
    }

    @Override
    public int hashCode() {
        return eventType * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "UserControl[event=" + eventType + ", data=" + HexFormat.of().formatHex(data) + "]";
    }
}
