package io.cascade.protocol.ts.frames;

import static io.cascade.protocol.flv.Hex.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cascade.media.Codec;
import io.cascade.media.MediaFrame;
import io.cascade.protocol.aac.AudioSpecificConfig;
import io.cascade.protocol.h264.AvcDecoderConfig;
import io.cascade.protocol.h264.BitstreamException;
import io.cascade.protocol.h264.NalUnits;
import io.cascade.protocol.h265.HevcDecoderConfig;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real encoder output: small captures made by ffmpeg and GStreamer (captures/make-captures.sh says how), read back and
 * compared with what ffprobe counts in the same files.
 */
class TsToFramesCaptureTest {
    /**
     * What ffprobe -show_packets reports for each capture (the numbers make-captures.sh prints): video packets and
     * keyframes, AAC packets, the first video DTS and PTS, the sums of the video PTS and DTS and of the AAC PTS, and the AAC
     * bytes less the 7-byte ADTS header of each packet (none of the captures has CRCs).
     */
    record Capture(String file, Codec video, int videoFrames, int keyframes, int audioFrames, long firstDts, long firstPts,
                   long videoPtsSum, long videoDtsSum, long audioPtsSum, long rawAacBytes, int sampleRate,
                   String videoRecord) {
        @Override
        public String toString() {
            return file;
        }
    }

    static Stream<Capture> captures() {
        return Stream.of(
                // ffmpeg 5.1, libx264, native AAC: 6 audio PES of ~16 ADTS frames each, unbounded video PES.
                // The record is the avcC ffmpeg writes for the same stream in MP4 (-c copy).
                new Capture("ffmpeg_h264_aac.ts", Codec.H264, 50, 2, 95, 126_000, 133_200, 11_070_000, 10_710_000,
                        21_044_400, 8830 - 7 * 95, 48_000,
                        "0164000BFFE100196764000BACD9428DF93011000003000100000300320F14299601000568EBECB22CFDF8F800"),
                // The same with libx265; the record is ffmpeg's hvcC for it, byte for byte.
                new Capture("ffmpeg_h265_aac.ts", Codec.H265, 50, 2, 95, 126_000, 133_200, 11_070_000, 10_710_000,
                        21_044_400, 8830 - 7 * 95, 48_000,
                        "0101600000009000000000001EF000FCFDF8F800000F03A00001001840010C01FFFF01600000030090000003000003"
                                + "001E959809A10001002A42010101600000030090000003000003001EA0142061F265959A4932BC05A0200000"
                                + "0300200000030321A2000100074401C172B46240"),
                // GStreamer 1.22 mpegtsmux: bounded video PES, one ADTS frame per PES, timestamps from 3600 s. Its
                // parameter sets only: they depend on the run of x264enc.
                new Capture("gst_h264_aac.ts", Codec.H264, 50, 2, 101, 323_992_800, 324_000_000, 16_204_410_000L,
                        16_204_050_000L, 32_734_553_418L, 10_711 - 7 * 101, 44_100, null));
    }

    @ParameterizedTest
    @MethodSource("captures")
    void readsWhatFfprobeCounts(Capture cap) throws BitstreamException {
        byte[] ts = Collector.resource("captures/" + cap.file());
        assertTrue(ts.length < 100_000, "captures stay small");
        Collector c = Collector.whole(ts);

        List<MediaFrame> video = c.media(TsToFrames.VIDEO_TRACK);
        assertEquals(cap.videoFrames(), video.size());
        assertEquals(cap.keyframes(), video.stream().filter(MediaFrame::isKeyframe).count());
        assertTrue(video.get(0).isKeyframe());
        assertEquals(cap.firstDts(), video.get(0).dts());
        assertEquals(cap.firstPts(), video.get(0).pts());
        assertEquals(cap.videoPtsSum(), video.stream().mapToLong(MediaFrame::pts).sum());
        assertEquals(cap.videoDtsSum(), video.stream().mapToLong(MediaFrame::dts).sum());
        for (MediaFrame f : video) {
            assertEquals(cap.video(), f.codec());
            int[] units = {0};
            NalUnits.visit(f.payload(), (off, len) -> {
                units[0]++;
                int type = cap.video() == Codec.H264 ? NalUnits.h264Type(f.payload()[off])
                        : NalUnits.h265Type(f.payload()[off]);
                boolean parameterSetOrDelimiter = cap.video() == Codec.H264 ? type >= 7 && type <= 9 : type >= 32 && type <= 35;
                assertTrue(!parameterSetOrDelimiter, "type " + type + " left in " + f);
            });
            assertTrue(units[0] > 0, "NAL units with 4-byte lengths that tile the payload: " + f);
        }

        List<MediaFrame> audio = c.media(TsToFrames.AUDIO_TRACK);
        assertEquals(cap.audioFrames(), audio.size());
        assertEquals(cap.audioPtsSum(), audio.stream().mapToLong(MediaFrame::pts).sum());
        assertEquals(cap.rawAacBytes(), audio.stream().mapToLong(f -> f.payload().length).sum());

        List<MediaFrame> vc = c.configs(TsToFrames.VIDEO_TRACK);
        assertEquals(1, vc.size());
        byte[] record = vc.get(0).payload();
        if (cap.videoRecord() != null) {
            assertArrayEquals(bytes(cap.videoRecord()), record);
        }
        if (cap.video() == Codec.H264) {
            AvcDecoderConfig avc = AvcDecoderConfig.parse(record, 0, record.length);
            assertEquals("avc1.64000B", avc.codecString()); // High, level 1.1
            assertEquals(4, avc.nalLengthSize());
        } else {
            assertEquals("hvc1.1.6.L30.90", HevcDecoderConfig.parse(record, 0, record.length).codecString());
        }
        List<MediaFrame> ac = c.configs(TsToFrames.AUDIO_TRACK);
        assertEquals(1, ac.size());
        AudioSpecificConfig asc = AudioSpecificConfig.parse(ac.get(0).payload(), 0, ac.get(0).payload().length);
        assertEquals(new AudioSpecificConfig(2, cap.sampleRate(), 1), asc); // LC mono

        assertEquals(List.of(), c.skips);
        assertEquals(0, c.stats.damagedUnits() + c.stats.continuityErrors() + c.stats.syncLosses()
                + c.stats.droppedBeforeKeyframe() + c.stats.internalErrors(), c.stats.toString());
        assertEquals(ts.length / 188, c.stats.packets());
    }

    @ParameterizedTest
    @MethodSource("captures")
    void anySplitGivesTheSameFrames(Capture cap) {
        byte[] ts = Collector.resource("captures/" + cap.file());
        List<MediaFrame> reference = Collector.whole(ts).frames;
        for (long seed = 0; seed < 10; seed++) {
            assertSameFrames(reference, Collector.pieces(ts, seed, 2000).frames);
        }
        assertSameFrames(reference, Collector.fixed(ts, 1316).frames);
        assertSameFrames(reference, Collector.fixed(ts, 1).frames);
    }

    static void assertSameFrames(List<MediaFrame> expected, List<MediaFrame> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            MediaFrame e = expected.get(i);
            MediaFrame a = actual.get(i);
            assertEquals(e.toString(), a.toString());
            assertArrayEquals(e.payload(), a.payload());
        }
    }
}
