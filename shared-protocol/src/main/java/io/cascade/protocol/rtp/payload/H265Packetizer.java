package io.cascade.protocol.rtp.payload;

import java.io.ByteArrayOutputStream;

/**
 * H.265 access units to RTP payloads (RFC 7798, no decoding order numbers): single NAL unit packets, fragmentation units
 * for NAL units larger than the payload size and, when aggregation is on, aggregation packets for runs of small ones.
 */
public final class H265Packetizer extends NalPacketizer {
    /** Default payload size, aggregation on. */
    public H265Packetizer() {
        this(DEFAULT_MAX_PAYLOAD, true);
    }

    public H265Packetizer(int maxPayload, boolean aggregate) {
        super(maxPayload, aggregate);
    }

    @Override
    int aggregationHeaderLength() {
        return 2;
    }

    @Override
    int nalHeaderLength() {
        return 2;
    }

    @Override
    void aggregationHeader(ByteArrayOutputStream out, byte[] au, int[] nals, int from, int to) {
        // F is the OR of the units' F bits; LayerId and TID are the lowest of the units'
        int f = 0;
        int layer = 63;
        int tid = 7;
        for (int k = from; k < to; k++) {
            int h0 = au[nals[2 * k]] & 0xFF;
            int h1 = au[nals[2 * k] + 1] & 0xFF;
            f |= h0 & 0x80;
            layer = Math.min(layer, (h0 & 1) << 5 | h1 >> 3);
            tid = Math.min(tid, h1 & 7);
        }
        out.write(f | H265Depacketizer.AP << 1 | layer >> 5);
        out.write((layer & 0x1F) << 3 | tid);
    }

    @Override
    void fragmentHeader(ByteArrayOutputStream out, byte[] au, int offset, boolean start, boolean end) {
        int h0 = au[offset] & 0xFF;
        out.write(h0 & 0x81 | H265Depacketizer.FU << 1);
        out.write(au[offset + 1] & 0xFF);
        out.write((start ? 0x80 : 0) | (end ? 0x40 : 0) | (h0 >> 1 & 0x3F));
    }
}
