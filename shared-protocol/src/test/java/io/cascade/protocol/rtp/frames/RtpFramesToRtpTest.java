package io.cascade.protocol.rtp.frames;

import static io.cascade.protocol.flv.Hex.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cascade.media.Codec;
import io.cascade.media.MediaFrame;
import io.cascade.protocol.h264.AvcDecoderConfig;
import io.cascade.protocol.rtp.RtcpPacket;
import io.cascade.protocol.rtp.RtpCaptures;
import io.cascade.protocol.rtp.RtpPacket;
import io.cascade.protocol.rtp.payload.AccessUnit;
import io.cascade.protocol.rtp.payload.AacHbrDepacketizer;
import io.cascade.protocol.rtp.payload.H264Depacketizer;
import io.cascade.protocol.sdp.SdpFormats;
import io.cascade.protocol.sdp.SessionDescription;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RtpFramesToRtpTest {
    private static final long OFFSET = 0xFFFFFF00L; // wraps after a few frames

    private static List<AccessUnit> h264Units() throws Exception {
        H264Depacketizer d = new H264Depacketizer();
        List<AccessUnit> out = new ArrayList<>();
        for (RtpPacket p : RtpCaptures.packets("h264gh.rtp")) {
            d.push(p, out::add);
        }
        return out;
    }

    @Test
    void h264KeyframesGetTheParameterSetsInBand() throws Exception {
        AvcDecoderConfig config = SdpFormats.h264Config(SessionDescription.parse(RtpCaptures.text("h264gh.sdp"))
                .media().get(0).fmtp(96));
        List<AccessUnit> units = h264Units();
        FramesToRtp sender = new FramesToRtp(Codec.H264, 96, 90000, 0xABCDL, 65535, OFFSET, 1400);
        assertEquals(List.of(), sender.packets(new MediaFrame(0, Codec.H264, 0, 0, 1000, MediaFrame.FLAG_CONFIG, 0, 0,
                config.encode())));
        List<byte[]> wire = new ArrayList<>();
        wire.addAll(sender.packets(new MediaFrame(0, Codec.H264, 0, 0, 1000, MediaFrame.FLAG_KEYFRAME, 0, 1,
                units.get(0).data())));
        wire.addAll(sender.packets(new MediaFrame(0, Codec.H264, 40, 40, 1000, 0, 0, 2, units.get(1).data())));

        H264Depacketizer d = new H264Depacketizer();
        List<AccessUnit> back = new ArrayList<>();
        int seq = 65535;
        for (byte[] w : wire) {
            RtpPacket p = RtpPacket.parse(w);
            assertEquals(seq, p.sequence());
            assertEquals(0xABCDL, p.ssrc());
            seq = (seq + 1) & 0xFFFF;
            d.push(p, back::add);
        }
        assertEquals(2, back.size());
        assertEquals(OFFSET, back.get(0).timestamp());
        assertEquals((OFFSET + 40 * 90) & 0xFFFFFFFFL, back.get(1).timestamp());
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (byte[] set : List.of(config.sps().get(0), config.pps().get(0))) {
            expected.write(new byte[] {0, 0, 0, (byte) set.length});
            expected.write(set);
        }
        expected.write(units.get(0).data());
        assertArrayEquals(expected.toByteArray(), back.get(0).data());
        assertTrue(back.get(0).keyframe());
        assertArrayEquals(units.get(1).data(), back.get(1).data());
        assertEquals(wire.size(), sender.packetCount());
    }

    @Test
    void aacTimestampsFollowTheSampleRate() throws Exception {
        byte[] asc = bytes("1190");
        int rate = FramesToRtp.clockRate(Codec.AAC, asc);
        assertEquals(48000, rate);
        FramesToRtp sender = new FramesToRtp(Codec.AAC, 97, rate, 1, 0, 0, 1400);
        sender.packets(new MediaFrame(1, Codec.AAC, 0, 0, 1000, MediaFrame.FLAG_CONFIG, 0, 0, asc));
        AacHbrDepacketizer d = AacHbrDepacketizer.fromFormatParameters(Map.of("mode", "AAC-hbr", "sizelength", "13",
                "indexlength", "3", "indexdeltalength", "3"));
        List<AccessUnit> back = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            // frames on a 48 kHz timeline
            MediaFrame f = new MediaFrame(1, Codec.AAC, 1024L * i, 1024L * i, 48000, 0, 0, i + 1, new byte[] {(byte) i, 1, 2});
            for (byte[] w : sender.packets(f)) {
                d.push(RtpPacket.parse(w), back::add);
            }
        }
        assertEquals(10, back.size());
        for (int i = 0; i < 10; i++) {
            assertEquals(1024L * i, back.get(i).timestamp());
        }
        assertEquals(10 * (4 + 3), sender.octetCount()); // payload octets: AU header section and data
    }

    @Test
    void senderReportPlacesTheLastFrameOnTheWallClock() throws Exception {
        FramesToRtp sender = new FramesToRtp(Codec.H264, 96, 90000, 7, 0, 1000, 1400);
        assertNull(sender.senderReport(1_700_000_000_000L, "cascade"));
        sender.packets(new MediaFrame(0, Codec.H264, 2000, 2040, 1000, MediaFrame.FLAG_KEYFRAME, 0, 0,
                bytes("00000003 650102")));
        List<RtcpPacket> sr = RtcpPacket.parseCompound(sender.senderReport(1_700_000_000_000L, "cascade"));
        RtcpPacket.SenderReport report = (RtcpPacket.SenderReport) sr.get(0);
        assertEquals(1000 + 2040 * 90, report.rtpTimestamp());
        assertEquals(1_700_000_002_040L, RtcpPacket.epochMillisFromNtp(report.ntpTimestamp()));
        assertEquals(1, report.packetCount());
        assertEquals("cascade", ((RtcpPacket.SourceDescription) sr.get(1)).cname(7));
    }

    @Test
    void refusesFramesOfAnotherCodec() {
        FramesToRtp sender = new FramesToRtp(Codec.H264, 96, 90000, 7, 0, 0, 1400);
        assertThrows(IllegalArgumentException.class, () -> sender.packets(new MediaFrame(1, Codec.AAC, 0, 0, 1000, 0, 0,
                0, bytes("01"))));
        assertThrows(IllegalArgumentException.class, () -> new FramesToRtp(Codec.AMF0_METADATA, 96, 90000, 7, 0, 0, 1400));
    }
}
