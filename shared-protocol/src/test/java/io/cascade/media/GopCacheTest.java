package io.cascade.media;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GopCacheTest {
    private long seq;

    private MediaFrame video(boolean key, int bytes) {
        return new MediaFrame(0, Codec.H264, seq, seq, 1000, key ? MediaFrame.FLAG_KEYFRAME : 0, 0, seq++, new byte[bytes]);
    }

    private MediaFrame audio() {
        return new MediaFrame(1, Codec.AAC, seq, seq, 1000, 0, 0, seq++, new byte[10]);
    }

    private MediaFrame config(int track, Codec codec) {
        return new MediaFrame(track, codec, 0, 0, 1000, MediaFrame.FLAG_CONFIG, 0, seq++, new byte[4]);
    }

    @Test
    void snapshotIsConfigThenMetadataThenGopFromTheLastKeyframe() {
        GopCache cache = new GopCache();
        MediaFrame vc = config(0, Codec.H264);
        MediaFrame ac = config(1, Codec.AAC);
        cache.add(ac);
        cache.add(vc);
        MediaFrame meta = new MediaFrame(2, Codec.AMF0_METADATA, 0, 0, 1000, 0, 0, seq++, new byte[3]);
        cache.add(meta);
        cache.add(audio()); // before any keyframe: not a starting point
        cache.add(video(true, 100));
        cache.add(video(false, 10));
        MediaFrame k2 = video(true, 100);
        cache.add(k2);
        MediaFrame a = audio();
        cache.add(a);
        MediaFrame p = video(false, 10);
        cache.add(p);

        assertEquals(List.of(vc, ac, meta, k2, a, p), cache.snapshot());
        assertEquals(p.sequence(), cache.lastSequence());
        assertEquals(120, cache.gopBytes());
    }

    @Test
    void aGopOverTheByteBoundIsDroppedUntilTheNextKeyframe() {
        GopCache cache = new GopCache(100, 1000, MemoryBudget.unlimited());
        cache.add(video(true, 600));
        cache.add(video(false, 600)); // 1200 > 1000
        assertEquals(0, cache.gopFrames());
        cache.add(video(false, 10)); // still waiting for a keyframe
        assertEquals(0, cache.gopFrames());
        cache.add(video(true, 10));
        assertEquals(1, cache.gopFrames());
    }

    @Test
    void aGopOverTheFrameBoundIsDropped() {
        GopCache cache = new GopCache(3, 1 << 20, MemoryBudget.unlimited());
        cache.add(video(true, 1));
        cache.add(video(false, 1));
        cache.add(video(false, 1));
        assertEquals(3, cache.gopFrames());
        cache.add(video(false, 1));
        assertEquals(0, cache.gopFrames());
    }

    @Test
    void audioOnlyKeepsTheNewestFrame() {
        GopCache cache = new GopCache();
        cache.add(audio());
        MediaFrame last = audio();
        cache.add(last);
        assertEquals(List.of(last), cache.snapshot());
    }

    @Test
    void clearForgetsConfig() {
        GopCache cache = new GopCache();
        cache.add(config(0, Codec.H264));
        cache.add(video(true, 1));
        cache.clear();
        assertTrue(cache.snapshot().isEmpty());
    }

    @Test
    void dataMessagesAreNotKeptAndLeaveTheSnapshotAsItWas() {
        for (GopCache cache : List.of(new GopCache(), GopCache.ofSegments(2, 1000, 1 << 20, MemoryBudget.unlimited()))) {
            segmented(1, 5, 10).forEach(cache::add);
            MediaFrame meta = new MediaFrame(2, Codec.AMF0_METADATA, 0, 0, 1000, 0, 0, 100, new byte[3]);
            cache.add(meta);
            List<MediaFrame> before = cache.snapshot();
            long generation = cache.generation();
            cache.add(JsonMetadata.frame(JsonMetadata.CLIENT_TYPE, "{\"a\":1}", 900, 101));
            assertEquals(before, cache.snapshot());
            assertEquals(generation, cache.generation());
            assertEquals(101, cache.lastSequence());
            assertTrue(cache.snapshot().contains(meta), "onMetaData stays the metadata");
        }
    }

    private static List<MediaFrame> segmented(int segments, int framesPerSegment, int bytes) {
        Segmenter segmenter = new Segmenter(1000, 0, 0);
        List<MediaFrame> out = new java.util.ArrayList<>();
        long seq = 0;
        out.add(segmenter.place(new MediaFrame(0, Codec.H264, 0, 0, 1000, MediaFrame.FLAG_CONFIG, 0, seq++, new byte[4])));
        for (int s = 0; s < segments; s++) {
            for (int f = 0; f < framesPerSegment; f++) {
                long dts = s * 1000L + f * 1000L / framesPerSegment;
                out.add(segmenter.place(new MediaFrame(0, Codec.H264, dts, dts, 1000, f == 0 ? MediaFrame.FLAG_KEYFRAME : 0,
                        0, seq++, new byte[bytes])));
            }
        }
        return out;
    }

    @Test
    void aSegmentCacheKeepsTheLastCompleteSegmentsAndTheCurrentOne() {
        GopCache cache = GopCache.ofSegments(2, 1000, 1 << 20, MemoryBudget.unlimited());
        segmented(6, 10, 100).forEach(cache::add);
        List<MediaFrame> snapshot = cache.snapshot();
        assertTrue(snapshot.get(0).isConfig());
        assertEquals(31, snapshot.size(), "config + 2 complete segments + the current one");
        assertTrue(snapshot.get(1).isSegmentStart());
        assertEquals(3, snapshot.get(1).segmentIndex());
        assertEquals(3000, cache.gopBytes());
    }

    @Test
    void aSegmentCacheDropsOldSegmentsFirstWhenBytesRunOut() {
        GopCache cache = GopCache.ofSegments(5, 1000, 2_500, MemoryBudget.unlimited());
        segmented(6, 10, 100).forEach(cache::add);
        assertEquals(2000, cache.gopBytes(), "only whole segments are kept");
        assertEquals(4, cache.snapshot().get(1).segmentIndex());
    }

    @Test
    void aSegmentLargerThanTheBoundIsNotKeptAtAll() {
        GopCache cache = GopCache.ofSegments(5, 1000, 500, MemoryBudget.unlimited());
        segmented(3, 10, 100).forEach(cache::add);
        assertEquals(0, cache.gopBytes());
        assertEquals(1, cache.snapshot().size(), "config only: a subscriber waits for the next segment");
    }

    @Test
    void everyByteKeptIsCountedInTheBudgetAndGivenBackWhenDropped() {
        MemoryBudget budget = new MemoryBudget(1 << 20, 1 << 20);
        GopCache segmentsCache = GopCache.ofSegments(2, 1000, 1 << 20, budget);
        GopCache gopCache = new GopCache(budget);
        segmented(6, 10, 100).forEach(segmentsCache::add);
        gopCache.add(video(true, 500));
        gopCache.add(video(false, 50));
        assertEquals(3000 + 550, budget.caches.held());
        assertEquals(3550, budget.heapHeld());
        gopCache.add(video(true, 70));
        assertEquals(3070, budget.caches.held(), "the old GOP went back");
        segmentsCache.clear();
        gopCache.clear();
        assertEquals(0, budget.heapHeld());
    }

    @Test
    void overTheBudgetASegmentCacheKeepsOneCompleteSegmentAndAGopCacheNothing() {
        MemoryBudget budget = new MemoryBudget(10_000, 1 << 20);
        budget.windows.take(9_000); // another holder has most of it
        GopCache segmentsCache = GopCache.ofSegments(5, 1000, 1 << 20, budget);
        segmented(6, 10, 100).forEach(segmentsCache::add);
        assertTrue(budget.over());
        assertEquals(2000, segmentsCache.gopBytes(), "one complete segment and the current one");
        assertEquals(4, segmentsCache.snapshot().get(1).segmentIndex());
        assertEquals(4, budget.shrinks(), "segments 0 to 3 went for the budget");

        GopCache gopCache = new GopCache(budget);
        gopCache.add(video(true, 100));
        assertEquals(0, gopCache.gopFrames(), "new viewers wait for a keyframe rather than the node running out");
        budget.windows.give(9_000);
        assertTrue(!budget.over());
        gopCache.add(video(true, 100));
        assertEquals(1, gopCache.gopFrames());
    }
}
