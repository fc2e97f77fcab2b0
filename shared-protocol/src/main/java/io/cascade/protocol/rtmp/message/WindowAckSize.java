package io.cascade.protocol.rtmp.message;

import io.cascade.protocol.rtmp.RtmpProtocolException;

/** Window Acknowledgement Size (type 5): send an Acknowledgement after this many bytes. Unsigned 32-bit. */
public record WindowAckSize(long size) {
    public static final int PAYLOAD_LENGTH = 4;

    public WindowAckSize {
        Bytes.checkU32(size, "window size");
    }

    public static WindowAckSize decode(byte[] payload) throws RtmpProtocolException {
        Bytes.requireLength(payload, PAYLOAD_LENGTH, "WindowAckSize");
        return new WindowAckSize(Bytes.u32(payload, 0));
    }

    public byte[] encode() {
        return Bytes.u32(size);
    }
}
