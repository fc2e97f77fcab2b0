package io.cascade.edge;

import io.cascade.cluster.FrameBatch;
import io.cascade.media.MediaFrame;

/**
 * One output of a {@link StreamHub} (RTMP fan-out, HLS packager...). Called on the hub's event loop, in stream
 * order; must not block.
 */
public interface FrameSink {
    /**
     * The hub joined the stream (or joined it again): everything the ingesting node still holds of it (config,
     * metadata, its recent segments) and the publish's segment numbering, before any later frame. Frames in it may
     * have been seen before: compare {@link MediaFrame#sequence()}.
     */
    default void onSnapshot(FrameBatch batch) {
    }

    /** A frame of the live stream. */
    void onFrame(MediaFrame frame);

    /** The stream went live (first publish or republish); the hub's snapshot now holds its config. */
    void onStarted();

    /** The publisher went away; frames resume after the next {@link #onStarted()}. */
    void onStopped();

    /** The hub closes (no viewers left); release everything. */
    void onClosed();
}
