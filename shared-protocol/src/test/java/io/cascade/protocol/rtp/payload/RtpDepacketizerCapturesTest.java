package io.cascade.protocol.rtp.payload;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cascade.protocol.aac.AudioSpecificConfig;
import io.cascade.protocol.aac.StreamMuxConfig;
import io.cascade.protocol.h264.AvcSps;
import io.cascade.protocol.h264.BitstreamException;
import io.cascade.protocol.h264.NalUnits;
import io.cascade.protocol.h265.HevcSps;
import io.cascade.protocol.rtp.RtpCaptures;
import io.cascade.protocol.rtp.RtpException;
import io.cascade.protocol.rtp.RtpPacket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Depacketizers over packets captured from ffmpeg and GStreamer (see {@link RtpCaptures} for how). */
class RtpDepacketizerCapturesTest {
    static List<AccessUnit> run(Depacketizer d, List<RtpPacket> packets) throws RtpException {
        List<AccessUnit> out = new ArrayList<>();
        for (RtpPacket p : packets) {
            d.push(p, out::add);
        }
        d.flush(out::add);
        return out;
    }

    static List<Integer> nalTypes(byte[] au, boolean hevc) {
        List<Integer> types = new ArrayList<>();
        NalUnits.visit(au, (off, len) -> types.add(hevc ? NalUnits.h265Type(au[off]) : NalUnits.h264Type(au[off])));
        return types;
    }

    static void assertCanonical(byte[] au) throws BitstreamException {
        assertArrayEquals(au, NalUnits.toFourByteLengths(au, 0, au.length, 4));
    }

    @Test
    void h264StapAFuAAndSingleNalUnits() throws Exception {
        List<RtpPacket> packets = RtpCaptures.packets("h264.rtp");
        H264Depacketizer d = new H264Depacketizer();
        List<AccessUnit> aus = run(d, packets);
        assertEquals(4, aus.size());
        assertEquals(List.of(7, 8, 6, 5), nalTypes(aus.get(0).data(), false)); // SPS, PPS from the STAP-A, SEI, IDR
        assertTrue(aus.get(0).keyframe());
        assertEquals(List.of(1), nalTypes(aus.get(1).data(), false));
        assertFalse(aus.get(1).keyframe());
        assertEquals(List.of(7, 8, 5), nalTypes(aus.get(3).data(), false)); // second IDR: parameter sets again, no SEI
        for (AccessUnit au : aus) {
            assertCanonical(au.data());
            assertEquals(au == aus.get(0), au.discontinuity());
        }
        assertEquals(packets.get(7).timestamp() - packets.get(0).timestamp(), 3600); // 25 fps at 90 kHz
        assertEquals(packets.get(0).timestamp(), aus.get(0).timestamp());
        // the SPS rebuilt from the STAP-A is a real one: 128x96 High profile
        byte[] first = aus.get(0).data();
        int spsLength = (first[2] & 0xFF) << 8 | (first[3] & 0xFF);
        AvcSps sps = AvcSps.parse(first, 4, spsLength);
        assertEquals(100, sps.profileIdc());
        assertEquals(128, sps.width());
        assertEquals(96, sps.height());
        assertEquals(0, d.damaged());
    }

    @Test
    void h264SingleNalUnitsWithGlobalHeaders() throws Exception {
        List<AccessUnit> aus = run(new H264Depacketizer(), RtpCaptures.packets("h264gh.rtp"));
        assertEquals(2, aus.size());
        assertEquals(List.of(6, 5), nalTypes(aus.get(0).data(), false));
        assertEquals(List.of(1), nalTypes(aus.get(1).data(), false));
    }

    @Test
    void h265AggregationAndFragmentationUnits() throws Exception {
        List<AccessUnit> aus = run(new H265Depacketizer(), RtpCaptures.packets("h265.rtp"));
        assertEquals(4, aus.size());
        assertEquals(List.of(32, 33, 34, 39, 20), nalTypes(aus.get(0).data(), true)); // VPS SPS PPS SEI IDR_N_LP
        assertTrue(aus.get(0).keyframe());
        assertFalse(aus.get(1).keyframe());
        assertTrue(aus.get(3).keyframe());
        byte[] first = aus.get(0).data();
        int vpsLength = (first[2] & 0xFF) << 8 | (first[3] & 0xFF);
        int spsAt = 4 + vpsLength + 4;
        int spsLength = (first[spsAt - 2] & 0xFF) << 8 | (first[spsAt - 1] & 0xFF);
        HevcSps sps = HevcSps.parse(first, spsAt, spsLength);
        assertEquals(128, sps.width());
        assertEquals(96, sps.height());
        for (AccessUnit au : aus) {
            assertCanonical(au.data());
        }
    }

    @Test
    void h265SingleNalUnitsWithGlobalHeaders() throws Exception {
        List<AccessUnit> aus = run(new H265Depacketizer(), RtpCaptures.packets("h265gh.rtp"));
        assertEquals(2, aus.size());
        assertEquals(List.of(20), nalTypes(aus.get(0).data(), true)); // IDR_N_LP
        assertTrue(aus.get(0).keyframe());
    }

    static final Map<String, String> HBR = Map.of("mode", "AAC-hbr", "sizelength", "13", "indexlength", "3",
            "indexdeltalength", "3");

    @Test
    void aacSeveralFramesPerPacket() throws Exception {
        List<RtpPacket> packets = RtpCaptures.packets("aac.rtp");
        List<AccessUnit> aus = run(AacHbrDepacketizer.fromFormatParameters(HBR), packets);
        assertEquals(List.of(228, 290, 214, 233, 254), aus.stream().map(a -> a.data().length).toList());
        for (int i = 0; i < aus.size(); i++) {
            assertEquals(packets.get(0).timestamp() + 1024L * i, aus.get(i).timestamp());
        }
    }

    @Test
    void aacFramesSplitOverPackets() throws Exception {
        List<RtpPacket> packets = RtpCaptures.packets("aacfrag.rtp");
        AacHbrDepacketizer d = AacHbrDepacketizer.fromFormatParameters(HBR);
        List<AccessUnit> aus = run(d, packets);
        assertEquals(0, d.damaged());
        assertEquals(packets.stream().map(RtpPacket::timestamp).distinct().count(), aus.size());
        // every frame's size is the one its packets announce
        int at = 0;
        for (AccessUnit au : aus) {
            while (packets.get(at).timestamp() != au.timestamp()) {
                at++;
            }
            RtpPacket p = packets.get(at);
            int announced = ((p.data()[p.payloadOffset() + 2] & 0xFF) << 8 | (p.data()[p.payloadOffset() + 3] & 0xFF)) >> 3;
            assertEquals(announced, au.data().length);
            assertTrue(announced > 120, "the capture splits every frame");
        }
    }

    @Test
    void latmFromFfmpegHasTheSameFramesAsMpeg4Generic() throws Exception {
        StreamMuxConfig config = StreamMuxConfig.parseHex("400023203fc0");
        assertEquals(new AudioSpecificConfig(2, 48000, 2), config.config());
        assertArrayEquals(new byte[] {0x11, (byte) 0x90}, config.audioSpecificConfig());
        List<AccessUnit> latm = run(new LatmDepacketizer(config, 1024), RtpCaptures.packets("latm.rtp"));
        List<AccessUnit> generic = run(AacHbrDepacketizer.fromFormatParameters(HBR), RtpCaptures.packets("aac.rtp"));
        assertEquals(9, latm.size());
        // same encoder, same input: the first frames are byte for byte those of the mpeg4-generic capture
        for (int i = 0; i < generic.size(); i++) {
            assertArrayEquals(generic.get(i).data(), latm.get(i).data(), "frame " + i);
        }
    }

    @Test
    void latmFromGStreamer() throws Exception {
        StreamMuxConfig config = StreamMuxConfig.parseHex("40002410adca00");
        assertEquals(new AudioSpecificConfig(2, 44100, 1), config.config());
        // the config carries an SBR sync extension saying "no SBR" (and stops short of latmBufferFullness): the
        // extension stays in the cut-out AudioSpecificConfig
        assertEquals("120856E500", io.cascade.protocol.flv.Hex.hex(config.audioSpecificConfig()));
        List<RtpPacket> packets = RtpCaptures.packets("gstlatm.rtp");
        List<AccessUnit> aus = run(new LatmDepacketizer(config, 1024), packets);
        assertEquals(packets.size(), aus.size());
        assertEquals(302, aus.get(0).data().length);
    }
}
