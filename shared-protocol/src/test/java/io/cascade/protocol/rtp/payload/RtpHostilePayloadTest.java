package io.cascade.protocol.rtp.payload;

import static io.cascade.protocol.flv.Hex.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cascade.protocol.aac.StreamMuxConfig;
import io.cascade.protocol.h264.BitstreamException;
import io.cascade.protocol.rtp.RtpException;
import io.cascade.protocol.rtp.RtpPacket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Malformed payloads give RtpException or a damaged unit, never another exception, and never a broken unit. */
class RtpHostilePayloadTest {
    private int seq;

    private RtpPacket packet(boolean marker, long ts, byte[] payload) {
        return RtpPacket.of(marker, 96, seq++ & 0xFFFF, ts, 1, payload);
    }

    private List<AccessUnit> feed(Depacketizer d, RtpPacket... packets) throws RtpException {
        List<AccessUnit> out = new ArrayList<>();
        for (RtpPacket p : packets) {
            d.push(p, out::add);
        }
        return out;
    }

    private void assertRejected(Depacketizer d, byte[] payload) {
        assertThrows(RtpException.class, () -> d.push(packet(true, 0, payload), au -> { }),
                io.cascade.protocol.flv.Hex.hex(payload));
    }

    @Test
    void h264MalformedPackets() {
        H264Depacketizer d = new H264Depacketizer();
        assertRejected(d, bytes(""));
        assertRejected(d, bytes("18"));                       // STAP-A with no unit
        assertRejected(d, bytes("18 0005 6742"));             // STAP-A unit size beyond the packet
        assertRejected(d, bytes("18 0002 6742 00"));          // STAP-A size field cut
        assertRejected(d, bytes("18 0000"));                  // STAP-A unit of size 0
        assertRejected(d, bytes("7C"));                       // FU-A without its FU header
        assertRejected(d, bytes("19 0000 0002 6742"));        // STAP-B (interleaved mode)
        assertRejected(d, bytes("1A 00"));                    // MTAP16
        assertRejected(d, bytes("1B 00"));                    // MTAP24
        assertRejected(d, bytes("1D 85 00"));                 // FU-B
        assertTrue(d.damaged() > 0);
        assertEquals(0, d.accessUnits());
    }

    @Test
    void h264FragmentWithoutStartIsADamagedUnit() throws RtpException {
        H264Depacketizer d = new H264Depacketizer();
        List<AccessUnit> out = feed(d, packet(false, 10, bytes("7C 05 AABB")), packet(true, 10, bytes("7C 45 CCDD")));
        assertEquals(List.of(), out);
        assertEquals(1, d.damaged());
        // the next whole unit comes out, flagged
        out = feed(d, packet(true, 20, bytes("65 8888")));
        assertEquals(1, out.size());
        assertTrue(out.get(0).discontinuity());
    }

    @Test
    void h264FragmentWithoutEndIsADamagedUnit() throws RtpException {
        H264Depacketizer d = new H264Depacketizer();
        assertEquals(List.of(), feed(d, packet(false, 10, bytes("7C 85 AABB")), packet(true, 10, bytes("7C 05 CCDD"))));
        assertEquals(List.of(), feed(d, packet(false, 20, bytes("7C 85 AABB")), packet(false, 20, bytes("7C 85 CCDD")),
                packet(true, 20, bytes("7C 45 EE"))));
        assertEquals(2, d.damaged());
    }

    @Test
    void h264TooManyNalUnits() {
        H264Depacketizer d = new H264Depacketizer();
        byte[] stap = new byte[1 + 3 * (Depacketizer.MAX_NAL_UNITS_PER_ACCESS_UNIT + 1)];
        stap[0] = 0x18;
        for (int i = 1; i < stap.length; i += 3) {
            stap[i + 1] = 1;
            stap[i + 2] = 0x06;
        }
        assertRejected(d, stap);
    }

    @Test
    void accessUnitSizeIsBounded() throws RtpException {
        H264Depacketizer d = new H264Depacketizer();
        byte[] piece = new byte[60_000];
        piece[0] = 0x7C;
        piece[1] = (byte) 0x85;
        d.push(packet(false, 5, piece.clone()), au -> { });
        piece[1] = 0x05;
        RtpException e = null;
        for (int i = 0; i < Depacketizer.MAX_ACCESS_UNIT_LENGTH / 60_000 + 1 && e == null; i++) {
            try {
                d.push(packet(false, 5, piece), au -> { });
            } catch (RtpException thrown) {
                e = thrown;
            }
        }
        assertTrue(e != null && e.getMessage().contains("larger than"), String.valueOf(e));
    }

    @Test
    void h265MalformedPackets() {
        H265Depacketizer d = new H265Depacketizer();
        assertRejected(d, bytes("02"));                   // shorter than the NAL header
        assertRejected(d, bytes("6001"));                 // AP with no unit
        assertRejected(d, bytes("6001 0009 4001"));       // AP unit size beyond the packet
        assertRejected(d, bytes("6001 0001 40"));         // AP unit shorter than a NAL header
        assertRejected(d, bytes("6201"));                 // FU without its FU header
        assertRejected(d, bytes("6401 00"));              // PACI
        assertThrows(RtpException.class, () -> H265Depacketizer.forMaxDonDiff(2));
    }

    @Test
    void h265FragmentWithoutStartIsADamagedUnit() throws RtpException {
        H265Depacketizer d = new H265Depacketizer();
        assertEquals(List.of(), feed(d, packet(true, 10, bytes("6201 53 AABB"))));
        assertEquals(1, d.damaged());
    }

    private static AacHbrDepacketizer hbr() throws RtpException {
        return AacHbrDepacketizer.fromFormatParameters(RtpDepacketizerCapturesTest.HBR);
    }

    @Test
    void aacMalformedPackets() throws RtpException {
        AacHbrDepacketizer d = hbr();
        assertRejected(d, bytes("00"));                        // no AU-headers-length
        assertRejected(d, bytes("0010 00"));                   // AU-headers-length beyond the packet
        assertRejected(d, bytes("FFFF 0010"));                 // 65535 bits of headers in a tiny packet
        assertRejected(d, bytes("0000 AABB"));                 // no header at all
        assertRejected(d, bytes("0010 0000 AA"));              // AU-size 0
        assertRejected(d, bytes("0020 0010 0018 AA"));         // two units of 2 and 3 bytes, 1 present
        assertRejected(d, bytes("0020 0008 0009 AA BB"));      // AU-Index-delta 1: interleaving
        assertRejected(d, bytes("0018 0008 00 AA"));           // second header cut by AU-headers-length
        assertEquals(0, d.accessUnits());
    }

    @Test
    void aacFormatParametersAreChecked() {
        assertThrows(RtpException.class, () -> AacHbrDepacketizer.fromFormatParameters(Map.of("sizelength", "13")));
        assertThrows(RtpException.class, () -> AacHbrDepacketizer.fromFormatParameters(Map.of("mode", "CELP-cbr",
                "sizelength", "6")));
        assertThrows(RtpException.class, () -> AacHbrDepacketizer.fromFormatParameters(Map.of("mode", "AAC-hbr")));
        assertThrows(RtpException.class, () -> AacHbrDepacketizer.fromFormatParameters(Map.of("mode", "AAC-hbr",
                "sizelength", "99999999999")));
        assertThrows(RtpException.class, () -> AacHbrDepacketizer.fromFormatParameters(Map.of("mode", "AAC-hbr",
                "sizelength", "-1")));
        assertThrows(RtpException.class, () -> AacHbrDepacketizer.fromFormatParameters(Map.of("mode", "AAC-hbr",
                "sizelength", "40")));
    }

    @Test
    void aacFragmentsThatDoNotAddUpAreDamaged() throws RtpException {
        AacHbrDepacketizer d = hbr();
        // a 16-byte unit: 4 bytes, then a unit at another timestamp before the rest
        assertEquals(List.of(), feed(d, packet(false, 0, bytes("0010 0080 00112233"))));
        List<AccessUnit> out = feed(d, packet(true, 1024, bytes("0010 0010 AA BB")));
        assertEquals(1, out.size());
        assertEquals(1, d.damaged());
        // last fragment short: marker before the size is reached
        assertEquals(List.of(), feed(d, packet(false, 2048, bytes("0010 0080 00112233")),
                packet(true, 2048, bytes("0010 0080 4455"))));
        assertEquals(2, d.damaged());
    }

    @Test
    void aacOptionalHeaderFieldsAreSkipped() throws RtpException {
        AacHbrDepacketizer d = AacHbrDepacketizer.fromFormatParameters(Map.of("mode", "AAC-hbr", "sizeLength", "13",
                "indexLength", "3", "indexDeltaLength", "3", "CTSDeltaLength", "2", "randomAccessIndication", "1",
                "auxiliaryDataSizeLength", "8"));
        // header: size 2 (13 bits), index 0 (3), CTS-flag 0 (1), RAP 1 (1) = 18 bits; aux: size 8 bits = 1 byte of data
        List<AccessUnit> out = feed(d, packet(true, 0, bytes("0012 0010 40", "08 EE", "CAFE")));
        assertEquals(1, out.size());
        assertEquals("CAFE", io.cascade.protocol.flv.Hex.hex(out.get(0).data()));
        // two headers, each with its CTS-flag (the second one set, with a 2-bit delta) and RAP flag: 18 + 20 bits
        // 0000000000001 000 0 1 | 0000000000001 000 1 11 1 | 00 (padding)
        out = feed(d, packet(true, 1024, bytes("0026 0008 40 02 3C", "08 EE", "AA BB")));
        assertEquals(2, out.size());
        assertEquals("BB", io.cascade.protocol.flv.Hex.hex(out.get(1).data()));
    }

    @Test
    void latmMalformedElements() throws Exception {
        StreamMuxConfig config = StreamMuxConfig.parseHex("400023203fc0");
        LatmDepacketizer d = new LatmDepacketizer(config, 1024);
        assertRejected(d, bytes("FF FF"));               // PayloadLengthInfo runs off the end
        assertRejected(d, bytes("05 AABB"));             // frame longer than the element
        assertRejected(d, bytes("00"));                  // frame of 0 bytes
        assertRejected(d, bytes("02 AABB 03 CC"));       // second frame cut
        assertTrue(d.damaged() >= 4);
    }

    @Test
    void latmElementSplitOverPacketsAndLost() throws Exception {
        LatmDepacketizer d = new LatmDepacketizer(StreamMuxConfig.parseHex("400023203fc0"), 1024);
        List<AccessUnit> out = feed(d, packet(false, 0, bytes("04 AA")), packet(true, 0, bytes("BBCCDD")));
        assertEquals(1, out.size());
        assertEquals(4, out.get(0).data().length);
        // a packet lost in the middle of the next element
        feed(d, packet(false, 1024, bytes("04 AA")));
        seq++;
        assertEquals(List.of(), feed(d, packet(true, 1024, bytes("DD"))));
        assertEquals(1, d.damaged());
    }

    @Test
    void streamMuxConfigsThatAreRefused() {
        for (String hex : List.of("", "4", "zz", "C0002320", "4000", "40102320", "40012320", "40002000",
                "400023203fc0".repeat(50), "400023003fc0" /* channel configuration 0 */)) {
            assertThrows(BitstreamException.class, () -> StreamMuxConfig.parseHex(hex), hex);
        }
    }
}
