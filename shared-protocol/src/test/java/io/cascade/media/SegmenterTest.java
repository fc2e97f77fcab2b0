package io.cascade.media;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SegmenterTest {
    private long sequence;

    private MediaFrame video(long dts, boolean key) {
        return new MediaFrame(0, Codec.H264, dts, dts, 1000, key ? MediaFrame.FLAG_KEYFRAME : 0, 0, sequence++, new byte[8]);
    }

    private MediaFrame audio(long dts) {
        return new MediaFrame(1, Codec.AAC, dts, dts, 1000, 0, 0, sequence++, new byte[4]);
    }

    private MediaFrame config(Codec codec) {
        return new MediaFrame(codec == Codec.AAC ? 1 : 0, codec, 0, 0, 1000, MediaFrame.FLAG_CONFIG, 0, sequence++, new byte[4]);
    }

    @Test
    void cutsAtTheFirstKeyframeAfterTheTargetAndNumbersOn() {
        Segmenter s = new Segmenter(2000, 40, 10_000);
        s.place(config(Codec.H264));
        s.place(config(Codec.AAC));
        assertEquals(MediaFrame.NO_SEGMENT, s.place(audio(0)).segmentIndex(), "audio before the first keyframe");
        List<MediaFrame> placed = new ArrayList<>();
        for (long t = 0; t < 7000; t += 40) {
            placed.add(s.place(video(t, t % 1000 == 0)));
        }
        List<Long> starts = placed.stream().filter(MediaFrame::isSegmentStart).map(MediaFrame::dts).toList();
        assertEquals(List.of(0L, 2000L, 4000L, 6000L), starts);
        List<Long> numbers = placed.stream().filter(MediaFrame::isSegmentStart).map(MediaFrame::segmentIndex).toList();
        assertEquals(List.of(40L, 41L, 42L, 43L), numbers);
        assertEquals(44, s.nextIndex());
        assertEquals(41, placed.get(60).segmentIndex(), "a frame between cuts belongs to the segment before it");
        assertTrue(placed.get(0).isDiscontinuity(), "the first segment of a publish");
        assertFalse(placed.get(50).isDiscontinuity());
        // one anchor for the stream: media time maps to the wall clock the same way for every segment
        assertEquals(10_000, placed.get(0).clockAnchorMillis());
        assertEquals(10_000, placed.get(50).clockAnchorMillis());
        assertEquals(0, placed.get(1).clockAnchorMillis(), "only segment starts carry it");
        assertEquals(placed.get(1).payload(), s.place(placed.get(1)).payload(), "the payload is shared, not copied");
    }

    @Test
    void sparseKeyframesMakeLongerSegments() {
        Segmenter s = new Segmenter(2000, 0, 0);
        s.place(config(Codec.H264));
        List<Long> starts = new ArrayList<>();
        for (long t = 0; t < 12_000; t += 100) {
            MediaFrame f = s.place(video(t, t % 5000 == 0));
            if (f.isSegmentStart()) {
                starts.add(t);
            }
        }
        assertEquals(List.of(0L, 5000L, 10000L), starts);
    }

    @Test
    void audioOnlyCutsAtAudioFrames() {
        Segmenter s = new Segmenter(2000, 0, 0);
        s.place(config(Codec.AAC));
        List<Long> starts = new ArrayList<>();
        for (long t = 0; t < 6500; t += 21) {
            MediaFrame f = s.place(audio(t));
            if (f.isSegmentStart()) {
                starts.add(t);
            }
        }
        assertEquals(List.of(0L, 2016L, 4032L, 6048L), starts);
    }

    @Test
    void refusesANonPositiveTarget() {
        assertThrows(IllegalArgumentException.class, () -> new Segmenter(0, 0, 0));
    }
}
