package io.cascade.protocol.rtmp.frames;

import io.cascade.media.MediaFrame;
import io.cascade.media.TrackType;
import io.cascade.protocol.flv.FlvTags;
import io.cascade.protocol.rtmp.chunk.ChunkEncoder;
import io.cascade.protocol.rtmp.message.MessageType;
import io.cascade.protocol.rtmp.session.RtmpSession;

/**
 * Builds the complete chunked RTMP message of a frame: the from-frames half of RTMP, beside {@link RtmpToFrames},
 * usable by the edge's viewers and by a relay pushing to another server alike. Every message starts with a full
 * (fmt 0) header, so its bytes depend only on the frame, the message stream id and the timestamp: one encoding
 * serves every viewer.
 */
public final class FramesToRtmp {
    private final ChunkEncoder encoder = new ChunkEncoder(RtmpSession.OUT_CHUNK_SIZE);

    /** The chunked message; {@code timestampMillis} is the frame's (possibly rebased) decode time. */
    public byte[] encode(MediaFrame f, int messageStreamId, long timestampMillis) {
        int csid;
        int type;
        switch (f.trackType()) {
            case VIDEO -> {
                csid = RtmpSession.CSID_VIDEO;
                type = MessageType.VIDEO;
            }
            case AUDIO -> {
                csid = RtmpSession.CSID_AUDIO;
                type = MessageType.AUDIO;
            }
            default -> {
                csid = RtmpSession.CSID_STATUS;
                type = MessageType.DATA_AMF0;
            }
        }
        byte[] head = FlvTags.bodyHeader(f);
        // metadata goes at timestamp 0, as FMS and nginx-rtmp send it: ffmpeg's FLV reader takes script data at a
        // later timestamp for a data stream of its own, which a player then waits on forever (-map 0 -t never ends)
        long ts = f.trackType() == TrackType.DATA ? 0 : timestampMillis & 0xFFFFFFFFL;
        byte[] payload = f.payload();
        byte[] out = new byte[encoder.encodedLength(csid, ts, head.length + payload.length)];
        encoder.encode(csid, type, messageStreamId, ts, head, payload, 0, payload.length, out, 0);
        return out;
    }
}
