package io.cascade.protocol.rtmp.message;

import io.cascade.protocol.rtmp.RtmpProtocolException;

/** SetChunkSize (type 1): 4 bytes, top bit must be 0, value at least 1. Range policy (e.g. 128..0xFFFFFF) is the caller's. */
public record SetChunkSize(int chunkSize) {
    public static final int PAYLOAD_LENGTH = 4;

    public SetChunkSize {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunk size " + chunkSize + " must be 1..0x7FFFFFFF");
        }
    }

    public static SetChunkSize decode(byte[] payload) throws RtmpProtocolException {
        Bytes.requireLength(payload, PAYLOAD_LENGTH, "SetChunkSize");
        long v = Bytes.u32(payload, 0);
        if (v > Integer.MAX_VALUE || v == 0) {
            throw new RtmpProtocolException("SetChunkSize: chunk size " + v + " at offset 0 must be 1..0x7FFFFFFF (top bit 0)");
        }
        return new SetChunkSize((int) v);
    }

    public byte[] encode() {
        return Bytes.u32(chunkSize);
    }
}
