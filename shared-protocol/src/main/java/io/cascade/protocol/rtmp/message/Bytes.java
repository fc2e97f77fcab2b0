package io.cascade.protocol.rtmp.message;

import io.cascade.protocol.rtmp.RtmpProtocolException;

/** Big-endian helpers shared by the control message records. */
final class Bytes {
    private Bytes() {
    }

    static void requireLength(byte[] payload, int needed, String what) throws RtmpProtocolException {
        if (payload == null) {
            throw new RtmpProtocolException(what + ": no payload");
        }
        if (payload.length < needed) {
            throw new RtmpProtocolException(what + ": payload of " + payload.length + " bytes, need " + needed);
        }
    }

    static long u32(byte[] b, int off) {
        return ((long) (b[off] & 0xFF) << 24) | (b[off + 1] & 0xFF) << 16 | (b[off + 2] & 0xFF) << 8 | (b[off + 3] & 0xFF);
    }

    static int u24(byte[] b, int off) {
        return (b[off] & 0xFF) << 16 | (b[off + 1] & 0xFF) << 8 | (b[off + 2] & 0xFF);
    }

    static void putU32(byte[] b, int off, long v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    static byte[] u32(long v) {
        byte[] b = new byte[4];
        putU32(b, 0, v);
        return b;
    }

    static void checkU32(long v, String what) {
        if (v < 0 || v > 0xFFFFFFFFL) {
            throw new IllegalArgumentException(what + " " + v + " is not an unsigned 32-bit value");
        }
    }
}
