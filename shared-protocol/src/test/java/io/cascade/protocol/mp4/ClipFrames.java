package io.cascade.protocol.mp4;

import io.cascade.media.MediaFrame;
import io.cascade.protocol.rtmp.chunk.RtmpMessage;
import io.cascade.protocol.rtmp.frames.RtmpToFrames;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The committed clip testsrc2-320x240-h264-aac.flv (see {@link CmafFixture}) as the frames a publisher sending it over
 * RTMP makes: each tag becomes the RTMP message it would be, through {@link RtmpToFrames}, in file order (metadata,
 * configs, then 50 video frames with B-frames and 94 mono 48 kHz AAC frames).
 */
public final class ClipFrames {
    public static final int VIDEO_FRAMES = CmafFixture.VIDEO_FRAMES;

    private ClipFrames() {
    }

    public static List<MediaFrame> load() throws Exception {
        byte[] flv;
        try (InputStream in = ClipFrames.class.getResourceAsStream("testsrc2-320x240-h264-aac.flv")) {
            flv = in.readAllBytes();
        }
        RtmpToFrames toFrames = new RtmpToFrames();
        List<MediaFrame> frames = new ArrayList<>();
        for (int p = 9 + 4; p + 11 <= flv.length; ) {
            int type = flv[p] & 0x1F;
            int size = (flv[p + 1] & 0xFF) << 16 | (flv[p + 2] & 0xFF) << 8 | (flv[p + 3] & 0xFF);
            long timestamp = (flv[p + 7] & 0xFFL) << 24 | (flv[p + 4] & 0xFF) << 16 | (flv[p + 5] & 0xFF) << 8
                    | (flv[p + 6] & 0xFF);
            byte[] body = Arrays.copyOfRange(flv, p + 11, p + 11 + size);
            MediaFrame f = toFrames.convert(new RtmpMessage(4, type, 1, timestamp, body));
            if (f != null) {
                frames.add(f);
            }
            p += 11 + size + 4;
        }
        return frames;
    }
}
