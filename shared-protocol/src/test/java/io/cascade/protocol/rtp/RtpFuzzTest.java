package io.cascade.protocol.rtp;

import io.cascade.testing.FuzzSeeds;

import static io.cascade.protocol.flv.Hex.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Jazzer fuzz tests of the RTP header, compound RTCP and the reorder window; only RtpException may escape the parsers. */
class RtpFuzzTest {
    private static final Path SEED_DIR = Path.of("src/test/resources/io/cascade/protocol/rtp/RtpFuzzTestInputs");

    @FuzzTest(maxDuration = "10s")
    void rtpPacket(byte[] data) {
        try {
            RtpPacket p = RtpPacket.parse(data);
            assertTrue(p.payloadOffset() >= RtpPacket.HEADER_LENGTH && p.payloadOffset() + p.payloadLength() <= data.length);
            RtpPacket again = RtpPacket.parse(p.encode());
            assertEquals(p.sequence(), again.sequence());
            assertEquals(p.timestamp(), again.timestamp());
            assertEquals(p.ssrc(), again.ssrc());
            assertEquals(p.marker(), again.marker());
            assertArrayEquals(p.payload(), again.payload());
        } catch (RtpException expected) {
            // typed rejection
        }
    }

    @FuzzTest(maxDuration = "10s")
    void rtcpCompound(byte[] data) {
        try {
            List<RtcpPacket> packets = RtcpPacket.parseCompound(data);
            assertTrue(!packets.isEmpty() && packets.size() <= RtcpPacket.MAX_PACKETS_PER_COMPOUND);
            List<RtcpPacket> known = packets.stream().filter(p -> !(p instanceof RtcpPacket.Other)).toList();
            if (!known.isEmpty()) {
                // what we read, we write back the same way (texts cut to 255 bytes stay as they are)
                List<RtcpPacket> again = RtcpPacket.parseCompound(RtcpPacket.encodeCompound(known));
                assertEquals(known.size(), again.size());
                for (int i = 0; i < known.size(); i++) {
                    assertEquals(known.get(i).type(), again.get(i).type());
                }
            }
        } catch (RtpException expected) {
            // typed rejection
        }
    }

    /** Bytes as a run of 16-bit sequence numbers: everything released comes out once, and counts add up. */
    @FuzzTest(maxDuration = "10s")
    void reorderWindow(byte[] data) {
        if (data.length < 2) {
            return;
        }
        ReorderWindow<Integer> w = new ReorderWindow<>(1 + (data[0] & 0x1F), 1 + (data[0] & 0x1F) / 2);
        int pushed = 0;
        long out = 0;
        for (int i = 1; i + 1 < data.length; i += 2) {
            int seq = (data[i] & 0xFF) << 8 | (data[i + 1] & 0xFF);
            out += w.push(seq, seq).size();
            pushed++;
        }
        out += w.flush().size();
        assertEquals(out, w.released());
        assertEquals(pushed, w.released() + w.late() + w.duplicates());
        assertEquals(0, w.held());
    }

    static Map<String, Map<String, byte[]>> seeds() {
        Map<String, Map<String, byte[]>> m = new TreeMap<>();
        Map<String, byte[]> rtp = m.computeIfAbsent("rtpPacket", k -> new TreeMap<>());
        for (String capture : List.of("h264.rtp", "h265.rtp", "aac.rtp", "latm.rtp")) {
            rtp.put(FuzzSeeds.fileName("first of " + capture), RtpCaptures.datagrams(capture).get(0));
        }
        rtp.put("csrcs_extension_padding", bytes("B2 60 0001 00000010 00000001 11111111 22222222 BEDE 0001 AABBCCDD"
                + " C0FFEE 000003"));
        rtp.put("bad_csrc_count_beyond_packet", bytes("8F 60 0001 00000010 00000001 11111111"));
        rtp.put("bad_padding_beyond_packet", bytes("A0 60 0001 00000010 00000001 0102 09"));
        Map<String, byte[]> rtcp = m.computeIfAbsent("rtcpCompound", k -> new TreeMap<>());
        List<byte[]> sr = RtpCaptures.datagrams("gst_rtcp_sr.bin");
        rtcp.put("gstreamer_sr_sdes", sr.get(0));
        rtcp.put("gstreamer_sr_sdes_bye", sr.get(1));
        rtcp.put("gstreamer_rr_sdes", RtpCaptures.datagrams("gst_rtcp_rr.bin").get(0));
        rtcp.put("ffmpeg_sr", bytes("80c80006 9858f52f eec039f332b020c4 22904d35 00000000 00000000"));
        rtcp.put("bad_sdes_item_beyond_packet", bytes("81 CA 0002 00000001 0105 6162"));
        Map<String, byte[]> window = m.computeIfAbsent("reorderWindow", k -> new TreeMap<>());
        window.put("swaps_and_a_gap", bytes("08 0001 0003 0002 0005 0006 0007 0008 0009 000a 000b"));
        window.put("wrap", bytes("10 fffe 0000 ffff 0001 0002"));
        window.put("restart", bytes("04 1000 1001 9000 9001 0100 0101 0102 0103 0104"));
        return m;
    }

    @Test
    void fuzzBodiesAcceptEverySeedAndTruncation() throws IOException {
        FuzzSeeds.replay(SEED_DIR, seeds(), Map.of("rtpPacket", this::rtpPacket, "rtcpCompound", this::rtcpCompound,
                "reorderWindow", this::reorderWindow), 1000);
    }

    @Test
    void committedSeedFilesMatchTheVectorTables() throws IOException {
        FuzzSeeds.checkCommitted(SEED_DIR, seeds());
    }
}
