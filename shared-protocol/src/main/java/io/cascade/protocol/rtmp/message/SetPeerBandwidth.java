package io.cascade.protocol.rtmp.message;

import io.cascade.protocol.rtmp.RtmpProtocolException;

/** Set Peer Bandwidth (type 6): unsigned 32-bit window size and a limit type (0 hard, 1 soft, 2 dynamic). */
public record SetPeerBandwidth(long size, int limitType) {
    public static final int HARD = 0;
    public static final int SOFT = 1;
    public static final int DYNAMIC = 2;
    public static final int PAYLOAD_LENGTH = 5;

    public SetPeerBandwidth {
        Bytes.checkU32(size, "peer bandwidth");
        if (limitType < HARD || limitType > DYNAMIC) {
            throw new IllegalArgumentException("limit type " + limitType + " must be 0, 1 or 2");
        }
    }

    public static SetPeerBandwidth decode(byte[] payload) throws RtmpProtocolException {
        Bytes.requireLength(payload, PAYLOAD_LENGTH, "SetPeerBandwidth");
        int limit = payload[4] & 0xFF;
        if (limit > DYNAMIC) {
            throw new RtmpProtocolException("SetPeerBandwidth: limit type " + limit + " at offset 4 must be 0, 1 or 2");
        }
        return new SetPeerBandwidth(Bytes.u32(payload, 0), limit);
    }

    public byte[] encode() {
        byte[] b = new byte[PAYLOAD_LENGTH];
        Bytes.putU32(b, 0, size);
        b[4] = (byte) limitType;
        return b;
    }
}
