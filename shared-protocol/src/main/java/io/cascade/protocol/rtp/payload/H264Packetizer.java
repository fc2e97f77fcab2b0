package io.cascade.protocol.rtp.payload;

import java.io.ByteArrayOutputStream;

/**
 * H.264 access units to RTP payloads in packetization mode 1 (RFC 6184): single NAL unit packets, FU-A for NAL units
 * larger than the payload size and, when aggregation is on, STAP-A for runs of small NAL units.
 */
public final class H264Packetizer extends NalPacketizer {
    /** Default payload size, STAP-A on. */
    public H264Packetizer() {
        this(DEFAULT_MAX_PAYLOAD, true);
    }

    public H264Packetizer(int maxPayload, boolean aggregate) {
        super(maxPayload, aggregate);
    }

    @Override
    int aggregationHeaderLength() {
        return 1;
    }

    @Override
    int nalHeaderLength() {
        return 1;
    }

    @Override
    void aggregationHeader(ByteArrayOutputStream out, byte[] au, int[] nals, int from, int to) {
        int f = 0;
        int nri = 0;
        for (int k = from; k < to; k++) {
            int h = au[nals[2 * k]] & 0xFF;
            f |= h & 0x80;
            nri = Math.max(nri, h & 0x60);
        }
        out.write(f | nri | H264Depacketizer.STAP_A);
    }

    @Override
    void fragmentHeader(ByteArrayOutputStream out, byte[] au, int offset, boolean start, boolean end) {
        int h = au[offset] & 0xFF;
        out.write(h & 0xE0 | H264Depacketizer.FU_A);
        out.write((start ? 0x80 : 0) | (end ? 0x40 : 0) | h & 0x1F);
    }
}
