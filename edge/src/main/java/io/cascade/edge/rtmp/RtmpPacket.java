package io.cascade.edge.rtmp;

import io.cascade.media.MediaFrame;
import io.netty.buffer.ByteBuf;

/**
 * A frame ready for RTMP viewers: the chunked bytes for message stream 1, built once and shared (read-only:
 * viewers write views of it).
 *
 * @param timestamp    the RTMP timestamp used (the frame's, shifted after a republish)
 * @param randomAccess a viewer that skipped frames may resume here (video keyframe, or audio of an audio-only stream)
 * @param essential    config or metadata: tiny and needed to decode anything, never skipped
 */
record RtmpPacket(MediaFrame frame, long timestamp, ByteBuf shared, boolean randomAccess, boolean essential) {
    /** The message stream id {@link #shared} is encoded for; what every common client gets from createStream. */
    static final int SHARED_STREAM_ID = 1;
}
