package io.cascade.packaging;

import io.cascade.media.MediaFrame;
import io.cascade.media.TrackType;

import java.util.List;

/**
 * One complete segment as the ingest node cut it: its frames, the decoder configuration in force and where it sits
 * in the stream's timeline. Immutable; its packaged forms (CMAF per track, MPEG-TS, encrypted TS) are built the
 * first time someone asks and then kept, so a segment is packaged at most once per node whatever the viewers.
 *
 * @param index          the segment number the ingest node gave it
 * @param publishOrdinal how many publishes of the stream came before its own (its discontinuity sequence)
 * @param discontinuity  the first segment of a publish
 * @param clockAnchorMillis wall clock (epoch ms) of dts 0 of its publish
 * @param frames         its audio and video frames in ingest order
 * @param startMillis    media time of its first frame
 * @param durationMillis up to the start of the next segment (estimated for the last one of a publish)
 * @param videoEnd       dts (in the frames' timescale) where its last video frame ends
 */
public record Segment(long index, long publishOrdinal, boolean discontinuity, long clockAnchorMillis,
                      MediaFrame videoConfig, MediaFrame audioConfig, List<MediaFrame> frames, long startMillis,
                      long durationMillis, long videoEnd, long payloadBytes) {

    public Segment {
        frames = List.copyOf(frames);
    }

    /** Wall clock of the segment's first frame: its EXT-X-PROGRAM-DATE-TIME, the same on every node. */
    public long programDateTimeMillis() {
        return clockAnchorMillis + startMillis;
    }

    public boolean has(TrackType track) {
        for (MediaFrame f : frames) {
            if (f.trackType() == track) {
                return true;
            }
        }
        return false;
    }

    /** Payload bytes of one track, for the bandwidth a playlist announces. */
    public long bytes(TrackType track) {
        long sum = 0;
        for (MediaFrame f : frames) {
            if (f.trackType() == track) {
                sum += f.payload().length;
            }
        }
        return sum;
    }

    /** Bits per second of one track's payload over the segment. */
    public long bitsPerSecond(TrackType track) {
        return bytes(track) * 8_000 / Math.max(1, durationMillis);
    }
}
