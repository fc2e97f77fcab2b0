package io.cascade.edge.vod;

import io.cascade.media.Codec;
import io.cascade.media.MediaFrame;
import io.cascade.media.MemoryBudget;
import io.cascade.media.TestMediaFile;
import io.cascade.media.TrackType;
import io.cascade.packaging.Packaging;
import io.cascade.packaging.Segment;
import io.cascade.protocol.aac.AacVectors;
import io.cascade.protocol.h264.AvcVectors;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A file's VOD playlists and MPD, and its segments, from its sample index (no sockets, no disk). */
class VodFileTest {
    static final MediaFrame VIDEO = new MediaFrame(0, Codec.H264, 0, 0, 1000, MediaFrame.FLAG_CONFIG,
            MediaFrame.NO_SEGMENT, 0, AvcVectors.CONFIGS.get(0).record());
    static final MediaFrame AUDIO = new MediaFrame(1, Codec.AAC, 0, 0, 1000, MediaFrame.FLAG_CONFIG,
            MediaFrame.NO_SEGMENT, 0, AacVectors.CONFIGS.get(0).data());

    private static VodFile file(MediaFrame video, MediaFrame audio, int seconds) {
        return new VodFile("test", new TestMediaFile(video, audio, seconds, 25), 4_000);
    }

    @Test
    void theMediaPlaylistListsEverySegmentAndEnds() {
        String playlist = file(VIDEO, AUDIO, 10).media(TrackType.VIDEO);
        assertEquals("""
                #EXTM3U
                #EXT-X-VERSION:7
                #EXT-X-TARGETDURATION:4
                #EXT-X-PLAYLIST-TYPE:VOD
                #EXT-X-MEDIA-SEQUENCE:0
                #EXT-X-DISCONTINUITY-SEQUENCE:0
                #EXT-X-INDEPENDENT-SEGMENTS
                #EXT-X-MAP:URI="init-0.mp4"
                #EXTINF:4.000,
                0.m4s
                #EXTINF:4.000,
                1.m4s
                #EXTINF:2.000,
                2.m4s
                #EXT-X-ENDLIST
                """, playlist);
        String ts = file(VIDEO, AUDIO, 10).ts();
        assertTrue(ts.contains("#EXT-X-VERSION:3\n") && ts.contains("#EXTINF:2.000,\n2.ts\n#EXT-X-ENDLIST\n")
                && !ts.contains("EXT-X-MAP"), ts);
    }

    @Test
    void theIndexIsMultivariantWithBothTracksAndTheOnlyPlaylistWithOne() throws Exception {
        String both = file(VIDEO, AUDIO, 8).index();
        assertTrue(both.contains("#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\"") && both.contains("\nv/index.m3u8\n")
                && both.contains("CODECS=\"avc1.") && both.contains(",mp4a.40.2\""), both);
        String audioOnly = file(null, AUDIO, 8).index();
        assertTrue(audioOnly.contains("#EXT-X-MAP:URI=\"a/init-0.mp4\"") && audioOnly.contains("\na/0.m4s\n")
                && audioOnly.contains("#EXT-X-ENDLIST"), audioOnly);
        assertNull(file(null, AUDIO, 8).init(TrackType.VIDEO), "no video track, no init segment for it");
    }

    @Test
    void theMpdIsStaticWithATimelineOfTheSegments() throws Exception {
        String mpd = file(VIDEO, AUDIO, 10).mpd();
        assertTrue(mpd.contains("type=\"static\" mediaPresentationDuration=\"PT10.0"), mpd);
        assertTrue(mpd.contains("<S t=\"0\" d=\"360000\" r=\"1\"/>") && mpd.contains("<S d=\"180000\"/>"),
                "video: two 4 s segments at 90 kHz and the 2 s left: " + mpd);
        assertTrue(!mpd.contains("availabilityStartTime") && !mpd.contains("minimumUpdatePeriod"), mpd);
        // the audio timeline adds up to the audio the segments hold, exactly as their fragments say
        Matcher audio = Pattern.compile("timescale=\"48000\".*?<SegmentTimeline>(.*?)</SegmentTimeline>",
                Pattern.DOTALL).matcher(mpd);
        assertTrue(audio.find(), mpd);
    }

    @Test
    void aSegmentIsItsSamplesReadFromTheFileAndItsTimingIsTheSame() throws Exception {
        VodFile f = file(VIDEO, AUDIO, 10);
        Segment read = f.segment(1, true);
        Segment timing = f.segment(1, false);
        assertEquals(read.frames().size(), timing.frames().size());
        assertEquals(4_000, read.startMillis());
        assertTrue(read.frames().get(0).isKeyframe() && read.frames().get(0).trackType() == TrackType.VIDEO);
        for (TrackType t : List.of(TrackType.VIDEO, TrackType.AUDIO)) {
            assertArrayEquals(Packaging.timing(read, t), Packaging.timing(timing, t), t + ": the MPD's timing is "
                    + "the fragment's");
        }
        assertTrue(Packaging.cmafMedia(read, TrackType.VIDEO).length > 100 * 1000, "100 frames of 1000+ bytes");
    }

    @Test
    void seekingFindsTheKeyframeAtOrBefore() {
        VodFile f = file(VIDEO, AUDIO, 10);
        for (long[] c : new long[][] {{0, 0}, {999, 0}, {1_000, 1_000}, {9_500, 9_000}, {60_000, 9_000}}) {
            int i = f.seekIndex(c[0]);
            assertTrue(f.sample(i).video() && f.sample(i).keyframe(), "at " + c[0]);
            assertEquals(c[1], f.nptMillis(i), "seek to " + c[0]);
        }
    }

    @Test
    void theCacheKeepsWithinItsBoundsAndTheBudget() {
        MemoryBudget budget = MemoryBudget.unlimited();
        VodCache cache = new VodCache(1_000, 3, budget.packaged);
        cache.put("a", new byte[400]);
        cache.put("b", new byte[400]);
        cache.get("a"); // used: b is now the least recently used
        cache.put("c", new byte[400]);
        assertNull(cache.get("b"), "dropped for bytes");
        assertEquals(800, cache.bytes());
        assertEquals(800, budget.packaged.held());
        cache.put("d", new byte[10]);
        cache.put("e", new byte[10]);
        assertEquals(3, cache.size(), "a count bound too");
        cache.put("huge", new byte[2_000]);
        assertNull(cache.get("huge"), "larger than the whole cache: served, never kept");
        cache.clear();
        assertEquals(0, budget.packaged.held());
    }
}
