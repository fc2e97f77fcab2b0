package io.cascade.protocol.rtp.frames;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cascade.media.Codec;
import io.cascade.media.MediaFrame;
import io.cascade.protocol.h264.AvcDecoderConfig;
import io.cascade.protocol.h264.BitstreamException;
import io.cascade.protocol.h264.NalUnits;
import io.cascade.protocol.h265.HevcDecoderConfig;
import io.cascade.protocol.rtp.frames.PublisherCaptures.Chunk;
import io.cascade.protocol.rtp.frames.PublisherCaptures.Collector;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real publisher output: ffmpeg RTP sessions (make-publisher-captures.sh) read back and compared with what ffprobe counts
 * in the source files they were sent from.
 */
class RtpToFramesCaptureTest {
    /**
     * What ffprobe -show_packets reports for the source of each capture (the numbers make-publisher-captures.sh prints):
     * 50 video frames at 25 fps with presentation times k x 3600 (90 kHz), 2 keyframes, 95 AAC frames (of which ffmpeg
     * sends 90, see {@link #AUDIO_FRAMES}); the sum of the
     * video DTS in 90 kHz (the source's, which starts {@code reorderDepth} frames before the first presentation time),
     * and the stream's reorder depth (the most frames that precede one in decode order and follow it in presentation).
     * And where the sender reports of the capture put the first picture after the first audio frame: its SR NTP / RTP
     * pairs and first RTP timestamps, worked out by hand (ffmpeg maps each stream's timestamp base to the wall clock of
     * its first packet, so this is what it says rather than the source's 21 ms of AAC priming).
     */
    record Capture(String name, Codec video, int reorderDepth, long ffprobeDtsSum, int reportedVideoAfterAudioMillis) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final int VIDEO_FRAMES = 50;
    static final int KEYFRAMES = 2;
    /**
     * ffprobe counts 95 AAC frames in each source, but ffmpeg's RTP muxer sends them 15 to a packet and never sends the
     * last partial packet: the captures hold 6 packets of 15 AU headers.
     */
    static final int AUDIO_FRAMES = 95 - 5;
    static final long FRAME = 3600;
    /** 1024 samples at 48 kHz in 90 kHz units. */
    static final long AAC_FRAME = 1920;

    static Stream<Capture> captures() {
        return Stream.of(
                // libx264 defaults: 3 B-frames, b-pyramid normal; ffprobe dts sum 576000 in 1/12800
                new Capture("x264_default", Codec.H264, 2, 4_050_000, 80),
                // -bf 2, b-pyramid none; 601600 in 1/12800
                new Capture("x264_bf2", Codec.H264, 1, 4_230_000, 40),
                // libx265 defaults: 4 B-frames with b-pyramid; 576000 in 1/12800
                new Capture("x265_default", Codec.H265, 2, 4_050_000, 80));
    }

    @ParameterizedTest
    @MethodSource("captures")
    void readsWhatFfprobeCounts(Capture cap) {
        Collector c = PublisherCaptures.run(PublisherCaptures.sdp(cap.name()), PublisherCaptures.chunks(cap.name()), false, 0);
        List<MediaFrame> video = c.media(RtpToFrames.VIDEO_TRACK);
        List<MediaFrame> audio = c.media(RtpToFrames.AUDIO_TRACK);
        assertEquals(VIDEO_FRAMES, video.size());
        assertEquals(KEYFRAMES, video.stream().filter(MediaFrame::isKeyframe).count());
        assertTrue(video.get(0).isKeyframe());
        assertEquals(AUDIO_FRAMES, audio.size());
        assertEquals(1, c.configs(RtpToFrames.VIDEO_TRACK).size(), "the in-band sets are the SDP's: one config");
        assertEquals(1, c.configs(RtpToFrames.AUDIO_TRACK).size());
        assertTrue(c.frames.stream().filter(f -> f.track() == 0).findFirst().orElseThrow().isConfig());
        assertTrue(c.frames.stream().filter(f -> f.track() == 1).findFirst().orElseThrow().isConfig());
        assertEquals(0, c.stats.lost());
        assertEquals(0, c.stats.damagedUnits());
        assertEquals(0, c.inputErrors);
        assertFalse(c.stats.alignedByReports());

        // Without sender reports each track starts at 0: the presentation times are the source's, from 0.
        assertEquals(List.of(0L, FRAME), video.stream().map(MediaFrame::pts).sorted().limit(2).toList());
        assertEquals(FRAME * (VIDEO_FRAMES - 1) * VIDEO_FRAMES / 2, video.stream().mapToLong(MediaFrame::pts).sum());
        for (int i = 0; i < AUDIO_FRAMES; i++) {
            assertEquals(i * AAC_FRAME, audio.get(i).pts());
            assertEquals(audio.get(i).pts(), audio.get(i).dts());
        }
        // Decode times: ffprobe's, except the first frames, which take the first presentation time instead of going
        // before it; the sum tells both at once.
        long negativePart = 0;
        for (int i = 0; i < cap.reorderDepth(); i++) {
            negativePart += (i - cap.reorderDepth()) * FRAME;
        }
        assertEquals(cap.ffprobeDtsSum() - negativePart, video.stream().mapToLong(MediaFrame::dts).sum());
        for (int i = 0; i < VIDEO_FRAMES; i++) {
            assertEquals(Math.max(0, i - cap.reorderDepth()) * FRAME, video.get(i).dts(), "dts of frame " + i);
        }
        if (cap.reorderDepth() > 0) {
            assertTrue(video.stream().anyMatch(f -> f.pts() > f.dts()), "B-frames");
        }

        // Canonical payloads: 4-byte lengths tiling the unit, no parameter set, delimiter or filler left.
        for (MediaFrame f : video) {
            int[] covered = {0};
            NalUnits.visit(f.payload(), (off, len) -> {
                covered[0] += 4 + len;
                int type = cap.video() == Codec.H264 ? NalUnits.h264Type(f.payload()[off])
                        : NalUnits.h265Type(f.payload()[off]);
                boolean removed = cap.video() == Codec.H264 ? type == 7 || type == 8 || type == 9 || type == 12
                        : type >= 32 && type <= 35 || type == 38;
                assertFalse(removed, "NAL type " + type + " left in " + f);
            });
            assertEquals(f.payload().length, covered[0]);
        }
    }

    @ParameterizedTest
    @MethodSource("captures")
    void theConfigurationIsTheSdpsAndInBandSetsAloneGiveTheSame(Capture cap) throws BitstreamException {
        String sdp = PublisherCaptures.sdp(cap.name());
        List<Chunk> chunks = PublisherCaptures.chunks(cap.name());
        byte[] fromSdp = PublisherCaptures.tracks(sdp).get(0).config();
        Collector c = PublisherCaptures.run(sdp, chunks, false, 0);
        assertArrayEquals(fromSdp, c.configs(RtpToFrames.VIDEO_TRACK).get(0).payload(), "the SDP's record as it is");

        if (cap.name().equals("x264_bf2")) {
            return; // its parameter sets are in the SDP only
        }
        // Without the sprop parameters the sets come from the stream, and give a record with the same sets.
        String bare = sdp.replaceAll("sprop-parameter-sets=[^;\\r\\n]*;?", "").replaceAll("sprop-[vsp]ps=[^;\\r\\n]*;?", "");
        assertTrue(PublisherCaptures.tracks(bare).get(0).config() == null);
        Collector inBand = PublisherCaptures.run(bare, chunks, false, 0);
        assertEquals(1, inBand.configs(RtpToFrames.VIDEO_TRACK).size());
        byte[] record = inBand.configs(RtpToFrames.VIDEO_TRACK).get(0).payload();
        if (cap.video() == Codec.H264) {
            AvcDecoderConfig a = AvcDecoderConfig.parse(record, 0, record.length);
            AvcDecoderConfig b = AvcDecoderConfig.parse(fromSdp, 0, fromSdp.length);
            assertArrayEquals(b.sps().get(0), a.sps().get(0));
            assertArrayEquals(b.pps().get(0), a.pps().get(0));
        } else {
            HevcDecoderConfig a = HevcDecoderConfig.parse(record, 0, record.length);
            HevcDecoderConfig b = HevcDecoderConfig.parse(fromSdp, 0, fromSdp.length);
            assertArrayEquals(b.vps().get(0), a.vps().get(0));
            assertArrayEquals(b.sps().get(0), a.sps().get(0));
            assertArrayEquals(b.pps().get(0), a.pps().get(0));
        }
        assertEquals(c.media(0).size(), inBand.media(0).size());
        for (int i = 0; i < c.media(0).size(); i++) {
            assertArrayEquals(c.media(0).get(i).payload(), inBand.media(0).get(i).payload());
        }
    }

    @ParameterizedTest
    @MethodSource("captures")
    void senderReportsAlignAudioAndVideo(Capture cap) {
        Collector c = PublisherCaptures.run(PublisherCaptures.sdp(cap.name()), PublisherCaptures.chunks(cap.name()), false,
                5000);
        assertTrue(c.stats.alignedByReports());
        assertEquals(2, c.stats.senderReports());
        assertTrue(c.originEpochMillis > 1_500_000_000_000L, "the sender's wall clock: " + c.originEpochMillis);
        List<MediaFrame> video = c.media(RtpToFrames.VIDEO_TRACK);
        List<MediaFrame> audio = c.media(RtpToFrames.AUDIO_TRACK);
        assertEquals(VIDEO_FRAMES, video.size());
        assertEquals(AUDIO_FRAMES, audio.size());
        long firstVideo = video.get(0).dts();
        long firstAudio = audio.get(0).dts();
        assertEquals(0, Math.min(firstVideo, firstAudio), "the earliest first frame is 0");
        assertTrue(Math.abs(firstVideo - firstAudio) <= 100 * 90, "video at " + firstVideo + ", audio at " + firstAudio);
        assertTrue(Math.abs(firstVideo - firstAudio - cap.reportedVideoAfterAudioMillis() * 90L) <= 1,
                "where the reports put them: video at " + firstVideo + ", audio at " + firstAudio);
        // The held frames came out in dts order across the tracks, and the spacing within each track is the source's.
        for (int i = 1; i < AUDIO_FRAMES; i++) {
            assertEquals(AAC_FRAME, audio.get(i).pts() - audio.get(i - 1).pts());
        }
        long lastDts = Long.MIN_VALUE;
        for (MediaFrame f : c.frames.subList(0, 8)) {
            assertTrue(f.dts() >= lastDts, "released in dts order: " + c.frames.subList(0, 8));
            lastDts = f.dts();
        }
    }
}
