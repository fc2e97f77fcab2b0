package io.cascade.media;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/**
 * A media file opened for playback (MP4 or FLV): the decoder configuration of its tracks and an index of its samples
 * in decode order across tracks, each read from the file only when asked for.
 *
 * <p>Frames come out exactly as a live publish of the same media would carry them (see {@link Codec}): track 0 video,
 * track 1 audio, H.264/H.265 with 4-byte NAL lengths, raw AAC, config records as config frames; timestamps in the
 * track's own timescale, starting where the file starts them. So every output that plays a live stream plays a file
 * the same way.
 *
 * <p>Opening reads only the index (bounded by the reader's named limits); {@link #read} does one positional read, so
 * callers keep it off event loops. Implementations are not thread-safe.
 */
public interface MediaFile extends Closeable {
    /** Video, then audio: one config frame ({@link MediaFrame#FLAG_CONFIG}, dts 0) per track the file carries. */
    List<MediaFrame> configs();

    /** Samples in the index; at least one when the file opened. */
    int sampleCount();

    /** The index entry of sample {@code i} (0 <= i < {@link #sampleCount()}), in decode order across tracks. */
    Sample sample(int i);

    /** Sample {@code i} with its payload read from the file. */
    MediaFrame read(int i) throws IOException;

    /** From the first sample's start to the last sample's end, in milliseconds. */
    long durationMillis();

    /**
     * Where playback from {@code millis} starts: the last video keyframe at or before it, so what follows decodes
     * (in a file without video, where every sample is a sync sample: the last sample at or before it); the first
     * sample for 0 or less, the last keyframe past the end. The default walks the index once: readers whose index is
     * in decode order, as both file readers' are, give the same answer to every caller.
     */
    default int seekIndex(long millis) {
        boolean hasVideo = configs().stream().anyMatch(c -> c.trackType() == TrackType.VIDEO);
        int best = 0;
        for (int i = 0; i < sampleCount(); i++) {
            Sample s = sample(i);
            if (s.millis() > millis) {
                break;
            }
            if (!hasVideo || (s.video() && s.keyframe())) {
                best = i;
            }
        }
        return best;
    }

    /**
     * One entry of the index.
     *
     * @param track       0 video, 1 audio
     * @param dts         decode time in {@code timescale} units
     * @param pts         presentation time in {@code timescale} units
     * @param timescale   units per second
     * @param keyframe    a sync sample (always true for audio)
     * @param offset      where the sample's bytes start in the file
     * @param size        how many bytes it has there
     */
    record Sample(int track, long dts, long pts, int timescale, boolean keyframe, long offset, int size) {
        public boolean video() {
            return track == 0;
        }

        /** Decode time in milliseconds. */
        public long millis() {
            return Math.floorDiv(dts * 1000, timescale);
        }
    }
}
