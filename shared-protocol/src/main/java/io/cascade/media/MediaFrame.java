package io.cascade.media;

import java.util.Objects;

/**
 * One immutable unit of media travelling from ingest to every viewer: an access unit, a decoder configuration
 * or a metadata record.
 *
 * <p>Timestamps are in {@link #timescale()} units and are never re-derived from rounded values. The payload
 * array is shared by every consumer of the frame and must never be written after construction: the
 * constructor takes ownership of it, and {@link #payload()} hands out the same array for zero-copy reads.
 */
public final class MediaFrame {
    public static final int FLAG_KEYFRAME = 1;
    /** The payload is decoder configuration (AVC/HEVC record, AudioSpecificConfig), not an access unit. */
    public static final int FLAG_CONFIG = 1 << 1;
    /** The timeline does not continue from the previous frame (republish, source switch). */
    public static final int FLAG_DISCONTINUITY = 1 << 2;
    /** The frame starts a new segment; {@link #segmentIndex()} is its number. */
    public static final int FLAG_SEGMENT_START = 1 << 3;
    /** {@link #segmentIndex()} of frames that belong to no segment (before the first keyframe of a publish). */
    public static final long NO_SEGMENT = -1;

    private final int track;
    private final Codec codec;
    private final long dts;
    private final long pts;
    private final int timescale;
    private final int flags;
    private final long segmentIndex;
    private final long sequence;
    private final long clockAnchorMillis;
    private final byte[] payload;

    public MediaFrame(int track, Codec codec, long dts, long pts, int timescale, int flags, long segmentIndex,
                      long sequence, byte[] payload) {
        this(track, codec, dts, pts, timescale, flags, segmentIndex, sequence, 0, payload);
    }

    public MediaFrame(int track, Codec codec, long dts, long pts, int timescale, int flags, long segmentIndex,
                      long sequence, long clockAnchorMillis, byte[] payload) {
        if (timescale <= 0) {
            throw new IllegalArgumentException("timescale must be positive: " + timescale);
        }
        this.track = track;
        this.codec = Objects.requireNonNull(codec, "codec");
        this.dts = dts;
        this.pts = pts;
        this.timescale = timescale;
        this.flags = flags;
        this.segmentIndex = segmentIndex;
        this.sequence = sequence;
        this.clockAnchorMillis = clockAnchorMillis;
        this.payload = Objects.requireNonNull(payload, "payload");
    }

    /** Track number within the stream (0 video, 1 audio, 2 data for RTMP sources). */
    public int track() {
        return track;
    }

    public Codec codec() {
        return codec;
    }

    public TrackType trackType() {
        return codec.trackType();
    }

    public long dts() {
        return dts;
    }

    public long pts() {
        return pts;
    }

    public int timescale() {
        return timescale;
    }

    public int flags() {
        return flags;
    }

    public long segmentIndex() {
        return segmentIndex;
    }

    /** Per-stream, strictly increasing number: lets a subscriber join a snapshot and the live feed with no gap or duplicate. */
    public long sequence() {
        return sequence;
    }

    /**
     * On segment starts: the wall clock (epoch milliseconds) at dts 0 of the stream, fixed where it is ingested, so
     * every node maps media time to the same program date-time; 0 on other frames.
     */
    public long clockAnchorMillis() {
        return clockAnchorMillis;
    }

    /** This frame placed in segment {@code index} (starting it when {@code start}), sharing the payload. */
    public MediaFrame inSegment(long index, boolean start, boolean discontinuity, long anchorMillis) {
        int f = flags | (start ? FLAG_SEGMENT_START : 0) | (discontinuity ? FLAG_DISCONTINUITY : 0);
        return new MediaFrame(track, codec, dts, pts, timescale, f, index, sequence, start ? anchorMillis : 0, payload);
    }

    /** This frame with another {@link #sequence()}, sharing the payload. */
    public MediaFrame withSequence(long newSequence) {
        return newSequence == sequence ? this : new MediaFrame(track, codec, dts, pts, timescale, flags, segmentIndex,
                newSequence, clockAnchorMillis, payload);
    }

    /** This frame {@code delta} timescale units later, sharing the payload. */
    public MediaFrame shifted(long delta) {
        return delta == 0 ? this : new MediaFrame(track, codec, dts + delta, pts + delta, timescale, flags, segmentIndex,
                sequence, clockAnchorMillis, payload);
    }

    /** The shared payload: read it, never write it. */
    public byte[] payload() {
        return payload;
    }

    public boolean isKeyframe() {
        return (flags & FLAG_KEYFRAME) != 0;
    }

    public boolean isConfig() {
        return (flags & FLAG_CONFIG) != 0;
    }

    public boolean isDiscontinuity() {
        return (flags & FLAG_DISCONTINUITY) != 0;
    }

    public boolean isSegmentStart() {
        return (flags & FLAG_SEGMENT_START) != 0;
    }

    /**
     * A message of the stream's data channel ({@link Codec#JSON_METADATA}): it stands alone (nothing before it is
     * needed to use it), GOP caches do not keep it, and only metadata subscribers get it.
     */
    public boolean isDataMessage() {
        return codec == Codec.JSON_METADATA;
    }

    /** Decode timestamp converted to milliseconds (for RTMP output only; never fed back into the timeline). */
    public long dtsMillis() {
        return timescale == 1000 ? dts : Math.floorDiv(dts * 1000, timescale);
    }

    /** Composition offset (pts - dts) in milliseconds. */
    public int compositionOffsetMillis() {
        long diff = pts - dts;
        return (int) (timescale == 1000 ? diff : Math.floorDiv(diff * 1000, timescale));
    }


    @Override
    public String toString() {
        return "MediaFrame{" + codec + " track=" + track + " dts=" + dts + " pts=" + pts + "/" + timescale
                + " flags=" + flags + " segment=" + segmentIndex + " seq=" + sequence + " bytes=" + payload.length + '}';
    }
}
