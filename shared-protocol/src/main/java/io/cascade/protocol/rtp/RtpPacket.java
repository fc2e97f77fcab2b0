package io.cascade.protocol.rtp;

import java.util.Arrays;

/**
 * One RTP data packet (RFC 3550 section 5.1): the fixed header read into fields, the payload left in place as a slice of
 * the array it was parsed from (padding and header extension excluded). The array is shared, not copied: whoever parses
 * a packet must not reuse its buffer while the packet is held (a reorder window holds packets for a while).
 *
 * <p>The header extension (RFC 3550 5.3.1) is skipped: none of the payload formats we carry needs it. Contributing
 * sources are counted but not kept: a mixer's list says nothing a depacketizer uses.
 */
public final class RtpPacket {
    /** Largest packet accepted: a UDP datagram cannot be larger, and an interleaved RTSP frame has a 16-bit length. */
    public static final int MAX_PACKET_LENGTH = 64 << 10;
    /** Fixed header: V/P/X/CC, M/PT, sequence number, timestamp, SSRC. */
    public static final int HEADER_LENGTH = 12;
    public static final int VERSION = 2;

    private final boolean marker;
    private final int payloadType;
    private final int sequence;
    private final long timestamp;
    private final long ssrc;
    private final int csrcCount;
    private final byte[] data;
    private final int payloadOffset;
    private final int payloadLength;

    public RtpPacket(boolean marker, int payloadType, int sequence, long timestamp, long ssrc, int csrcCount, byte[] data,
                     int payloadOffset, int payloadLength) {
        if (payloadType < 0 || payloadType > 127 || sequence < 0 || sequence > 0xFFFF || timestamp < 0
                || timestamp > 0xFFFFFFFFL || ssrc < 0 || ssrc > 0xFFFFFFFFL || csrcCount < 0 || csrcCount > 15) {
            throw new IllegalArgumentException("RTP header field out of range");
        }
        if (payloadOffset < 0 || payloadLength < 0 || payloadOffset > data.length - payloadLength) {
            throw new IllegalArgumentException("payload slice outside array");
        }
        this.marker = marker;
        this.payloadType = payloadType;
        this.sequence = sequence;
        this.timestamp = timestamp;
        this.ssrc = ssrc;
        this.csrcCount = csrcCount;
        this.data = data;
        this.payloadOffset = payloadOffset;
        this.payloadLength = payloadLength;
    }

    /** A packet whose payload is the whole of {@code payload} (shared), with no contributing sources. */
    public static RtpPacket of(boolean marker, int payloadType, int sequence, long timestamp, long ssrc, byte[] payload) {
        return new RtpPacket(marker, payloadType, sequence, timestamp, ssrc, 0, payload, 0, payload.length);
    }

    /** Parses the whole of {@code data}. */
    public static RtpPacket parse(byte[] data) throws RtpException {
        return parse(data, 0, data == null ? 0 : data.length);
    }

    /** Parses the packet data[offset, offset+length): one UDP datagram or one interleaved frame, exactly. */
    public static RtpPacket parse(byte[] data, int offset, int length) throws RtpException {
        if (data == null || offset < 0 || length < 0 || offset > data.length - length) {
            throw new RtpException("slice outside array");
        }
        if (length > MAX_PACKET_LENGTH) {
            throw new RtpException("RTP packet of " + length + " bytes exceeds " + MAX_PACKET_LENGTH);
        }
        if (length < HEADER_LENGTH) {
            throw new RtpException("RTP packet of " + length + " bytes is shorter than the fixed header");
        }
        int b0 = data[offset] & 0xFF;
        int b1 = data[offset + 1] & 0xFF;
        if (b0 >> 6 != VERSION) {
            throw new RtpException("RTP version " + (b0 >> 6));
        }
        boolean padding = (b0 & 0x20) != 0;
        boolean extension = (b0 & 0x10) != 0;
        int csrcCount = b0 & 0x0F;
        int end = offset + length;
        int p = offset + HEADER_LENGTH;
        if (csrcCount * 4 > end - p) {
            throw new RtpException(csrcCount + " CSRCs do not fit in a packet of " + length + " bytes");
        }
        p += csrcCount * 4;
        if (extension) {
            if (end - p < 4) {
                throw new RtpException("truncated header extension");
            }
            int words = (data[p + 2] & 0xFF) << 8 | (data[p + 3] & 0xFF);
            p += 4;
            if (words * 4 > end - p) {
                throw new RtpException("header extension of " + words + " words beyond the packet");
            }
            p += words * 4;
        }
        if (padding) {
            if (end == p) {
                throw new RtpException("padding bit set on a packet with no room for the padding count");
            }
            int pad = data[end - 1] & 0xFF;
            if (pad == 0 || pad > end - p) {
                throw new RtpException("padding of " + pad + " bytes with " + (end - p) + " after the header");
            }
            end -= pad;
        }
        int sequence = (data[offset + 2] & 0xFF) << 8 | (data[offset + 3] & 0xFF);
        return new RtpPacket((b1 & 0x80) != 0, b1 & 0x7F, sequence, readU32(data, offset + 4), readU32(data, offset + 8),
                csrcCount, data, p, end - p);
    }

    static long readU32(byte[] d, int p) {
        return ((long) (d[p] & 0xFF) << 24) | (d[p + 1] & 0xFF) << 16 | (d[p + 2] & 0xFF) << 8 | (d[p + 3] & 0xFF);
    }

    static void writeU32(byte[] d, int p, long v) {
        d[p] = (byte) (v >>> 24);
        d[p + 1] = (byte) (v >>> 16);
        d[p + 2] = (byte) (v >>> 8);
        d[p + 3] = (byte) v;
    }

    /**
     * Writes the packet as it goes on the wire: fixed header (no padding, no extension, no CSRC list: a packet parsed
     * with contributing sources is written without them) then the payload.
     */
    public byte[] encode() {
        byte[] out = new byte[HEADER_LENGTH + payloadLength];
        writeHeader(out, 0, marker, payloadType, sequence, timestamp, ssrc);
        System.arraycopy(data, payloadOffset, out, HEADER_LENGTH, payloadLength);
        return out;
    }

    /** Writes a 12-byte fixed header (version 2, no padding, no extension, no CSRC) at out[offset]. */
    public static void writeHeader(byte[] out, int offset, boolean marker, int payloadType, int sequence, long timestamp,
                                   long ssrc) {
        out[offset] = (byte) (VERSION << 6);
        out[offset + 1] = (byte) ((marker ? 0x80 : 0) | (payloadType & 0x7F));
        out[offset + 2] = (byte) (sequence >> 8);
        out[offset + 3] = (byte) sequence;
        writeU32(out, offset + 4, timestamp);
        writeU32(out, offset + 8, ssrc);
    }

    public boolean marker() {
        return marker;
    }

    public int payloadType() {
        return payloadType;
    }

    /** 16-bit sequence number, 0..65535. */
    public int sequence() {
        return sequence;
    }

    /** 32-bit media timestamp as an unsigned value, 0..2^32-1. */
    public long timestamp() {
        return timestamp;
    }

    /** 32-bit synchronisation source as an unsigned value. */
    public long ssrc() {
        return ssrc;
    }

    public int csrcCount() {
        return csrcCount;
    }

    /** The array the payload lives in: read it, never write it. */
    public byte[] data() {
        return data;
    }

    public int payloadOffset() {
        return payloadOffset;
    }

    public int payloadLength() {
        return payloadLength;
    }

    /** A copy of the payload. */
    public byte[] payload() {
        return Arrays.copyOfRange(data, payloadOffset, payloadOffset + payloadLength);
    }

    @Override
    public String toString() {
        return "RtpPacket{pt=" + payloadType + " seq=" + sequence + " ts=" + timestamp + (marker ? " M" : "") + " ssrc="
                + Long.toHexString(ssrc) + " bytes=" + payloadLength + '}';
    }
}
