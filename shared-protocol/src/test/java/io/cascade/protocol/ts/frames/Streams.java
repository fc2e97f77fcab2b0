package io.cascade.protocol.ts.frames;

import static io.cascade.protocol.flv.Hex.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cascade.media.Codec;
import io.cascade.media.MediaFrame;
import io.cascade.protocol.aac.AacVectors;
import io.cascade.protocol.flv.FlvVectors;
import io.cascade.protocol.h264.AvcVectors;
import io.cascade.protocol.ts.TsSample;
import io.cascade.protocol.ts.TsSegmentWriter;
import io.cascade.protocol.ts.TsTrackConfig;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Synthetic streams written by the project's own TS writer, and what reading them back must give. */
final class Streams {
    /** libx264 720p Main record (4-byte lengths, no High extension): what the demuxer rebuilds from the in-band sets. */
    static final byte[] AVC = AvcVectors.CONFIGS.get(0).record();
    /** libx264 64x64 Baseline: another SPS/PPS, for a change of parameters mid-stream. */
    static final byte[] AVC_BASELINE = AvcVectors.CONFIGS.get(2).record();
    static final byte[] HEVC = bytes(FlvVectors.HEVC_64_RECORD);
    /** AAC LC 48 kHz stereo: a frame is exactly 1920 ticks of 90 kHz. */
    static final byte[] ASC_48K = AacVectors.CONFIGS.get(0).data();
    /** AAC LC 44.1 kHz mono: a frame is 2089.8 ticks, so timestamps are rounded. */
    static final byte[] ASC_44K = AacVectors.CONFIGS.get(2).data();
    static final int FPS = 25;
    static final long FRAME_90K = 90_000 / FPS;

    /** The samples of one stream and the segments they were written in. */
    record Written(TsTrackConfig tracks, List<TsSample> samples, byte[] ts) {
    }

    private Streams() {
    }

    /** A NAL unit: the header bytes then random bytes that are never 0 (no start code can appear inside). */
    static byte[] nal(Random r, int length, int... header) {
        byte[] n = new byte[length];
        for (int i = 0; i < length; i++) {
            n[i] = i < header.length ? (byte) header[i] : (byte) (1 + r.nextInt(255));
        }
        return n;
    }

    /** An access unit with 4-byte NAL lengths. */
    static byte[] au(byte[]... nals) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] n : nals) {
            out.writeBytes(new byte[] {(byte) (n.length >>> 24), (byte) (n.length >>> 16), (byte) (n.length >>> 8),
                                       (byte) n.length});
            out.writeBytes(n);
        }
        return out.toByteArray();
    }

    /**
     * seconds of 25 fps video (a keyframe each second, PTS 2 frames after DTS) and AAC at sampleRate, interleaved by time,
     * from start90k. Some access units are large (up to 150 KB: several PES-sized pieces), audio frames vary in size.
     */
    static List<TsSample> samples(Random r, Codec video, int sampleRate, long start90k, int seconds) {
        List<TsSample> out = new ArrayList<>();
        int audio = 0;
        for (int v = 0; v < FPS * seconds; v++) {
            long dts = start90k + v * FRAME_90K;
            while (sampleRate > 0 && audioPts(start90k, audio, sampleRate) <= dts) {
                out.add(TsSample.audio(audioPts(start90k, audio, sampleRate), nal(r, 20 + r.nextInt(400))));
                audio++;
            }
            boolean key = v % FPS == 0;
            int size = key ? 2000 + r.nextInt(150_000) : 50 + r.nextInt(3000);
            byte[] unit;
            if (video == Codec.H264) {
                unit = key ? au(nal(r, 30, 0x06, 0x05), nal(r, size, 0x65))
                        : au(nal(r, size, 0x41), nal(r, 40, 0x01));
            } else {
                // IDR_W_RADL (19) with a prefix SEI (39); TRAIL_R (1)
                unit = key ? au(nal(r, 30, 39 << 1, 0x01), nal(r, size, 19 << 1, 0x01)) : au(nal(r, size, 0x02, 0x01));
            }
            if (video != null) {
                out.add(TsSample.video(dts, dts + 2 * FRAME_90K, key, unit));
            }
        }
        return out;
    }

    static long audioPts(long start90k, int n, int rate) {
        return start90k + Math.floorDiv(n * 1024L * 90_000, rate);
    }

    /** Writes the samples in segments of one second (each with its PAT, PMT and counters from 0) and concatenates them. */
    static byte[] write(TsTrackConfig tracks, List<TsSample> samples) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<TsSample> segment = new ArrayList<>();
        for (TsSample s : samples) {
            if (s.video() && s.keyframe() && !segment.isEmpty()) {
                out.writeBytes(TsSegmentWriter.segment(tracks, segment));
                segment.clear();
            }
            segment.add(s);
        }
        out.writeBytes(TsSegmentWriter.segment(tracks, segment));
        return out.toByteArray();
    }

    static Written h264(long seed, long start90k, int seconds) {
        TsTrackConfig tracks = TsTrackConfig.of(Codec.H264, AVC, ASC_48K);
        List<TsSample> samples = samples(new Random(seed), Codec.H264, 48_000, start90k, seconds);
        return new Written(tracks, samples, write(tracks, samples));
    }

    static Written h265(long seed, long start90k, int seconds) {
        TsTrackConfig tracks = TsTrackConfig.of(Codec.H265, HEVC, ASC_48K);
        List<TsSample> samples = samples(new Random(seed), Codec.H265, 48_000, start90k, seconds);
        return new Written(tracks, samples, write(tracks, samples));
    }

    static List<TsSample> video(List<TsSample> samples) {
        return samples.stream().filter(TsSample::video).toList();
    }

    static List<TsSample> audio(List<TsSample> samples) {
        return samples.stream().filter(s -> !s.video()).toList();
    }

    /** The frames of a track are the samples, in order: same payload, timestamps (within tolerance) and keyframes. */
    static void assertSameMedia(List<TsSample> expected, List<MediaFrame> actual, long tolerance90k) {
        assertEquals(expected.size(), actual.size(), "frame count");
        for (int i = 0; i < expected.size(); i++) {
            TsSample e = expected.get(i);
            MediaFrame a = actual.get(i);
            String at = "frame " + i + " " + a;
            assertArrayEquals(e.data(), a.payload(), at);
            assertTrue(Math.abs(e.dts90k() - a.dts()) <= tolerance90k, at + " dts, expected " + e.dts90k());
            assertTrue(Math.abs(e.pts90k() - a.pts()) <= tolerance90k, at + " pts, expected " + e.pts90k());
            if (e.video()) {
                assertEquals(e.keyframe(), a.isKeyframe(), at);
            }
            assertEquals(0, a.segmentIndex());
        }
    }

    /** Every frame of the stream read back, configs first on each track, and nothing dropped or counted as damage. */
    static void assertRoundTrip(Written w, Collector c, Codec video) {
        assertSameMedia(video(w.samples()), c.media(TsToFrames.VIDEO_TRACK), 0);
        assertSameMedia(audio(w.samples()), c.media(TsToFrames.AUDIO_TRACK), 0);
        List<MediaFrame> vc = c.configs(TsToFrames.VIDEO_TRACK);
        assertEquals(1, vc.size(), "one video config");
        assertEquals(video, vc.get(0).codec());
        assertArrayEquals(w.tracks().videoConfig(), vc.get(0).payload());
        List<MediaFrame> ac = c.configs(TsToFrames.AUDIO_TRACK);
        assertEquals(1, ac.size(), "one audio config");
        assertArrayEquals(w.tracks().audioConfig(), ac.get(0).payload());
        assertTrue(c.track(TsToFrames.VIDEO_TRACK).get(0).isConfig(), "video config first");
        assertTrue(c.track(TsToFrames.AUDIO_TRACK).get(0).isConfig(), "audio config first");
        assertEquals(List.of(), c.skips, "nothing skipped");
        TsToFrames.Stats s = c.stats;
        assertEquals(w.ts().length, s.bytes());
        assertEquals(w.ts().length / 188, s.packets());
        assertEquals(0, s.syncLosses() + s.skippedBytes() + s.continuityErrors() + s.damagedUnits() + s.internalErrors()
                + s.droppedBeforeKeyframe() + s.transportErrors() + s.malformedPackets() + s.duplicatePackets(), s.toString());
        assertEquals(video(w.samples()).size(), s.videoFrames());
        assertEquals(audio(w.samples()).size(), s.audioFrames());
        assertEquals(2, s.configFrames());
    }
}
