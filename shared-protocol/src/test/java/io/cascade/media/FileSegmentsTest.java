package io.cascade.media;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where a file's HLS and DASH segments are cut, from its sample index alone. */
class FileSegmentsTest {
    private static final MediaFrame VIDEO = new MediaFrame(0, Codec.H264, 0, 0, 1000, MediaFrame.FLAG_CONFIG,
            MediaFrame.NO_SEGMENT, 0, new byte[] {1});
    private static final MediaFrame AUDIO = new MediaFrame(1, Codec.AAC, 0, 0, 1000, MediaFrame.FLAG_CONFIG,
            MediaFrame.NO_SEGMENT, 0, new byte[] {0x11, (byte) 0x90});

    /** Every sample is in exactly one segment, segments run on without a gap, and each starts at its first sample. */
    private static void assertCovers(MediaFile f, List<FileSegments.Cut> cuts) {
        assertEquals(0, cuts.get(0).first());
        assertEquals(f.sampleCount(), cuts.get(cuts.size() - 1).end());
        for (int i = 0; i < cuts.size(); i++) {
            FileSegments.Cut c = cuts.get(i);
            assertTrue(c.end() > c.first(), "segment " + i + " is empty: " + c);
            assertEquals(f.sample(c.first()).millis(), c.startMillis(), "segment " + i);
            if (i > 0) {
                assertEquals(cuts.get(i - 1).end(), c.first());
                assertEquals(cuts.get(i - 1).startMillis() + cuts.get(i - 1).durationMillis(), c.startMillis());
            }
        }
    }

    @Test
    void cutsAtTheKeyframesOfTheTarget() {
        TestMediaFile f = new TestMediaFile(VIDEO, AUDIO, 16, 25);
        List<FileSegments.Cut> cuts = FileSegments.cut(f, 4_000);
        assertCovers(f, cuts);
        assertEquals(4, cuts.size(), cuts.toString());
        for (int i = 1; i < cuts.size(); i++) {
            MediaFile.Sample first = f.sample(cuts.get(i).first());
            assertTrue(first.video() && first.keyframe(), "segment " + i + " starts at a keyframe: " + first);
            assertEquals(i * 4_000L, cuts.get(i).startMillis());
        }
        assertEquals(4_000, cuts.get(3).durationMillis(), "the last runs to the file's end");
    }

    @Test
    void takesTheNearestKeyframeEvenBeforeTheTarget() {
        // keyframes every 3.6 s (90 frames): for a 4 s target, 3.6 is nearer than 7.2
        TestMediaFile f = new TestMediaFile(VIDEO, AUDIO, 20, 90);
        List<FileSegments.Cut> cuts = FileSegments.cut(f, 4_000);
        assertCovers(f, cuts);
        assertEquals(3_600, cuts.get(0).durationMillis(), cuts.toString());
        assertEquals(3_600, cuts.get(1).startMillis(), cuts.toString());
    }

    @Test
    void aLongGopMakesALongSegmentAndTheTailJoinsTheLastOne() {
        TestMediaFile f = new TestMediaFile(VIDEO, AUDIO, 13, 250); // keyframes at 0 and 10 s only
        List<FileSegments.Cut> cuts = FileSegments.cut(f, 4_000);
        assertCovers(f, cuts);
        assertEquals(2, cuts.size(), cuts.toString());
        assertEquals(10_000, cuts.get(0).durationMillis());
        assertEquals(3_000, cuts.get(1).durationMillis(), "from the last keyframe to the end");
    }

    @Test
    void theLastSegmentIsWhatIsLeftOrJoinsTheOneBeforeWhenTheEndIsNearer() {
        TestMediaFile f = new TestMediaFile(VIDEO, AUDIO, 9, 25); // a keyframe at 8 s is the target itself
        assertEquals(List.of(4_000L, 4_000L, 1_000L),
                FileSegments.cut(f, 4_000).stream().map(FileSegments.Cut::durationMillis).toList());
        TestMediaFile g = new TestMediaFile(VIDEO, AUDIO, 9, 90); // keyframes at 0, 3.6, 7.2: from 3.6 the goal is
        List<FileSegments.Cut> cuts = FileSegments.cut(g, 4_000); // 7.6, and the end (9) is farther than 7.2
        assertCovers(g, cuts);
        assertEquals(List.of(3_600L, 3_600L, 1_800L), cuts.stream().map(FileSegments.Cut::durationMillis).toList());
        TestMediaFile h = new TestMediaFile(VIDEO, AUDIO, 8, 90); // from 3.6 the goal 7.6 is nearer the end (8)
        assertEquals(List.of(3_600L, 4_400L),
                FileSegments.cut(h, 4_000).stream().map(FileSegments.Cut::durationMillis).toList());
    }

    @Test
    void anAudioOnlyFileIsCutAtAnyFrame() {
        TestMediaFile f = new TestMediaFile(null, AUDIO, 10, 25);
        List<FileSegments.Cut> cuts = FileSegments.cut(f, 4_000);
        assertCovers(f, cuts);
        assertEquals(3, cuts.size(), cuts.toString());
        assertTrue(Math.abs(cuts.get(1).startMillis() - 4_000) <= 21, cuts.toString());
    }

    @Test
    void aFileOfOneSampleIsOneSegment() {
        TestMediaFile f = new TestMediaFile(VIDEO, null, 1, 25) {
            @Override
            public int sampleCount() {
                return 1;
            }
        };
        List<FileSegments.Cut> cuts = FileSegments.cut(f, 4_000);
        assertEquals(1, cuts.size());
        assertEquals(new FileSegments.Cut(0, 1, 0, 1_000), cuts.get(0));
    }
}
