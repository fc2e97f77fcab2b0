package io.cascade.media;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a new viewer needs to start at once: the latest decoder config of each track, the latest metadata, and
 * every frame since the last video keyframe. Bounded in frames and bytes; a GOP that outgrows the bounds is
 * dropped (new viewers then wait for the next keyframe) rather than kept at any cost.
 *
 * <p>Not thread-safe: one owner (the stream's ingest or hub context) feeds and reads it.
 */
public final class GopCache {
    /** A 10 s GOP of 60 fps video plus 48 kHz AAC (about 470 frames per 10 s) fits with room to spare. */
    public static final int DEFAULT_MAX_FRAMES = 2048;
    /** A 10 s GOP at about 12 Mbit/s. */
    public static final long DEFAULT_MAX_BYTES = 16L << 20;

    private final int maxFrames;
    private final long maxBytes;
    private final Map<Integer, MediaFrame> configByTrack = new TreeMap<>();
    private final List<MediaFrame> gop = new ArrayList<>();
    private MediaFrame metadata;
    private long gopBytes;
    private boolean hasVideo;
    private long lastSequence = -1;

    public GopCache() {
        this(DEFAULT_MAX_FRAMES, DEFAULT_MAX_BYTES);
    }

    public GopCache(int maxFrames, long maxBytes) {
        this.maxFrames = maxFrames;
        this.maxBytes = maxBytes;
    }

    public void add(MediaFrame f) {
        lastSequence = f.sequence();
        if (f.isConfig()) {
            configByTrack.put(f.track(), f);
            return;
        }
        switch (f.trackType()) {
            case DATA -> metadata = f;
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
            return; // no keyframe to start from yet, or the GOP overflowed: wait for the next one
        }
        if (gop.size() + 1 > maxFrames || gopBytes + f.payload().length > maxBytes) {
            clearGop();
            return;
        }
        gop.add(f);
        gopBytes += f.payload().length;
    }

    private void clearGop() {
        gop.clear();
        gopBytes = 0;
    }

    /** Config frames (by track), the metadata, then the GOP: everything in the order a player needs it. */
    public List<MediaFrame> snapshot() {
        List<MediaFrame> out = new ArrayList<>(configByTrack.size() + 1 + gop.size());
        out.addAll(configByTrack.values());
        if (metadata != null) {
            out.add(metadata);
        }
        out.addAll(gop);
        return out;
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
        configByTrack.clear();
        metadata = null;
        clearGop();
        hasVideo = false;
    }
}
