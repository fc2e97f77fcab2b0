package io.cascade.edge.fanout;

import io.cascade.media.MediaFrame;

/**
 * What a viewer protocol brings to the fan-out: a frame in its wire format. One encoder serves one stream on this
 * node and is called once per frame, on the stream's hub; whatever it returns goes to every viewer of the protocol.
 */
@FunctionalInterface
public interface FrameEncoder {
    /**
     * The frame's bytes with the given viewer-facing timestamp, or null when the protocol sends nothing for it.
     */
    byte[] encode(MediaFrame frame, long timestampMillis);

    /**
     * The publisher went away: whatever the encoder keeps about the publish (codec configurations, timing) is
     * stale, since the next publish may differ. Frames of the next publish follow, its config first.
     */
    default void publishEnded() {
    }
}
