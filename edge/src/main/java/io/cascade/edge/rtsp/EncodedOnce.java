package io.cascade.edge.rtsp;

import io.cascade.edge.fanout.FrameEncoder;
import io.cascade.media.MediaFrame;
import io.cascade.media.TrackType;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Gives a frame the bytes it was first encoded to, whenever it is encoded again. The fan-out encodes the GOP once
 * more for a viewer who joins after it started; RTP packets carry sequence numbers (and TS packets continuity
 * counters), so encoding a frame twice would make a gap in what the viewers already watching receive. The frames of
 * the current GOP are kept by identity, at most {@link #MAX_FRAMES}, forgotten at each keyframe.
 */
final class EncodedOnce implements FrameEncoder {
    /** As many frames as the GOP cache holds: the fan-out never asks again for an older one. */
    static final int MAX_FRAMES = io.cascade.media.GopCache.DEFAULT_MAX_FRAMES;

    private final FrameEncoder encoder;
    private final Map<MediaFrame, byte[]> encoded = new IdentityHashMap<>();

    EncodedOnce(FrameEncoder encoder) {
        this.encoder = encoder;
    }

    @Override
    public byte[] encode(MediaFrame frame, long timestampMillis) {
        if (encoded.containsKey(frame)) {
            return encoded.get(frame);
        }
        if (frame.trackType() == TrackType.VIDEO && frame.isKeyframe() && !frame.isConfig()
                || encoded.size() >= MAX_FRAMES) {
            encoded.clear();
        }
        byte[] bytes = encoder.encode(frame, timestampMillis);
        encoded.put(frame, bytes);
        return bytes;
    }

    @Override
    public void publishEnded() {
        encoded.clear();
        encoder.publishEnded();
    }
}
