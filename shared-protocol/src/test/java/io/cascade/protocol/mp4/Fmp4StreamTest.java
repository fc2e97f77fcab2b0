package io.cascade.protocol.mp4;

import static io.cascade.protocol.mp4.BoxWalker.u32;
import static io.cascade.protocol.mp4.BoxWalker.u64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cascade.media.Codec;
import io.cascade.media.MediaFrame;
import io.cascade.media.TrackType;
import io.cascade.protocol.mp4.BoxWalker.Box;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The live muxed fMP4 stream and the writer's multi-track init and styp-less fragments, on byte arrays. */
class Fmp4StreamTest {
    private long sequence;

    private MediaFrame videoConfig() {
        return new MediaFrame(0, Codec.H264, 0, 0, 1000, MediaFrame.FLAG_CONFIG, 0, sequence++,
                CmafWriterTest.AVC_720P);
    }

    private MediaFrame audioConfig() {
        return new MediaFrame(1, Codec.AAC, 0, 0, 1000, MediaFrame.FLAG_CONFIG, 0, sequence++,
                CmafWriterTest.ASC_48K_STEREO);
    }

    private MediaFrame video(long ms, int ctsMs, boolean key) {
        return new MediaFrame(0, Codec.H264, ms, ms + ctsMs, 1000, key ? MediaFrame.FLAG_KEYFRAME : 0, 0, sequence++,
                CmafWriterTest.P_FRAME);
    }

    private MediaFrame audio(long ms) {
        return new MediaFrame(1, Codec.AAC, ms, ms, 1000, 0, 0, sequence++, new byte[] {0x21, 0x10, 0x04});
    }

    /** tfdt, track_ID, mfhd sequence, and each trun entry's {duration, size, flags, composition offset}. */
    private record Fragment(long decodeTime, long trackId, long sequence, long duration, long flags, int offset) {
    }

    private static Fragment read(byte[] fragment) {
        List<Box> top = BoxWalker.parse(fragment);
        assertEquals(List.of("moof", "mdat"), BoxWalker.types(top), "a fragment is moof + mdat, no styp");
        Box moof = top.get(0);
        Box traf = moof.child("traf");
        Box trun = traf.child("trun");
        assertEquals(1, u32(fragment, trun.fullBoxBody()), "one sample per fragment");
        int dataOffset = (int) u32(fragment, trun.fullBoxBody() + 4);
        assertEquals(top.get(1).payloadOffset(), moof.offset() + dataOffset, "data_offset lands on the mdat payload");
        int entry = trun.fullBoxBody() + 8;
        return new Fragment(u64(fragment, traf.child("tfdt").fullBoxBody()), u32(fragment, traf.child("tfhd").fullBoxBody()),
                u32(fragment, moof.child("mfhd").fullBoxBody()), u32(fragment, entry), u32(fragment, entry + 8),
                (int) u32(fragment, entry + 12));
    }

    @Test
    void multiTrackInitHasATrakAndATrexPerTrackAndOneTrackIsTheSingleTrackInit() {
        byte[] init = CmafWriter.initSegment(List.of(CmafWriterTest.avc(), CmafWriterTest.aac()));
        List<Box> top = BoxWalker.parse(init);
        assertEquals(List.of("ftyp", "moov"), BoxWalker.types(top));
        Box moov = top.get(1);
        assertEquals(List.of("mvhd", "trak", "trak", "mvex"), moov.childTypes());
        assertEquals(3, u32(init, moov.child("mvhd").end() - 4), "next_track_ID");
        Box mvex = moov.child("mvex");
        assertEquals(List.of("trex", "trex"), mvex.childTypes());
        assertEquals(1, u32(init, mvex.children().get(0).fullBoxBody()));
        assertEquals(2, u32(init, mvex.children().get(1).fullBoxBody()));
        assertEquals("soun", BoxWalker.fourCc(init, moov.children().get(2).path("mdia/hdlr").fullBoxBody() + 4));

        assertArrayEquals(CmafWriter.initSegment(CmafWriterTest.avc()),
                CmafWriter.initSegment(List.of(CmafWriterTest.avc())));
        assertThrows(IllegalArgumentException.class, () -> CmafWriter.initSegment(List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> CmafWriter.initSegment(List.of(CmafWriterTest.avc(), CmafWriterTest.avc())));
    }

    @Test
    void fragmentIsTheMediaSegmentWithoutItsStyp() {
        List<CmafSample> samples = List.of(new CmafSample(9000, 3600, 0, false, CmafWriterTest.P_FRAME));
        byte[] segment = CmafWriter.mediaSegment(CmafWriterTest.avc(), 7, samples);
        byte[] fragment = CmafWriter.fragment(CmafWriterTest.avc(), 7, samples);
        int styp = (int) u32(segment, 0);
        assertArrayEquals(java.util.Arrays.copyOfRange(segment, styp, segment.length), fragment);
    }

    @Test
    void theInitGrowsWithEachTrackAndAnEqualConfigChangesNothing() {
        Fmp4Stream s = new Fmp4Stream();
        assertNull(s.initSegment());
        assertNull(s.fragment(video(0, 0, true), 0), "no track before its config");
        assertTrue(s.configure(videoConfig()));
        assertTrue(s.mimeType().matches("video/mp4; codecs=\"avc1\\.[0-9A-Fa-f]{6}\""), s.mimeType());
        byte[] videoOnly = s.initSegment();
        assertTrue(s.configure(audioConfig()));
        assertTrue(s.mimeType().startsWith("video/mp4; codecs=\"avc1.") && s.mimeType().endsWith(",mp4a.40.2\""),
                s.mimeType());
        assertEquals(List.of("mvhd", "trak", "trak", "mvex"), BoxWalker.parse(s.initSegment()).get(1).childTypes());
        byte[] both = s.initSegment();
        assertFalse(s.configure(videoConfig()), "the same configuration again");
        assertArrayEquals(both, s.initSegment());
        assertFalse(java.util.Arrays.equals(videoOnly, both));
        assertThrows(IllegalArgumentException.class, () -> s.configure(video(0, 0, true)));
        assertThrows(IllegalArgumentException.class, () -> s.fragment(videoConfig(), 0));

        Fmp4Stream audioOnly = new Fmp4Stream();
        audioOnly.configure(audioConfig());
        assertEquals("audio/mp4; codecs=\"mp4a.40.2\"", audioOnly.mimeType());
    }

    @Test
    void videoFragmentsCarryTheViewerTimestampAt90kHzAndTheLastStepAsDuration() {
        Fmp4Stream s = new Fmp4Stream();
        s.configure(videoConfig());
        MediaFrame key = video(1000, 80, true);
        Fragment first = read(s.fragment(key, 5000)); // the fan-out moved this publish 4 s later
        assertEquals(5000L * 90, first.decodeTime());
        assertEquals(Fmp4Stream.VIDEO_TRACK_ID, first.trackId());
        assertEquals(key.sequence(), first.sequence());
        assertEquals(Fmp4Stream.DEFAULT_VIDEO_DURATION, first.duration(), "no step seen yet");
        assertEquals(0x02000000, first.flags(), "a keyframe is a sync sample");
        assertEquals(80 * 90, first.offset());
        Fragment second = read(s.fragment(video(1033, 0, false), 5033));
        assertEquals(5033L * 90, second.decodeTime());
        assertEquals(33 * 90, second.duration());
        assertEquals(0x01010000, second.flags());
        Fragment third = read(s.fragment(video(1073, 0, false), 5073));
        assertEquals(40 * 90, third.duration(), "the last step between frames");
    }

    /** RTMP rounds AAC timestamps to milliseconds; the fragments still follow one another sample for sample. */
    @Test
    void audioDecodeTimesAreContiguousWholeFramesWhateverTheMillisecondRounding() {
        for (int startSamples : new int[] {0, 500, 1000, 47_999}) {
            Fmp4Stream s = new Fmp4Stream();
            s.configure(audioConfig());
            long previous = -1;
            for (int i = 0; i < 500; i++) {
                long exactSamples = startSamples + (long) i * 1024;
                long ms = exactSamples * 1000 / 48_000; // floor, as an encoder's millisecond clock gives
                Fragment f = read(s.fragment(audio(ms), ms));
                assertEquals(Fmp4Stream.AUDIO_TRACK_ID, f.trackId());
                assertEquals(1024, f.duration());
                assertEquals(0x02000000, f.flags(), "every AAC frame is a sync sample");
                if (previous >= 0) {
                    assertEquals(previous + 1024, f.decodeTime(), "frame " + i + " from " + startSamples);
                }
                assertTrue(Math.abs(f.decodeTime() - exactSamples) <= 48, "within a millisecond of its own time");
                previous = f.decodeTime();
            }
        }
    }

    @Test
    void audioFarOffTheGridStartsANewOne() {
        Fmp4Stream s = new Fmp4Stream();
        s.configure(audioConfig());
        assertEquals(0, read(s.fragment(audio(0), 0)).decodeTime());
        assertEquals(1024, read(s.fragment(audio(21), 21)).decodeTime());
        // a gap of 1.5 s plus half a frame: the next frame goes where it belongs, a new grid from there
        long ms = 1547; // 74256 samples: half a frame off the grid of 1024 from 0
        Fragment f = read(s.fragment(audio(ms), ms));
        assertEquals(ms * 48, f.decodeTime());
        assertEquals(ms * 48 + 1024, read(s.fragment(audio(ms + 21), ms + 21)).decodeTime());
    }

    /** After a republish the fan-out continues the viewers' timeline; so do the fragments, with the new config. */
    @Test
    void aRepublishStartsAfreshAndItsDecodeTimesContinue() {
        Fmp4Stream s = new Fmp4Stream();
        s.configure(videoConfig());
        s.configure(audioConfig());
        long lastVideo = 0;
        long lastAudioEnd = 0;
        for (int i = 0; i < 50; i++) {
            lastVideo = read(s.fragment(video(i * 40L, 0, i == 0), i * 40L)).decodeTime();
            Fragment a = read(s.fragment(audio(i * 21L), i * 21L));
            lastAudioEnd = (a.decodeTime() + a.duration()) * 90_000 / 48_000;
        }
        s.reset();
        assertNull(s.initSegment());
        assertNull(s.fragment(video(0, 0, true), 2000), "the new publish's config comes first");
        s.configure(videoConfig()); // the new publish: video only
        assertTrue(s.mimeType().startsWith("video/mp4; codecs=\"avc1.") && !s.mimeType().contains("mp4a"), s.mimeType());
        // its own timestamps start at 0 again; the fan-out has moved them after the last one sent (+40 ms)
        long rebased = 49 * 40 + 40;
        Fragment first = read(s.fragment(video(0, 0, true), rebased));
        assertTrue(first.decodeTime() > lastVideo && first.decodeTime() >= lastAudioEnd - 90 * 40,
                first.decodeTime() + " after " + lastVideo);
    }

    @Test
    void theClipBecomesOneFragmentPerFrameAtTheTimesItWasPublished() throws Exception {
        List<MediaFrame> clip = ClipFrames.load();
        Fmp4Stream s = new Fmp4Stream();
        List<Long> videoTimes = new ArrayList<>();
        List<Long> audioTimes = new ArrayList<>();
        int fragments = 0;
        for (MediaFrame f : clip) {
            if (f.isConfig()) {
                s.configure(f);
            } else if (f.trackType() != TrackType.DATA) {
                byte[] fragment = s.fragment(f, f.dtsMillis());
                assertNotNull(fragment, f.toString());
                Fragment r = read(fragment);
                (r.trackId() == Fmp4Stream.VIDEO_TRACK_ID ? videoTimes : audioTimes).add(r.decodeTime());
                if (r.trackId() == Fmp4Stream.VIDEO_TRACK_ID) {
                    assertEquals(f.dts() * 90, r.decodeTime());
                    assertEquals(f.compositionOffsetMillis() * 90, r.offset());
                }
                fragments++;
            }
        }
        assertEquals(ClipFrames.VIDEO_FRAMES, videoTimes.size());
        assertEquals(fragments - ClipFrames.VIDEO_FRAMES, audioTimes.size());
        for (int i = 1; i < audioTimes.size(); i++) {
            assertEquals(audioTimes.get(i - 1) + 1024, audioTimes.get(i), "audio frame " + i);
        }
        assertTrue(s.mimeType().matches("video/mp4; codecs=\"avc1\\.[0-9A-Fa-f]{6},mp4a\\.40\\.2\""), s.mimeType());
    }
}
