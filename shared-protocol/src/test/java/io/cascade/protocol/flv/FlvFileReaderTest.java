package io.cascade.protocol.flv;

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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class FlvFileReaderTest {
    @ParameterizedTest
    @EnumSource(value = Codec.class, names = {"H264", "H265"})
    void readsEveryFrameAsALivePublishCarriesIt(Codec codec) throws IOException {
        try (FlvFileReader r = FlvFileReader.open(new ByteArrayChannel(FlvFileVectors.file(codec)))) {
            assertEquals(FlvFileVectors.VIDEO_FRAMES + FlvFileVectors.AUDIO_FRAMES, r.sampleCount(),
                    "the script and MP3 tags are not samples");
            assertEquals(codec, r.configs().get(0).codec());
            assertEquals(Codec.AAC, r.configs().get(1).codec());
            assertArrayEquals(AacVectors.CONFIGS.get(0).data(), r.configs().get(1).payload());
            if (codec == Codec.H264) {
                assertArrayEquals(AvcVectors.CONFIGS.get(3).record(), r.configs().get(0).payload());
            }
            int video = 0;
            int audio = 0;
            for (int i = 0; i < r.sampleCount(); i++) {
                MediaFrame f = r.read(i);
                assertEquals(1000, f.timescale());
                assertEquals(i, f.sequence());
                assertEquals(MediaFrame.NO_SEGMENT, f.segmentIndex());
                if (f.track() == 0) {
                    long t = FlvFileVectors.START_MS + (long) video * FlvFileVectors.FRAME_MS;
                    assertEquals(t, f.dts(), "32-bit timestamps, past 2^24 ms");
                    assertEquals(t + FlvFileVectors.compositionTime(video), f.pts());
                    assertEquals(video % 4 == 0, f.isKeyframe());
                    assertArrayEquals(FlvFileVectors.videoFrame(video, 4), f.payload(), "4-byte NAL lengths");
                    video++;
                } else {
                    assertEquals(FlvFileVectors.START_MS + (long) audio * FlvFileVectors.AUDIO_FRAME_MS, f.dts());
                    assertTrue(f.isKeyframe());
                    assertArrayEquals(FlvFileVectors.audioFrame(audio), f.payload());
                    audio++;
                }
            }
            assertEquals(FlvFileVectors.VIDEO_FRAMES * FlvFileVectors.FRAME_MS, r.durationMillis());
        }
    }

    /** Cut at every length: the tags before the cut, or a typed refusal when none is left. */
    @Test
    void aFileCutAnywhereOpensWithTheWholeTagsBeforeTheCut() throws IOException {
        byte[] whole = FlvFileVectors.file(Codec.H264);
        try (FlvFileReader full = FlvFileReader.open(new ByteArrayChannel(whole))) {
            int opened = 0;
            for (int cut = 0; cut < whole.length; cut++) {
                FlvFileReader part;
                try {
                    part = FlvFileReader.open(new ByteArrayChannel(Arrays.copyOf(whole, cut)));
                } catch (FlvFileException e) {
                    continue;
                }
                opened++;
                int expected = 0;
                while (expected < full.sampleCount()
                        && full.sample(expected).offset() + full.sample(expected).size() <= cut) {
                    expected++;
                }
                assertEquals(expected, part.sampleCount(), "cut at " + cut);
                for (int i = 0; i < expected; i++) {
                    assertEquals(full.sample(i), part.sample(i));
                    assertArrayEquals(full.read(i).payload(), part.read(i).payload());
                }
                part.close();
            }
            assertTrue(opened > whole.length / 2);
        }
    }

    @Test
    void seekGoesToTheLastKeyframeAtOrBefore() throws IOException {
        try (MediaFile r = FlvFileReader.open(new ByteArrayChannel(FlvFileVectors.file(Codec.H264)))) {
            long start = FlvFileVectors.START_MS;
            assertEquals(0, r.seekIndex(0));
            MediaFile.Sample s = r.sample(r.seekIndex(start + 5 * FlvFileVectors.FRAME_MS));
            assertEquals(start + 4 * FlvFileVectors.FRAME_MS, s.dts(), "frame 4 is the second keyframe");
            assertTrue(s.video() && s.keyframe());
            assertEquals(s, r.sample(r.seekIndex(Long.MAX_VALUE / 1000)));
            assertEquals(0, r.seekIndex(start + 3 * FlvFileVectors.FRAME_MS));
        }
    }

    @Test
    void refusesWhatIsNotAPlayableFlv() {
        assertThrows(FlvFileException.class, () -> FlvFileReader.open(new ByteArrayChannel(new byte[5])));
        byte[] notFlv = FlvFileVectors.file(Codec.H264);
        notFlv[0] = 'G';
        assertTrue(assertThrows(FlvFileException.class, () -> FlvFileReader.open(new ByteArrayChannel(notFlv)))
                .getMessage().contains("signature"));
        byte[] headerOnly = FlvWriter.fileHeader(true, true);
        assertTrue(assertThrows(FlvFileException.class, () -> FlvFileReader.open(new ByteArrayChannel(headerOnly)))
                .getMessage().contains("no H.264"));
    }

    /** A file that shrank after it was indexed: the sample is refused with the reader's exception. */
    @Test
    void aSampleGoneFromTheFileIsRefusedAtRead() throws IOException {
        byte[] whole = FlvFileVectors.file(Codec.H264);
        byte[][] current = {whole};
        ByteArrayChannel shrinking = new ByteArrayChannel(whole) {
            @Override
            public int read(java.nio.ByteBuffer dst) throws IOException {
                return current[0] == whole ? super.read(dst) : -1;
            }
        };
        try (FlvFileReader r = FlvFileReader.open(shrinking)) {
            current[0] = new byte[0];
            assertThrows(FlvFileException.class, () -> r.read(r.sampleCount() - 1));
        }
    }
}
