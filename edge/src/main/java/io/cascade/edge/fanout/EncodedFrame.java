package io.cascade.edge.fanout;

import io.cascade.media.MediaFrame;
import io.netty.buffer.ByteBuf;

/**
 * A frame in one protocol's bytes, built once per stream on this node and written to every viewer of that
 * protocol (read-only: viewers write views of it).
 *
 * @param frame           the frame it was built from
 * @param timestampMillis the viewer-facing decode time used (the frame's, continued across republishes)
 * @param bytes           the shared encoding
 * @param randomAccess    a viewer that skipped frames may resume here (video keyframe, audio of an audio-only stream)
 * @param essential       config or metadata: tiny and needed to decode anything, never skipped
 */
public record EncodedFrame(MediaFrame frame, long timestampMillis, ByteBuf bytes, boolean randomAccess,
                           boolean essential) {
}
