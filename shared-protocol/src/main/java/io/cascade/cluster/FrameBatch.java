package io.cascade.cluster;

import io.cascade.media.MediaFrame;

import java.util.List;

/**
 * A stream's start-up state as one reply: the current config and metadata frames followed by the frames of
 * the current GOP, in sequence order. {@code lastSequence} is the sequence of the newest frame the ingest had
 * produced when the snapshot was taken, so a subscriber can drop live frames it already has; {@code publish} is
 * the id of the publish the snapshot belongs to (see {@link StreamEvent}).
 */
public record FrameBatch(List<MediaFrame> frames, long lastSequence, String publish) {
    public FrameBatch {
        frames = List.copyOf(frames);
    }
}
