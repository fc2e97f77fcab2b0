package io.cascade.protocol.ts;

/** PES packet headers (ISO/IEC 13818-1 2.4.3.6) with PTS and optional DTS, and the 33-bit timestamp arithmetic. */
final class PesPacket {
    static final int STREAM_ID_VIDEO = 0xE0;
    static final int STREAM_ID_AUDIO = 0xC0;
    /** PTS and DTS are 33-bit counts of a 90 kHz clock that wrap (about every 26.5 hours). */
    static final long TIMESTAMP_MASK = (1L << 33) - 1;
    /** PES_packet_length is 16 bits and counts the bytes after itself. */
    static final int MAX_PES_PACKET_LENGTH = 0xFFFF;
    /** Bytes after PES_packet_length before the timestamps: the two flag bytes and PES_header_data_length. */
    private static final int FLAGS_SIZE = 3;
    private static final int TIMESTAMP_SIZE = 5;
    private static final int PREFIX_SIZE = 6; // packet_start_code_prefix, stream_id, PES_packet_length

    private PesPacket() {
    }

    /** Size of the header {@link #writeHeader} writes. */
    static int headerSize(boolean withDts) {
        return PREFIX_SIZE + FLAGS_SIZE + TIMESTAMP_SIZE * (withDts ? 2 : 1);
    }

    /** Most payload bytes a PES with a non-zero PES_packet_length can carry. */
    static int maxBoundedPayload(boolean withDts) {
        return MAX_PES_PACKET_LENGTH - (headerSize(withDts) - PREFIX_SIZE);
    }

    /**
     * Writes a PES header at out[0..headerSize). dts90k < 0 means "no DTS" (it equals the PTS). payloadLength < 0 writes
     * PES_packet_length 0, "unbounded", which 2.4.3.7 allows only for video elementary streams in a transport stream.
     * data_alignment_indicator is set: every PES we write starts with an access unit (an AUD or an ADTS sync word).
     */
    static int writeHeader(byte[] out, int streamId, long pts90k, long dts90k, int payloadLength) {
        boolean withDts = dts90k >= 0;
        int headerDataLength = TIMESTAMP_SIZE * (withDts ? 2 : 1);
        int pesPacketLength = 0;
        if (payloadLength >= 0) {
            pesPacketLength = FLAGS_SIZE + headerDataLength + payloadLength;
            if (pesPacketLength > MAX_PES_PACKET_LENGTH) {
                throw new IllegalStateException("bounded PES packet too long: " + pesPacketLength);
            }
        }
        out[0] = 0;
        out[1] = 0;
        out[2] = 1;
        out[3] = (byte) streamId;
        out[4] = (byte) (pesPacketLength >> 8);
        out[5] = (byte) pesPacketLength;
        out[6] = (byte) 0x84; // '10', not scrambled, priority 0, data_alignment_indicator 1, not copyrighted, copy
        out[7] = (byte) (withDts ? 0xC0 : 0x80); // PTS_DTS_flags '11' or '10', no other optional fields
        out[8] = (byte) headerDataLength;
        writeTimestamp(out, 9, withDts ? 0x3 : 0x2, pts90k);
        if (withDts) {
            writeTimestamp(out, 14, 0x1, dts90k);
        }
        return PREFIX_SIZE + FLAGS_SIZE + headerDataLength;
    }

    /** '4-bit prefix' TS[32..30] marker, TS[29..15] marker, TS[14..0] marker (Table 2-21). */
    private static void writeTimestamp(byte[] out, int p, int prefix, long ts) {
        long t = ts & TIMESTAMP_MASK;
        out[p] = (byte) (prefix << 4 | (int) (t >>> 29) & 0x0E | 1);
        out[p + 1] = (byte) (t >>> 22);
        out[p + 2] = (byte) ((t >>> 14) & 0xFE | 1);
        out[p + 3] = (byte) (t >>> 7);
        out[p + 4] = (byte) ((t << 1) & 0xFE | 1);
    }
}
