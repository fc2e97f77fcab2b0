package io.cascade.media;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a new viewer needs to start at once: the latest decoder config of each track, the latest metadata, and
 * every frame since the last video keyframe. Bounded in frames and bytes; a GOP that outgrows the bounds is
 * dropped (new viewers then wait for the next keyframe) rather than kept at any cost.
 *
 * <p>Where a stream is ingested the cache keeps whole segments instead ({@link #ofSegments}): the last few complete
 * ones and the one in progress, so a node that starts packaging the stream can list the same segments as nodes
 * that have packaged it all along. The oldest segment goes first when a bound is reached.
 *
 * <p>Data messages ({@link MediaFrame#isDataMessage}) are not kept: they leave the snapshot and the
 * {@link #generation} as they were, so a derived copy of the snapshot must leave them out too.
 *
 * <p>Every byte kept is counted in the node's {@link MemoryBudget}; while the budget is over its limit, a segment
 * cache keeps one complete segment besides the one in progress, and a GOP cache keeps nothing (new viewers wait for
 * the next keyframe).
 *
 * <p>Not thread-safe: one owner (the stream's ingest or hub context) feeds and reads it.
 */
public final class GopCache {
    /** A 10 s GOP of 60 fps video plus 48 kHz AAC (about 470 frames per 10 s) fits with room to spare. */
    public static final int DEFAULT_MAX_FRAMES = 2048;
    /** A 10 s GOP at about 12 Mbit/s. */
    public static final long DEFAULT_MAX_BYTES = 16L << 20;

    /** Complete segments a segment cache keeps besides the one in progress: a 6-segment playlist window. */
    public static final int DEFAULT_SEGMENTS_KEPT = 6;
    /** Frames in a segment cache: within the cluster's frame batch limit (4096), 12 s of 60 fps video plus audio. */
    public static final int SEGMENT_CACHE_MAX_FRAMES = 4000;
    /** Bytes in a segment cache: 14 s at about 18 Mbit/s. */
    public static final long SEGMENT_CACHE_MAX_BYTES = 32L << 20;

    private final int maxFrames;
    private final long maxBytes;
    private final MemoryBudget budget;
    /** 0: keep the current GOP; more: keep this many complete segments and the current one. */
    private final int segmentsKept;
    private final Map<Integer, MediaFrame> configByTrack = new TreeMap<>();
    private final ArrayDeque<MediaFrame> gop = new ArrayDeque<>();
    /** Segment caches only: frames and bytes of each segment held, oldest first, as {frames, bytes}. */
    private final ArrayDeque<long[]> segments = new ArrayDeque<>();
    private MediaFrame metadata;
    private long gopBytes;
    private boolean hasVideo;
    private long lastSequence = -1;
    /** Changes whenever an add does anything but append its frame to the snapshot (see {@link #generation}). */
    private long generation;

    public GopCache() {
        this(MemoryBudget.unlimited());
    }

    public GopCache(MemoryBudget budget) {
        this(DEFAULT_MAX_FRAMES, DEFAULT_MAX_BYTES, budget);
    }

    public GopCache(int maxFrames, long maxBytes, MemoryBudget budget) {
        this(maxFrames, maxBytes, 0, budget);
    }

    private GopCache(int maxFrames, long maxBytes, int segmentsKept, MemoryBudget budget) {
        this.maxFrames = maxFrames;
        this.maxBytes = maxBytes;
        this.segmentsKept = segmentsKept;
        this.budget = budget;
    }

    /** A cache of the last {@code segmentsKept} complete segments and the one in progress (frames placed by a {@link Segmenter}). */
    public static GopCache ofSegments(int segmentsKept, int maxFrames, long maxBytes, MemoryBudget budget) {
        if (segmentsKept < 1) {
            throw new IllegalArgumentException("a segment cache keeps at least one complete segment: " + segmentsKept);
        }
        return new GopCache(maxFrames, maxBytes, segmentsKept, budget);
    }

    public void add(MediaFrame f) {
        lastSequence = f.sequence();
        if (f.isDataMessage()) {
            return; // a message is for whoever is there when it comes: not kept, and the snapshot is unchanged
        }
        if (f.isConfig()) {
            configByTrack.put(f.track(), f);
            generation++;
            return;
        }
        if (segmentsKept > 0 && f.trackType() != TrackType.DATA) {
            addToSegment(f);
            return;
        }
        switch (f.trackType()) {
            case DATA -> {
                metadata = f;
                generation++;
            }
            case VIDEO -> {
                hasVideo = true;
                if (f.isKeyframe()) {
                    clearGop();
                }
                append(f);
            }
            case AUDIO -> {
                if (!hasVideo) {
                    // Audio-only: every AAC frame is a random access point, the newest one is enough.
                    clearGop();
                }
                append(f);
            }
        }
    }

    private void append(MediaFrame f) {
        if (gop.isEmpty() && hasVideo && !f.isKeyframe()) {
            generation++; // not kept: the snapshot is not this frame appended
            return; // no keyframe to start from yet, or the GOP overflowed: wait for the next one
        }
        if (gop.size() + 1 > maxFrames || gopBytes + f.payload().length > maxBytes) {
            clearGop();
            return;
        }
        if (budget.over()) {
            budget.shrunk();
            clearGop();
            return;
        }
        gop.add(f);
        hold(f.payload().length);
    }

    private void addToSegment(MediaFrame f) {
        if (f.isSegmentStart()) {
            segments.add(new long[2]);
            while (segments.size() > segmentsKept + 1) {
                dropOldestSegment();
            }
        }
        if (segments.isEmpty()) {
            generation++;
            return; // before the first cut of the publish, or waiting for the next one after an overflow
        }
        int size = f.payload().length;
        while (segments.size() > 1 && (gop.size() + 1 > maxFrames || gopBytes + size > maxBytes)) {
            dropOldestSegment();
        }
        while (segments.size() > 2 && budget.over()) {
            budget.shrunk();
            dropOldestSegment();
        }
        if (gop.size() + 1 > maxFrames || gopBytes + size > maxBytes) {
            clearGop(); // one segment larger than the bounds: nothing to offer until the next one starts
            return;
        }
        gop.add(f);
        hold(size);
        long[] current = segments.peekLast();
        current[0]++;
        current[1] += size;
    }

    private void dropOldestSegment() {
        generation++;
        long[] oldest = segments.poll();
        for (long i = 0; i < oldest[0]; i++) {
            gop.poll();
        }
        hold(-oldest[1]);
    }

    private void clearGop() {
        generation++;
        gop.clear();
        segments.clear();
        hold(-gopBytes);
    }

    private void hold(long bytes) {
        gopBytes += bytes;
        budget.caches.take(bytes);
    }

    /** Config frames (by track), the metadata, then the GOP (or segments): everything in the order a player needs it. */
    public List<MediaFrame> snapshot() {
        List<MediaFrame> out = new ArrayList<>(configByTrack.size() + 1 + gop.size());
        out.addAll(configByTrack.values());
        if (metadata != null) {
            out.add(metadata);
        }
        out.addAll(gop);
        return out;
    }

    /**
     * Stays the same for as long as each add only appends its frame to the end of the {@link #snapshot} (or is a
     * data message, which no snapshot holds): whoever keeps a derived copy of the snapshot (encoded for a protocol,
     * say) may extend it frame by frame, data messages left out, while this holds, and must rebuild it when it
     * changes.
     */
    public long generation() {
        return generation;
    }

    /** Sequence of the newest frame seen, -1 before the first. */
    public long lastSequence() {
        return lastSequence;
    }

    public int gopFrames() {
        return gop.size();
    }

    /** Bytes held by the GOP (config and metadata are a few hundred bytes and not counted). */
    public long gopBytes() {
        return gopBytes;
    }

    /** Forgets everything: the publisher went away and a republish may change codecs. */
    public void clear() {
        generation++;
        configByTrack.clear();
        metadata = null;
        clearGop();
        hasVideo = false;
    }
}
