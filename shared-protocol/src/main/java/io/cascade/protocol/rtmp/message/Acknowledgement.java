package io.cascade.protocol.rtmp.message;

import io.cascade.protocol.rtmp.RtmpProtocolException;

/** Acknowledgement (type 3): bytes received so far, as an unsigned 32-bit sequence number (wraps). */
public record Acknowledgement(long sequenceNumber) {
    public static final int PAYLOAD_LENGTH = 4;

    public Acknowledgement {
        Bytes.checkU32(sequenceNumber, "sequence number");
    }

    /** The acknowledgement for a running byte count: the count modulo 2^32. */
    public static Acknowledgement of(long bytesReceived) {
        return new Acknowledgement(bytesReceived & 0xFFFFFFFFL);
    }

    public static Acknowledgement decode(byte[] payload) throws RtmpProtocolException {
        Bytes.requireLength(payload, PAYLOAD_LENGTH, "Acknowledgement");
        return new Acknowledgement(Bytes.u32(payload, 0));
    }

    public byte[] encode() {
        return Bytes.u32(sequenceNumber);
    }
}
