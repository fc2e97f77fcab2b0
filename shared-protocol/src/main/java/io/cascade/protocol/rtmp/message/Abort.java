package io.cascade.protocol.rtmp.message;

import io.cascade.protocol.rtmp.RtmpProtocolException;

/** Abort (type 2): the chunk stream id whose partial message the receiver must drop. */
public record Abort(int chunkStreamId) {
    public static final int PAYLOAD_LENGTH = 4;

    public static Abort decode(byte[] payload) throws RtmpProtocolException {
        Bytes.requireLength(payload, PAYLOAD_LENGTH, "Abort");
        long v = Bytes.u32(payload, 0);
        if (v > Integer.MAX_VALUE) {
            throw new RtmpProtocolException("Abort: chunk stream id " + v + " at offset 0 out of range");
        }
        return new Abort((int) v);
    }

    public byte[] encode() {
        return Bytes.u32(chunkStreamId & 0xFFFFFFFFL);
    }
}
