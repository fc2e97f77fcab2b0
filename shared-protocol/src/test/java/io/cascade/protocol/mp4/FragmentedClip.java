package io.cascade.protocol.mp4;

import io.cascade.media.MediaFrame;
import io.cascade.media.TrackType;

import java.io.ByteArrayOutputStream;
import java.util.List;

/** The committed clip written as a recording writes an MP4 part: {@link Mp4FileWriter}'s fragmented form. */
public final class FragmentedClip {
    private FragmentedClip() {
    }

    /** The clip's decoder configuration of that track. */
    public static MediaFrame config(List<MediaFrame> frames, TrackType type) {
        return frames.stream().filter(f -> f.isConfig() && f.trackType() == type).findFirst().orElseThrow();
    }

    /**
     * The frames through a writer of these configurations (either may be null), each at its own time, the init
     * segment and every fragment to {@code fragmented}; returns the writer, finished.
     */
    public static Mp4FileWriter write(List<MediaFrame> frames, MediaFrame video, MediaFrame audio,
                                      ByteArrayOutputStream fragmented) {
        Mp4FileWriter w = new Mp4FileWriter(video, audio);
        fragmented.writeBytes(w.initSegment());
        for (MediaFrame f : frames) {
            byte[] out = w.add(f, f.dtsMillis());
            if (out != null) {
                fragmented.writeBytes(out);
            }
        }
        byte[] last = w.finish();
        if (last != null) {
            fragmented.writeBytes(last);
        }
        return w;
    }

    /** The whole clip, both tracks, as the bytes of a part. */
    public static byte[] bytes(List<MediaFrame> frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(frames, config(frames, TrackType.VIDEO), config(frames, TrackType.AUDIO), out);
        return out.toByteArray();
    }
}
