package io.cascade.protocol.rtp.payload;

import static io.cascade.protocol.flv.Hex.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.cascade.protocol.aac.StreamMuxConfig;
import io.cascade.protocol.h264.BitstreamException;
import io.cascade.protocol.h264.NalUnits;
import io.cascade.testing.FuzzSeeds;
import io.cascade.protocol.rtp.RtpCaptures;
import io.cascade.protocol.rtp.RtpException;
import io.cascade.protocol.rtp.RtpPacket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Jazzer fuzz tests of the depacketizers and the LATM StreamMuxConfig. An input is a run of packets, each as a control
 * byte (bit 0 marker, bit 1 a lost packet before it, bit 2 a new timestamp), a 16-bit length and the payload; the
 * depacketizer may only throw RtpException, and every unit it hands out must be well formed and within the limits.
 */
class RtpPayloadFuzzTest {
    private static final Path SEED_DIR = Path.of("src/test/resources/io/cascade/protocol/rtp/payload/RtpPayloadFuzzTestInputs");
    private static final String FFMPEG_LATM_CONFIG = "400023203fc0";

    /** Feeds the packets the bytes describe; returns what came out. */
    private static List<AccessUnit> feed(Depacketizer d, byte[] data) {
        List<AccessUnit> out = new ArrayList<>();
        int seq = 0;
        long ts = 0;
        int p = 0;
        while (data.length - p >= 3) {
            int control = data[p] & 0xFF;
            int n = Math.min((data[p + 1] & 0xFF) << 8 | (data[p + 2] & 0xFF), data.length - p - 3);
            byte[] payload = java.util.Arrays.copyOfRange(data, p + 3, p + 3 + n);
            p += 3 + n;
            if ((control & 2) != 0) {
                seq++;
            }
            if ((control & 4) != 0) {
                ts += 3000;
            }
            try {
                d.push(RtpPacket.of((control & 1) != 0, 96, seq++ & 0xFFFF, ts & 0xFFFFFFFFL, 1, payload), out::add);
            } catch (RtpException expected) {
                // typed rejection; the depacketizer goes on with the next packet
            }
        }
        d.flush(out::add);
        for (AccessUnit au : out) {
            assertTrue(au.data().length <= Depacketizer.MAX_ACCESS_UNIT_LENGTH);
        }
        return out;
    }

    private static void checkVideo(List<AccessUnit> units) {
        for (AccessUnit au : units) {
            try {
                assertArrayEquals(au.data(), NalUnits.toFourByteLengths(au.data(), 0, au.data().length, 4));
            } catch (BitstreamException e) {
                throw new AssertionError("a depacketized unit is not canonical: " + e.getMessage());
            }
            int[] count = {0};
            NalUnits.visit(au.data(), (off, len) -> count[0]++);
            assertTrue(count[0] >= 1 && count[0] <= Depacketizer.MAX_NAL_UNITS_PER_ACCESS_UNIT);
        }
    }

    @FuzzTest(maxDuration = "10s")
    void h264(byte[] data) {
        checkVideo(feed(new H264Depacketizer(), data));
    }

    @FuzzTest(maxDuration = "10s")
    void h265(byte[] data) {
        checkVideo(feed(new H265Depacketizer(), data));
    }

    @FuzzTest(maxDuration = "10s")
    void aacHbr(byte[] data) {
        try {
            for (AccessUnit au : feed(AacHbrDepacketizer.fromFormatParameters(RtpDepacketizerCapturesTest.HBR), data)) {
                assertTrue(au.data().length > 0 && au.data().length < 1 << 13);
            }
        } catch (RtpException e) {
            throw new AssertionError(e);
        }
    }

    @FuzzTest(maxDuration = "10s")
    void latm(byte[] data) {
        try {
            for (AccessUnit au : feed(new LatmDepacketizer(StreamMuxConfig.parseHex(FFMPEG_LATM_CONFIG), 1024), data)) {
                assertTrue(au.data().length > 0);
            }
        } catch (RtpException | BitstreamException e) {
            throw new AssertionError(e);
        }
    }

    @FuzzTest(maxDuration = "10s")
    void streamMuxConfig(byte[] data) {
        try {
            StreamMuxConfig c = StreamMuxConfig.parse(data, 0, data.length);
            assertTrue(c.config().sampleRate() > 0);
            c.audioSpecificConfig();
        } catch (BitstreamException expected) {
            // typed rejection
        }
    }

    /** A capture in the input format of the fuzz bodies. */
    static byte[] records(List<RtpPacket> packets, boolean dropFirst) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long lastTs = packets.get(0).timestamp();
        for (int i = dropFirst ? 1 : 0; i < packets.size(); i++) {
            RtpPacket p = packets.get(i);
            int control = (p.marker() ? 1 : 0) | (p.timestamp() != lastTs ? 4 : 0) | (dropFirst && i == 1 ? 2 : 0);
            lastTs = p.timestamp();
            out.write(control);
            out.write(p.payloadLength() >> 8);
            out.write(p.payloadLength());
            out.write(p.data(), p.payloadOffset(), p.payloadLength());
        }
        return out.toByteArray();
    }

    static Map<String, Map<String, byte[]>> seeds() {
        Map<String, Map<String, byte[]>> m = new TreeMap<>();
        Map<String, byte[]> h264 = m.computeIfAbsent("h264", k -> new TreeMap<>());
        h264.put("ffmpeg_stap_a_fu_a_single", records(RtpCaptures.packets("h264.rtp"), false));
        h264.put("ffmpeg_first_packet_lost", records(RtpCaptures.packets("h264.rtp").subList(0, 5), true));
        h264.put("bad_stap_a_size_beyond_packet", bytes("01 0005 18 0005 6742"));
        h264.put("bad_fu_a_without_start", bytes("00 0004 7C05AABB 01 0004 7C45CCDD"));
        Map<String, byte[]> h265 = m.computeIfAbsent("h265", k -> new TreeMap<>());
        h265.put("ffmpeg_ap_fu_single", records(RtpCaptures.packets("h265.rtp").subList(0, 12), false));
        h265.put("ffmpeg_global_header_single", records(RtpCaptures.packets("h265gh.rtp"), false));
        h265.put("bad_ap_size_beyond_packet", bytes("01 0006 6001 0009 4001"));
        Map<String, byte[]> aac = m.computeIfAbsent("aacHbr", k -> new TreeMap<>());
        aac.put("ffmpeg_five_frames_in_a_packet", records(RtpCaptures.packets("aac.rtp"), false));
        aac.put("ffmpeg_fragmented_frames", records(RtpCaptures.packets("aacfrag.rtp").subList(0, 10), false));
        aac.put("bad_au_headers_length_beyond_packet", bytes("01 0003 0010 00"));
        Map<String, byte[]> latm = m.computeIfAbsent("latm", k -> new TreeMap<>());
        latm.put("ffmpeg_latm", records(RtpCaptures.packets("latm.rtp").subList(0, 4), false));
        latm.put("split_element", bytes("00 0002 04AA 01 0003 BBCCDD"));
        latm.put("bad_length_info_runs_off", bytes("01 0002 FFFF"));
        Map<String, byte[]> smc = m.computeIfAbsent("streamMuxConfig", k -> new TreeMap<>());
        smc.put("ffmpeg_aac_lc_48k_stereo", bytes(FFMPEG_LATM_CONFIG));
        smc.put("gstreamer_aac_lc_44k_mono_sync_extension", bytes("40002410adca00"));
        smc.put("bad_audio_mux_version_1", bytes("C0002320"));
        return m;
    }

    @Test
    void fuzzBodiesAcceptEverySeedAndTruncation() throws IOException {
        FuzzSeeds.replay(SEED_DIR, seeds(), Map.of("h264", this::h264, "h265", this::h265, "aacHbr", this::aacHbr, "latm", this::latm,
                "streamMuxConfig", this::streamMuxConfig), 300);
    }

    @Test
    void committedSeedFilesMatchTheVectorTables() throws IOException {
        FuzzSeeds.checkCommitted(SEED_DIR, seeds());
    }
}
