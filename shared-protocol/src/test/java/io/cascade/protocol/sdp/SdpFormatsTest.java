package io.cascade.protocol.sdp;

import static io.cascade.protocol.flv.Hex.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cascade.media.Codec;
import io.cascade.media.MediaFrame;
import io.cascade.protocol.flv.FlvVectors;
import io.cascade.protocol.flv.Hex;
import io.cascade.protocol.h264.AvcDecoderConfig;
import io.cascade.protocol.h265.HevcDecoderConfig;
import io.cascade.protocol.rtp.RtpCaptures;
import io.cascade.protocol.rtp.payload.AacHbrDepacketizer;
import io.cascade.protocol.rtp.payload.Depacketizers;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SdpFormatsTest {
    private static MediaDescription media(String capture) throws SdpException {
        return SessionDescription.parse(RtpCaptures.text(capture)).media().get(0);
    }

    @Test
    void h264ParameterSetsFromFfmpeg() throws Exception {
        MediaDescription m = media("h264gh.sdp");
        AvcDecoderConfig c = SdpFormats.h264Config(m.fmtp(96));
        assertEquals(0x4D, c.profileIdc());
        assertEquals(0x40, c.profileCompatibility());
        assertEquals(0x0A, c.levelIdc());
        assertEquals(4, c.nalLengthSize());
        assertEquals("674D400ADA0836C04400000300040000030" + "0C83C489A80", Hex.hex(c.sps().get(0)));
        assertEquals("68EF0FC8", Hex.hex(c.pps().get(0)));
        byte[] record = c.encode();
        assertEquals(c.codecString(), AvcDecoderConfig.parse(record, 0, record.length).codecString());
        assertNull(SdpFormats.h264Config(media("h264gh.sdp").fmtp(97)));
    }

    @Test
    void h265ParameterSetsFromFfmpeg() throws Exception {
        byte[] record = SdpFormats.h265Config(media("h265gh.sdp").fmtp(96));
        HevcDecoderConfig c = HevcDecoderConfig.parse(record, 0, record.length);
        assertEquals(1, c.vps().size());
        assertEquals(1, c.sps().size());
        assertEquals(1, c.pps().size());
        assertEquals(1, c.generalProfileIdc()); // Main
        assertEquals(4, c.nalLengthSize());
    }

    @Test
    void aacConfigs() throws Exception {
        assertArrayEquals(bytes("119056E500"), SdpFormats.aacConfig("MPEG4-GENERIC", media("aac.sdp").fmtp(97)));
        assertArrayEquals(bytes("1190"), SdpFormats.aacConfig("MP4A-LATM", media("latm.sdp").fmtp(97)));
    }

    @Test
    void describedStreamsReadBackAsTheSameConfigs() throws Exception {
        byte[] avc = SdpFormats.h264Config(media("h264gh.sdp").fmtp(96)).encode();
        MediaDescription v = SdpFormats.describe(Codec.H264, avc, "trackID=0");
        assertEquals(new RtpMap(96, "H264", 90000, 0), v.rtpMap(96));
        assertEquals("a=fmtp:96 packetization-mode=1;profile-level-id=4D400A;"
                + "sprop-parameter-sets=Z01ACtoINsBEAAADAAQAAAMAyDxImoA=,aO8PyA==", v.attributes().get(1).line());
        assertArrayEquals(avc, SdpFormats.h264Config(v.fmtp(96)).encode());

        byte[] hevc = bytes(FlvVectors.HEVC_64_RECORD);
        MediaDescription h = SdpFormats.describe(Codec.H265, hevc, "trackID=0");
        assertArrayEquals(hevc, SdpFormats.h265Config(h.fmtp(96)));

        byte[] asc = bytes("1190");
        MediaDescription a = SdpFormats.describe(Codec.AAC, asc, "trackID=1");
        assertEquals(new RtpMap(97, "MPEG4-GENERIC", 48000, 2), a.rtpMap(97));
        assertEquals("a=fmtp:97 streamtype=5;profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;"
                + "indexdeltalength=3;config=1190", a.attributes().get(1).line());
        assertArrayEquals(asc, SdpFormats.aacConfig("MPEG4-GENERIC", a.fmtp(97)));
        // what we announce, our depacketizer reads
        assertEquals(AacHbrDepacketizer.class, Depacketizers.create("MPEG4-GENERIC", a.fmtp(97)).getClass());

        // a whole description survives writing and reading
        SessionDescription sdp = SessionDescription.live("live/x", "127.0.0.1", List.of(v, a));
        assertEquals(sdp, SessionDescription.parse(sdp.write()));
    }

    @Test
    void describesAStreamFromItsConfigFrames() throws Exception {
        byte[] avc = SdpFormats.h264Config(media("h264gh.sdp").fmtp(96)).encode();
        List<MediaFrame> frames = List.of(
                new MediaFrame(0, Codec.H264, 0, 0, 1000, MediaFrame.FLAG_CONFIG, 0, 0, avc),
                new MediaFrame(1, Codec.AAC, 0, 0, 1000, MediaFrame.FLAG_CONFIG, 0, 1, bytes("1190")),
                new MediaFrame(2, Codec.AMF0_METADATA, 0, 0, 1000, 0, 0, 2, bytes("02")));
        SessionDescription sdp = SdpFormats.describeStream("live/cam", "10.0.0.1", frames);
        assertEquals(2, sdp.media().size());
        assertEquals("trackID=0", sdp.media().get(0).control());
        assertEquals("trackID=1", sdp.media().get(1).control());
        assertEquals("*", sdp.control());
        assertEquals("npt=0-", sdp.range());
        assertThrows(SdpException.class, () -> SdpFormats.describeStream("x", "10.0.0.1", frames.subList(2, 3)));
    }

    @Test
    void malformedFormatParametersGiveTypedErrors() {
        for (Map<String, String> f : List.<Map<String, String>>of(
                Map.of("sprop-parameter-sets", "!!!"),
                Map.of("sprop-parameter-sets", ","),
                Map.of("sprop-parameter-sets", "Z01ACtoINsBEAAADAAQAAAMAyDxImoA="),   // SPS, no PPS
                Map.of("sprop-parameter-sets", "Z01A,aO8PyA=="),                      // short SPS, no profile-level-id
                Map.of("sprop-parameter-sets", "Z01A,aO8PyA==", "profile-level-id", "zzzzzz"),
                Map.of("sprop-parameter-sets", "aO8PyA==,".repeat(40)))) {
            assertThrows(SdpException.class, () -> SdpFormats.h264Config(f), f.toString());
        }
        for (Map<String, String> f : List.<Map<String, String>>of(
                Map.of("sprop-sps", "QgEB"),                                           // SPS cut short
                Map.of("sprop-sps", "RAHBcrQiQA=="),                                   // a PPS where the SPS goes
                Map.of("sprop-sps", "@@"))) {
            assertThrows(SdpException.class, () -> SdpFormats.h265Config(f), f.toString());
        }
        assertThrows(SdpException.class, () -> SdpFormats.aacConfig("MPEG4-GENERIC", Map.of()));
        assertThrows(SdpException.class, () -> SdpFormats.aacConfig("MPEG4-GENERIC", Map.of("config", "1")));
        assertThrows(SdpException.class, () -> SdpFormats.aacConfig("MPEG4-GENERIC", Map.of("config", "0000")));
        assertThrows(SdpException.class, () -> SdpFormats.aacConfig("MP4A-LATM", Map.of("config", "C0")));
        assertThrows(SdpException.class, () -> SdpFormats.aacConfig("OPUS", Map.of("config", "1190")));
        assertThrows(SdpException.class, () -> SdpFormats.describe(Codec.H264, bytes("01"), "x"));
        assertThrows(SdpException.class, () -> SdpFormats.describe(Codec.AMF0_METADATA, bytes("01"), "x"));
    }
}
