package io.cascade.media;

import io.cascade.protocol.flv.FlvVectors;
import io.cascade.protocol.flv.Hex;
import io.cascade.protocol.mp4.ClipFrames;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TrackSummaryTest {
    /** The committed ffmpeg clip: testsrc2 320x240 at 25 fps (B-frames), mono 48 kHz AAC-LC, as RTMP brings it. */
    @Test
    void describesTheClipAsItsEncoderMadeIt() throws Exception {
        List<TrackSummary> tracks = TrackSummary.of(ClipFrames.load());
        assertEquals(2, tracks.size(), tracks.toString());
        TrackSummary video = tracks.get(0);
        assertEquals(TrackType.VIDEO, video.type());
        assertEquals(Codec.H264, video.codec());
        assertEquals(320, video.width());
        assertEquals(240, video.height());
        assertEquals(25.0, video.frameRate());
        assertEquals(true, video.codecs().startsWith("avc1."), video.codecs());
        TrackSummary audio = tracks.get(1);
        assertEquals(TrackType.AUDIO, audio.type());
        assertEquals(Codec.AAC, audio.codec());
        assertEquals("mp4a.40.2", audio.codecs());
        assertEquals(48_000, audio.sampleRate());
        assertEquals(1, audio.channels());
        assertEquals(0, audio.width());
    }

    @Test
    void hevcPictureSizeComesFromItsSps() {
        byte[] record = Hex.bytes(FlvVectors.HEVC_64_RECORD);
        List<TrackSummary> tracks = TrackSummary.of(List.of(
                new MediaFrame(0, Codec.H265, 0, 0, 90_000, MediaFrame.FLAG_CONFIG, 0, 0, record)));
        assertEquals(1, tracks.size());
        assertEquals(64, tracks.get(0).width());
        assertEquals(64, tracks.get(0).height());
        assertEquals(0.0, tracks.get(0).frameRate(), "no frames, no rate");
    }

    @Test
    void theFrameRateIsMeasuredOnTheTracksOwnClock() {
        List<MediaFrame> frames = new ArrayList<>();
        for (int i = 0; i < 60; i++) { // 29.97 fps in a 90 kHz clock: 3003 ticks apart
            frames.add(new MediaFrame(0, Codec.H264, i * 3003L, i * 3003L, 90_000, 0, 0, i, new byte[1]));
        }
        assertEquals(29.97, TrackSummary.of(frames).get(0).frameRate());
        assertEquals(25.0, TrackSummary.frameRate(26, 1000, 1000));
        assertEquals(0.0, TrackSummary.frameRate(1, 0, 1000));
        assertEquals(0.0, TrackSummary.frameRate(5, 0, 1000), "frames all at one instant tell no rate");
    }

    @Test
    void anUnreadableConfigurationLeavesTheTrackWithItsCodecOnly() {
        List<TrackSummary> tracks = TrackSummary.of(List.of(
                new MediaFrame(0, Codec.H264, 0, 0, 1000, MediaFrame.FLAG_CONFIG, 0, 0, new byte[] {1, 2}),
                new MediaFrame(1, Codec.AAC, 0, 0, 1000, MediaFrame.FLAG_CONFIG, 0, 1, new byte[0]),
                new MediaFrame(2, Codec.AMF0_METADATA, 0, 0, 1000, 0, 0, 2, new byte[3])));
        assertEquals(2, tracks.size(), "metadata is no media track: " + tracks);
        assertEquals(new TrackSummary(0, TrackType.VIDEO, Codec.H264, "", 0, 0, 0, 0, 0), tracks.get(0));
        assertEquals(new TrackSummary(1, TrackType.AUDIO, Codec.AAC, "", 0, 0, 0, 0, 0), tracks.get(1));
    }
}
