package io.cascade.protocol.ts;

import java.util.List;

/**
 * The two PSI sections a segment needs (ISO/IEC 13818-1 2.4.4): the program association table and the program map table of
 * its single program. In a segment both are version 0 and never change; a client that joins at any segment reads them
 * from that segment's first two packets.
 */
final class PsiSections {
    static final int TABLE_ID_PAT = 0x00;
    static final int TABLE_ID_PMT = 0x02;
    /** Bytes after section_length that count towards it but are not loop entries: 5 header bytes + CRC_32. */
    private static final int SECTION_OVERHEAD = 5 + 4;

    private PsiSections() {
    }

    /** One elementary stream entry of the PMT: stream_type and elementary_PID, no descriptors. */
    record Stream(int streamType, int pid) {
    }

    /** PAT with one program (no network PID entry). */
    static byte[] pat(int transportStreamId, int programNumber, int pmtPid) {
        byte[] s = new byte[3 + SECTION_OVERHEAD + 4];
        int p = header(s, TABLE_ID_PAT, transportStreamId, 0);
        s[p++] = (byte) (programNumber >> 8);
        s[p++] = (byte) programNumber;
        s[p++] = (byte) (0xE0 | pmtPid >> 8); // reserved '111' + program_map_PID
        s[p++] = (byte) pmtPid;
        writeCrc(s, p);
        return s;
    }

    /** PMT for one program with no program descriptors and no ES descriptors. */
    static byte[] pmt(int programNumber, int pcrPid, List<Stream> streams) {
        return pmt(programNumber, pcrPid, streams, 0);
    }

    /**
     * The same with a version_number (0..31): a live stream whose tracks change says so with a new version, which a
     * receiver that parsed the old table reads again.
     */
    static byte[] pmt(int programNumber, int pcrPid, List<Stream> streams, int version) {
        byte[] s = new byte[3 + SECTION_OVERHEAD + 4 + 5 * streams.size()];
        int p = header(s, TABLE_ID_PMT, programNumber, version);
        s[p++] = (byte) (0xE0 | pcrPid >> 8); // reserved '111' + PCR_PID
        s[p++] = (byte) pcrPid;
        s[p++] = (byte) 0xF0; // reserved '1111' + program_info_length 0
        s[p++] = 0;
        for (Stream st : streams) {
            s[p++] = (byte) st.streamType();
            s[p++] = (byte) (0xE0 | st.pid() >> 8);
            s[p++] = (byte) st.pid();
            s[p++] = (byte) 0xF0; // reserved '1111' + ES_info_length 0
            s[p++] = 0;
        }
        writeCrc(s, p);
        return s;
    }

    /**
     * table_id .. last_section_number (8 bytes). section_length counts everything after its own field, CRC included.
     * tableIdExtension is transport_stream_id for the PAT and program_number for the PMT.
     */
    private static int header(byte[] s, int tableId, int tableIdExtension, int version) {
        int sectionLength = s.length - 3;
        s[0] = (byte) tableId;
        s[1] = (byte) (0xB0 | sectionLength >> 8); // section_syntax_indicator 1, '0', reserved '11'
        s[2] = (byte) sectionLength;
        s[3] = (byte) (tableIdExtension >> 8);
        s[4] = (byte) tableIdExtension;
        s[5] = (byte) (0xC1 | (version & 0x1F) << 1); // reserved '11', version_number, current_next_indicator 1
        s[6] = 0; // section_number
        s[7] = 0; // last_section_number
        return 8;
    }

    private static void writeCrc(byte[] s, int p) {
        int crc = Crc32Mpeg2.compute(s, 0, p);
        s[p] = (byte) (crc >>> 24);
        s[p + 1] = (byte) (crc >>> 16);
        s[p + 2] = (byte) (crc >>> 8);
        s[p + 3] = (byte) crc;
    }
}
