package io.cascade.protocol.ts;

import static io.cascade.protocol.flv.Hex.bytes;
import static io.cascade.protocol.flv.Hex.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Known bytes for the small building blocks: the CRC, the PSI sections and a PES header. */
class TsVectorsTest {
    @Test
    void crc32Mpeg2CheckValue() {
        // The catalogued check value of CRC-32/MPEG-2 over the ASCII digits "123456789".
        byte[] digits = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0x0376E6E7, Crc32Mpeg2.compute(digits, 0, digits.length));
        assertEquals(0x0376E6E7, TinyTsDemuxer.crc(digits, 0, digits.length));
    }

    @Test
    void patIsTheSectionFfmpegWritesForTheSameProgram() {
        // ffmpeg 5.1 -f mpegts with its defaults (transport_stream_id 1, program 1, PMT PID 0x1000) writes exactly this.
        assertEquals("00B00D0001C100000001F0002AB104B2", hex(PsiSections.pat(1, 1, 0x1000)));
    }

    @Test
    void pmtIsTheSectionFfmpegWritesForH264AndAac() {
        // ffmpeg 5.1 -c copy -f mpegts of an H.264 + AAC FLV: PCR on 0x100, 0x1B on 0x100, 0x0F on 0x101, no descriptors.
        byte[] pmt = PsiSections.pmt(1, 0x100, List.of(new PsiSections.Stream(0x1B, 0x100),
                new PsiSections.Stream(0x0F, 0x101)));
        assertEquals(hex(bytes("02 B017 0001 C1 00 00", "E100 F000", "1B E100 F000", "0F E101 F000", "2F44B99B")),
                hex(pmt));
    }

    @Test
    void pesHeaderTimestampsAreEncodedLikeFfmpeg() {
        // ffmpeg 5.1 wrote "31 00 09 10 A1 11 00 07 D8 61" for PTS 133200 / DTS 126000 (it leaves data_alignment 0: 0x80).
        byte[] h = new byte[PesPacket.headerSize(true)];
        PesPacket.writeHeader(h, PesPacket.STREAM_ID_VIDEO, 133_200, 126_000, -1);
        assertEquals(hex(bytes("000001 E0 0000 84 C0 0A", "310009 10A1", "110007 D861")), hex(h));

        byte[] a = new byte[PesPacket.headerSize(false)];
        PesPacket.writeHeader(a, PesPacket.STREAM_ID_AUDIO, (1L << 33) - 1, -1, 100);
        // PES_packet_length = 3 flag bytes + 5 PTS bytes + 100; all 33 PTS bits set
        assertEquals(hex(bytes("000001 C0 006C 84 80 05", "2F FFFF FFFF")), hex(a));
    }
}
