package io.cascade.edge;

import io.cascade.media.MediaFrame;

/**
 * One output of a {@link StreamHub} (RTMP fan-out, HLS packager...). Called on the hub's event loop, in stream
 * order; must not block.
 */
public interface FrameSink {
    /** A frame of the live stream. */
    void onFrame(MediaFrame frame);

    /** The stream went live (first publish or republish); the hub's snapshot now holds its config. */
    void onStarted();

    /** The publisher went away; frames resume after the next {@link #onStarted()}. */
    void onStopped();

    /** The hub closes (no viewers left); release everything. */
    void onClosed();
}
