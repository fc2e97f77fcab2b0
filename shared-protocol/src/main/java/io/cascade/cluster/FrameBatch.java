package io.cascade.cluster;

import io.cascade.media.MediaFrame;

import java.util.List;

/**
 * A stream's start-up state as one reply: the current config and metadata frames followed by the frames of
 * the current GOP, in sequence order. {@code lastSequence} is the sequence of the newest frame the ingest had
 * produced when the snapshot was taken, so a subscriber can drop live frames it already has; {@code publish} is
 * the id of the publish the snapshot belongs to (see {@link StreamEvent}). Where segments are kept (see
 * {@code GopCache.ofSegments}) the frames are those of the last few segments; {@code publishOrdinal} counts the
 * publishes of the stream before this one (the discontinuity sequence of its segments) and
 * {@code segmentTargetMillis} is the target segment duration the ingest cuts at.
 */
public record FrameBatch(List<MediaFrame> frames, long lastSequence, String publish, long publishOrdinal,
                         long segmentTargetMillis) {
    public FrameBatch {
        frames = List.copyOf(frames);
    }
}
