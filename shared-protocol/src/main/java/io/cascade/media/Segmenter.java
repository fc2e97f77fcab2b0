package io.cascade.media;

/**
 * Decides, once and where a stream is ingested, where its segments start and what they are numbered, so that every
 * node packaging the stream (HLS, DASH, files) cuts the same segments with the same names.
 *
 * <p>A segment starts at the first video keyframe at least the target duration after the current segment's start
 * (so segments are whole GOPs and may run longer than the target when keyframes are sparse); a stream without video
 * cuts at audio frames, every one of which is a random access point. Frames before a publish's first cut belong to
 * no segment. The first segment of every publish is marked as a discontinuity, and every segment start carries
 * the stream's clock anchor, which maps media time to the wall clock identically everywhere.
 *
 * <p>Not thread-safe: one publisher's context feeds it.
 */
public final class Segmenter {
    /** The HLS authoring guidelines' 2 s default is short enough to start fast, long enough to cost little. */
    public static final long DEFAULT_TARGET_MILLIS = 2_000;

    private final long targetMillis;
    private long nextIndex;
    private long currentIndex = MediaFrame.NO_SEGMENT;
    private long currentStartMillis;
    private boolean hasVideo;
    private boolean firstOfPublish = true;
    private final long clockAnchorMillis;

    /**
     * @param firstIndex        the number of this publish's first segment: the numbering continues across publishes
     * @param clockAnchorMillis wall clock (epoch ms) at media time 0 of the stream
     */
    public Segmenter(long targetMillis, long firstIndex, long clockAnchorMillis) {
        if (targetMillis <= 0) {
            throw new IllegalArgumentException("segment target duration must be positive: " + targetMillis);
        }
        this.targetMillis = targetMillis;
        this.nextIndex = firstIndex;
        this.clockAnchorMillis = clockAnchorMillis;
    }

    /** The frame with its segment number, and marked when it starts a segment. */
    public MediaFrame place(MediaFrame frame) {
        if (frame.isConfig() && frame.trackType() == TrackType.VIDEO) {
            hasVideo = true;
        }
        if (cutsHere(frame)) {
            currentIndex = nextIndex++;
            currentStartMillis = frame.dtsMillis();
            MediaFrame placed = frame.inSegment(currentIndex, true, firstOfPublish, clockAnchorMillis);
            firstOfPublish = false;
            return placed;
        }
        return frame.segmentIndex() == currentIndex ? frame : frame.inSegment(currentIndex, false, false, 0);
    }

    private boolean cutsHere(MediaFrame f) {
        if (f.isConfig()) {
            return false;
        }
        boolean randomAccess = switch (f.trackType()) {
            case VIDEO -> f.isKeyframe();
            case AUDIO -> !hasVideo;
            case DATA -> false;
        };
        return randomAccess
                && (currentIndex == MediaFrame.NO_SEGMENT || f.dtsMillis() - currentStartMillis >= targetMillis);
    }

    /** The number the next segment will get: where a later publish of the stream continues. */
    public long nextIndex() {
        return nextIndex;
    }

    public long targetMillis() {
        return targetMillis;
    }
}
