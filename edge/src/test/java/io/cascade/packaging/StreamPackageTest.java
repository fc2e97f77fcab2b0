package io.cascade.packaging;

import io.cascade.cluster.FrameBatch;
import io.cascade.media.Codec;
import io.cascade.media.MediaFrame;
import io.cascade.media.MemoryBudget;
import io.cascade.media.Segmenter;
import io.cascade.media.TrackType;
import io.cascade.protocol.aac.AacVectors;
import io.cascade.protocol.h264.AvcVectors;
import io.cascade.protocol.hls.HlsPlaylist;
import io.vertx.core.Promise;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StreamPackageTest {
    private static final long ANCHOR = 1_795_000_000_000L;

    private static PackageSettings settings(int window, long maxStreamBytes) {
        return new PackageSettings(window, HlsPlaylist.Type.LIVE, 100, maxStreamBytes, 1 << 30, MemoryBudget.unlimited(),
                new SegmentKeys("0123456789abcdef0123".getBytes(StandardCharsets.UTF_8), 3));
    }

    /** A publish as the ingest node places it: 1 s GOPs at 25 fps, AAC at 48 kHz, 1 s segments from number 10. */
    private static List<MediaFrame> publish(int seconds) {
        Segmenter segmenter = new Segmenter(1000, 10, ANCHOR);
        List<MediaFrame> out = new ArrayList<>();
        long seq = 0;
        out.add(segmenter.place(new MediaFrame(0, Codec.H264, 0, 0, 1000, MediaFrame.FLAG_CONFIG, 0, seq++,
                AvcVectors.CONFIGS.get(0).record())));
        out.add(segmenter.place(new MediaFrame(1, Codec.AAC, 0, 0, 1000, MediaFrame.FLAG_CONFIG, 0, seq++,
                AacVectors.CONFIGS.get(0).data())));
        long audio = 0;
        for (long t = 0; t < seconds * 1000L; t += 40) {
            boolean key = t % 1000 == 0;
            out.add(segmenter.place(new MediaFrame(0, Codec.H264, t, t, 1000, key ? MediaFrame.FLAG_KEYFRAME : 0, 0, seq++,
                    new byte[] {0, 0, 0, 3, (byte) (key ? 0x65 : 0x41), (byte) 0x88, (byte) t})));
            while (audio * 64 / 3 <= t + 40) { // 1024 samples at 48 kHz: 21.333 ms
                long at = audio * 64 / 3;
                out.add(segmenter.place(new MediaFrame(1, Codec.AAC, at, at, 1000, 0, 0, seq++, new byte[] {0x21, 0x10, 0x05})));
                audio++;
            }
        }
        return out;
    }

    private static FrameBatch batch(List<MediaFrame> frames) {
        return new FrameBatch(frames, frames.get(frames.size() - 1).sequence(), "ingest/1", 0, 1000);
    }

    /**
     * A snapshot lists the configs by track (video, then audio) ahead of the GOP; an MPEG-TS source often sends its
     * audio config first, so the audio config comes after a config with a later sequence number. Both count.
     */
    @Test
    void anAudioConfigPublishedBeforeTheVideoConfigIsNotLost() {
        List<MediaFrame> all = publish(4);
        MediaFrame videoConfig = all.get(0);
        MediaFrame audioConfig = all.get(1);
        List<MediaFrame> snapshot = new ArrayList<>(List.of(
                new MediaFrame(0, Codec.H264, 0, 0, 1000, videoConfig.flags(), videoConfig.segmentIndex(), 1,
                        videoConfig.payload()),
                new MediaFrame(1, Codec.AAC, 0, 0, 1000, audioConfig.flags(), audioConfig.segmentIndex(), 0,
                        audioConfig.payload())));
        snapshot.addAll(all.subList(2, all.size()));
        StreamPackage p = new StreamPackage("s", settings(3, 1 << 20));
        p.onSnapshot(batch(snapshot));
        assertTrue(p.window().has(TrackType.AUDIO), "the audio track is listed");
        assertTrue(p.window().has(TrackType.VIDEO));
    }

    @Test
    void listsOnlyWholeSegmentsAndEveryNodeListsTheSame() {
        List<MediaFrame> all = publish(8);
        StreamPackage early = new StreamPackage("s", settings(3, 1 << 20));
        early.onSnapshot(batch(all.subList(0, 2)));
        all.subList(2, all.size()).forEach(early::onFrame);

        // a late node: config, then a snapshot that starts in the middle of segment 13
        int middle = 0;
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).segmentIndex() == 13 && !all.get(i).isSegmentStart() && all.get(i).trackType() == TrackType.VIDEO) {
                middle = i;
                break;
            }
        }
        List<MediaFrame> snapshot = new ArrayList<>(all.subList(0, 2));
        snapshot.addAll(all.subList(middle, all.size()));
        StreamPackage late = new StreamPackage("s", settings(3, 1 << 20));
        late.onSnapshot(batch(snapshot));

        assertEquals(List.of(14L, 15L, 16L), indexes(early.window()), "segment 17 is still being collected");
        assertEquals(indexes(early.window()), indexes(late.window()), "segment 13 was never whole on the late node");
        SegmentWindow a = early.window();
        SegmentWindow b = late.window();
        assertEquals(a.index(), b.index());
        assertEquals(a.media(TrackType.VIDEO), b.media(TrackType.VIDEO));
        assertEquals(a.ts(true), b.ts(true));
        assertEquals(a.mpd("http://x/time"), b.mpd("http://x/time"));
        for (long n = 14; n <= 16; n++) {
            assertArrayEquals(a.find(n).ts(), b.find(n).ts());
            assertArrayEquals(a.find(n).cmaf(TrackType.VIDEO), b.find(n).cmaf(TrackType.VIDEO));
            assertArrayEquals(a.find(n).cmaf(TrackType.AUDIO), b.find(n).cmaf(TrackType.AUDIO));
        }
        assertTrue(a.index().contains("#EXT-X-STREAM-INF"), a.index());
        assertTrue(a.media(TrackType.VIDEO).contains("#EXT-X-MEDIA-SEQUENCE:14\n"), a.media(TrackType.VIDEO));
        assertTrue(a.media(TrackType.VIDEO).contains("#EXT-X-PROGRAM-DATE-TIME:2026-11-18T11:06:44.000Z\n"));
        assertTrue(a.media(TrackType.VIDEO).contains("#EXTINF:1.000,\n14.m4s\n"));
        assertNull(a.find(13));
        assertNull(a.find(17));
    }

    @Test
    void thePublishersLastSegmentIsListedWhenItLeaves() {
        List<MediaFrame> all = publish(3);
        StreamPackage p = new StreamPackage("s", settings(6, 1 << 20));
        p.onSnapshot(batch(all));
        assertEquals(List.of(10L, 11L), indexes(p.window()));
        p.onStopped();
        assertEquals(List.of(10L, 11L, 12L), indexes(p.window()));
        assertEquals(1000, p.window().segments().get(2).segment().durationMillis(), "estimated from the frame rate");
    }

    @Test
    void theByteBudgetDropsTheOldestSegments() {
        List<MediaFrame> all = publish(8);
        long oneSegment = all.stream().filter(f -> f.segmentIndex() == 11 && !f.isConfig()).mapToLong(f -> f.payload().length).sum();
        StreamPackage p = new StreamPackage("s", settings(6, oneSegment * 2 + 10));
        p.onSnapshot(batch(all));
        assertEquals(List.of(15L, 16L), indexes(p.window()));
    }

    @Test
    void theWindowCountsInTheNodesBudgetAndKeepsThreeSegmentsWhileItIsOver() {
        MemoryBudget memory = new MemoryBudget(1 << 30, 1 << 30);
        PackageSettings counted = new PackageSettings(6, HlsPlaylist.Type.LIVE, 100, 1 << 20, 1 << 30, memory,
                new SegmentKeys("0123456789abcdef0123".getBytes(StandardCharsets.UTF_8), 3));
        List<MediaFrame> all = publish(8);
        StreamPackage p = new StreamPackage("s", counted);
        p.onSnapshot(batch(all));
        long listed = p.window().segments().stream().mapToLong(l -> l.segment().payloadBytes()).sum();
        long current = all.stream().filter(f -> f.segmentIndex() == 17 && !f.isConfig() && f.trackType() != TrackType.DATA)
                .mapToLong(f -> f.payload().length).sum();
        assertEquals(List.of(11L, 12L, 13L, 14L, 15L, 16L), indexes(p.window()));
        assertEquals(listed + current, memory.windows.held(), "the listed segments and the one being collected");

        byte[] ts = p.window().segments().get(0).ts();
        assertEquals(ts.length, memory.packaged.held(), "a packaged segment kept for the next request");

        memory.caches.take(1L << 30); // another holder spent the budget
        p.onStopped(); // lists segment 17: the window shrinks to three
        assertEquals(List.of(15L, 16L, 17L), indexes(p.window()));
        assertEquals(0, memory.packaged.held(), "segment 11's packaged bytes went with it");
        memory.caches.give(1L << 30);
        p.onClosed();
        assertEquals(0, memory.heapHeld(), "everything given back");
    }

    @Test
    void waitingRequestsAreAnsweredWithTheWholeSnapshot() {
        StreamPackage p = new StreamPackage("s", settings(6, 1 << 20));
        Promise<SegmentWindow> waiting = p.whenListed();
        assertNotNull(waiting);
        assertFalse(waiting.future().isComplete());
        p.onSnapshot(batch(publish(5)));
        assertTrue(waiting.future().isComplete());
        assertEquals(4, waiting.future().result().segments().size(), "not just the first segment of the snapshot");
    }

    @Test
    void anEventPlaylistKeepsEverySegmentUpToItsDvrLength() {
        PackageSettings dvr = new PackageSettings(2, HlsPlaylist.Type.EVENT, 5, 1 << 20, 1 << 30, MemoryBudget.unlimited(),
                new SegmentKeys("0123456789abcdef0123".getBytes(StandardCharsets.UTF_8), 3));
        StreamPackage p = new StreamPackage("s", dvr);
        p.onSnapshot(batch(publish(5)));
        assertEquals(List.of(10L, 11L, 12L, 13L), indexes(p.window()), "more than the live window of 2");
        String playlist = p.window().media(TrackType.VIDEO);
        assertTrue(playlist.contains("#EXT-X-PLAYLIST-TYPE:EVENT\n"), playlist);
        assertTrue(playlist.contains("#EXT-X-MEDIA-SEQUENCE:10\n"), playlist);
    }

    private static List<Long> indexes(SegmentWindow w) {
        return w.segments().stream().map(l -> l.segment().index()).toList();
    }
}
