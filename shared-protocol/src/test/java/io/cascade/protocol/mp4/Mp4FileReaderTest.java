package io.cascade.protocol.mp4;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cascade.media.Codec;
import io.cascade.media.MediaFile;
import io.cascade.media.MediaFrame;
import io.cascade.protocol.aac.AacVectors;
import io.cascade.protocol.h264.AvcVectors;
import io.cascade.testing.ByteArrayChannel;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Mp4FileReaderTest {
    private static Mp4FileReader open(byte[] file) throws IOException {
        return Mp4FileReader.open(new ByteArrayChannel(file));
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void progressiveFileIndexesBothTracksInDecodeOrder(boolean moovFirst) throws IOException {
        try (Mp4FileReader r = open(Mp4Vectors.progressive(moovFirst))) {
            assertEquals(Mp4Vectors.VIDEO_SAMPLES + Mp4Vectors.AUDIO_SAMPLES, r.sampleCount(),
                    "the mp4v trak before the played ones is passed over");
            assertEquals(Codec.H264, r.configs().get(0).codec());
            assertArrayEquals(AvcVectors.CONFIGS.get(3).record(), r.configs().get(0).payload(), "avcC as it is");
            assertEquals(Codec.AAC, r.configs().get(1).codec());
            assertArrayEquals(AacVectors.CONFIGS.get(0).data(), r.configs().get(1).payload());
            int video = 0;
            int audio = 0;
            double last = -1;
            for (int i = 0; i < r.sampleCount(); i++) {
                MediaFrame f = r.read(i);
                double seconds = (double) f.dts() / f.timescale();
                assertTrue(seconds >= last, "decode order across tracks");
                last = seconds;
                assertEquals(i, f.sequence());
                if (f.track() == 0) {
                    assertEquals(Mp4Vectors.VIDEO_TIMESCALE, f.timescale());
                    assertEquals((long) video * Mp4Vectors.VIDEO_DURATION, f.dts());
                    assertEquals(f.dts() + Mp4Vectors.compositionOffset(video), f.pts());
                    assertEquals(Mp4Vectors.SYNC.contains(video), f.isKeyframe());
                    assertArrayEquals(Mp4Vectors.videoSample(video, 4), f.payload(), "2-byte NAL lengths become 4");
                    video++;
                } else {
                    assertEquals(Mp4Vectors.AUDIO_TIMESCALE, f.timescale());
                    assertEquals((long) audio * Mp4Vectors.AUDIO_DURATION, f.dts());
                    assertTrue(f.isKeyframe());
                    assertArrayEquals(Mp4Vectors.audioSample(audio), f.payload());
                    audio++;
                }
            }
            assertEquals(Mp4Vectors.VIDEO_SAMPLES * Mp4Vectors.VIDEO_DURATION * 1000L / Mp4Vectors.VIDEO_TIMESCALE,
                    r.durationMillis());
        }
    }

    @Test
    void onATieVideoComesFirst() throws IOException {
        try (Mp4FileReader r = open(Mp4Vectors.progressive(true))) {
            assertTrue(r.sample(0).video() && !r.sample(1).video(), "both start at 0");
        }
    }

    @Test
    void fragmentedFileIndexesEveryFragment() throws IOException {
        try (Mp4FileReader r = open(Mp4Vectors.fragmented(Codec.H265, 3))) {
            assertEquals(18, r.sampleCount());
            assertEquals(Codec.H265, r.configs().get(0).codec());
            int video = 0;
            for (int i = 0; i < r.sampleCount(); i++) {
                MediaFile.Sample s = r.sample(i);
                if (s.video()) {
                    assertEquals((long) video * Mp4Vectors.VIDEO_DURATION, s.dts(), "from each tfdt");
                    assertEquals(s.dts() + Mp4Vectors.compositionOffset(video), s.pts());
                    assertEquals(video % 3 == 0, s.keyframe(), "sample_is_non_sync_sample of the trun flags");
                    video++;
                }
                r.read(i);
            }
        }
    }

    /** Cut at every length: whole fragments stay, the cut one goes; refused only before the moov is whole. */
    @Test
    void fragmentedFileCutAnywhereKeepsItsWholeFragments() throws IOException {
        byte[] whole = Mp4Vectors.fragmented(Codec.H264, 3);
        int previous = 0;
        for (int cut = 0; cut <= whole.length; cut++) {
            Mp4FileReader r;
            try {
                r = open(Arrays.copyOf(whole, cut));
            } catch (Mp4Exception e) {
                assertTrue(previous == 0, "once a fragment is whole the file opens: cut at " + cut);
                continue;
            }
            assertEquals(0, r.sampleCount() % 3, "whole fragments only: cut at " + cut);
            assertTrue(r.sampleCount() >= previous);
            previous = r.sampleCount();
            for (int i = 0; i < r.sampleCount(); i++) {
                r.read(i);
            }
            r.close();
        }
        assertEquals(18, previous);
    }

    /** Moov first, cut inside mdat: each track keeps the samples whose bytes are all in the file. */
    @Test
    void progressiveFileCutInsideMdatKeepsTheSamplesItHolds() throws IOException {
        byte[] whole = Mp4Vectors.progressive(true);
        try (Mp4FileReader full = open(whole)) {
            long mdatEnd = whole.length;
            for (long cut = full.sample(0).offset() + 1; cut < mdatEnd; cut++) {
                try (Mp4FileReader part = open(Arrays.copyOf(whole, (int) cut))) {
                    int k = 0;
                    for (int i = 0; i < full.sampleCount(); i++) {
                        MediaFile.Sample s = full.sample(i);
                        if (s.offset() + s.size() <= cut) {
                            assertEquals(s, part.sample(k++), "cut at " + cut);
                        }
                    }
                    assertEquals(k, part.sampleCount());
                } catch (Mp4Exception e) {
                    assertTrue(e.getMessage().contains("no samples"), e.getMessage());
                }
            }
        }
    }

    @Test
    void refusesWhatIsNotAPlayableMp4() {
        assertTrue(assertThrows(Mp4Exception.class, () -> open(new byte[64])).getMessage().contains("no moov"));
        byte[] progressive = Mp4Vectors.progressive(false);
        byte[] cutMoov = Arrays.copyOf(progressive, progressive.length - 1);
        assertTrue(assertThrows(Mp4Exception.class, () -> open(cutMoov)).getMessage().contains("moov cut"));
        byte[] noCodec = Mp4Vectors.progressive(true);
        replaceAll(noCodec, "avc1", "avcX");
        replaceAll(noCodec, "mp4a", "mp4X");
        assertTrue(assertThrows(Mp4Exception.class, () -> open(noCodec)).getMessage().contains("no H.264"));
    }

    private static void replaceAll(byte[] b, String from, String to) {
        for (int i = 0; i + 4 <= b.length; i++) {
            if (new String(b, i, 4, java.nio.charset.StandardCharsets.ISO_8859_1).equals(from)) {
                for (int k = 0; k < 4; k++) {
                    b[i + k] = (byte) to.charAt(k);
                }
            }
        }
    }

    @Test
    void seekGoesToTheLastKeyframeAtOrBefore() throws IOException {
        try (Mp4FileReader r = open(Mp4Vectors.progressive(true))) {
            long frameMs = Mp4Vectors.VIDEO_DURATION * 1000L / Mp4Vectors.VIDEO_TIMESCALE;
            assertEquals(0, r.seekIndex(-5));
            assertEquals(0, r.seekIndex(3 * frameMs));
            MediaFile.Sample s = r.sample(r.seekIndex(4 * frameMs));
            assertEquals(4L * Mp4Vectors.VIDEO_DURATION, s.dts());
            assertTrue(s.video() && s.keyframe());
            assertEquals(s, r.sample(r.seekIndex(1_000_000)));
        }
    }
}
