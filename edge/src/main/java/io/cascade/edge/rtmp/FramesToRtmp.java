package io.cascade.edge.rtmp;

import io.cascade.media.MediaFrame;
import io.cascade.protocol.flv.FlvTags;
import io.cascade.protocol.rtmp.chunk.ChunkEncoder;
import io.cascade.protocol.rtmp.message.MessageType;
import io.cascade.protocol.rtmp.session.RtmpSession;

/**
 * Builds the complete chunked RTMP message of a frame. Every message starts with a full (fmt 0) header, so its
 * bytes depend only on the frame, the message stream id and the timestamp: one encoding serves every viewer.
 */
public final class FramesToRtmp {
    private static final byte[] NO_HEAD = new byte[0];
    private final ChunkEncoder encoder = new ChunkEncoder(RtmpSession.OUT_CHUNK_SIZE);

    /** The chunked message; {@code timestampMillis} is the frame's (possibly rebased) decode time. */
    public byte[] encode(MediaFrame f, int messageStreamId, long timestampMillis) {
        int csid;
        int type;
        byte[] head;
        switch (f.trackType()) {
            case VIDEO -> {
                csid = RtmpSession.CSID_VIDEO;
                type = MessageType.VIDEO;
                head = FlvTags.videoHeader(f.codec(), f.isConfig(), f.isKeyframe() || f.isConfig(),
                        f.compositionOffsetMillis());
            }
            case AUDIO -> {
                csid = RtmpSession.CSID_AUDIO;
                type = MessageType.AUDIO;
                head = FlvTags.audioHeader(f.codec(), f.isConfig());
            }
            default -> {
                csid = RtmpSession.CSID_STATUS;
                type = MessageType.DATA_AMF0;
                head = NO_HEAD;
            }
        }
        long ts = timestampMillis & 0xFFFFFFFFL;
        byte[] payload = f.payload();
        byte[] out = new byte[encoder.encodedLength(csid, ts, head.length + payload.length)];
        encoder.encode(csid, type, messageStreamId, ts, head, payload, 0, payload.length, out, 0);
        return out;
    }
}
