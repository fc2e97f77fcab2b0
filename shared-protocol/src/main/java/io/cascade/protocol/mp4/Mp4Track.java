package io.cascade.protocol.mp4;

import io.cascade.media.SampleTable;

/**
 * One track the reader plays (the first supported video or audio trak) while its samples are indexed: its codec, its
 * timescale, the defaults fragments inherit from its trex, and the decode time where its next sample starts.
 */
final class Mp4Track {
    final int trackId;
    /** 0 video, 1 audio: the track number frames carry. */
    final int track;
    final int timescale;
    final Mp4SampleEntry entry;
    final SampleTable samples;
    /** trex defaults (14496-12 8.8.3), which a tfhd may override per fragment. */
    long defaultDuration;
    long defaultSize;
    int defaultFlags;
    /** Decode time after the last sample indexed: where a fragment without tfdt continues. */
    long endTime;

    private final Budget budget;

    Mp4Track(int trackId, int track, int timescale, Mp4SampleEntry entry, Budget budget) {
        this.trackId = trackId;
        this.track = track;
        this.timescale = timescale;
        this.entry = entry;
        this.budget = budget;
        this.samples = new SampleTable(budget.limit, track == 0 ? timescale : 0, track == 1 ? timescale : 0);
    }

    /**
     * Indexes one sample and moves {@link #endTime} past it. Decode times stay below {@link
     * Mp4FileReader#MAX_DECODE_TIME} and sizes within {@link Mp4FileReader#MAX_SAMPLE_SIZE}.
     */
    void add(long dts, long duration, int compositionOffset, boolean sync, long offset, long size)
            throws Mp4Exception {
        if (size < 1 || size > Mp4FileReader.MAX_SAMPLE_SIZE) {
            throw new Mp4Exception("sample of " + size + " bytes (at most " + Mp4FileReader.MAX_SAMPLE_SIZE + ")");
        }
        long max = Mp4FileReader.MAX_DECODE_TIME;
        if (dts < 0 || duration < 0 || dts > max || duration > max - dts) {
            throw new Mp4Exception("decode time " + dts + " + " + duration + " outside 0.."
                    + Mp4FileReader.MAX_DECODE_TIME);
        }
        budget.take();
        samples.add(track, dts, compositionOffset, sync || !video(), offset, (int) size);
        endTime = dts + duration;
    }

    /** Forgets the samples from {@code size} on (a fragment cut by the end of the file) and where they ended. */
    void dropFrom(int size, long end) {
        budget.release(samples.size() - size);
        samples.truncate(size);
        endTime = end;
    }

    /** The samples both tracks may index together. */
    static final class Budget {
        final int limit;
        private int used;

        Budget(int limit) {
            this.limit = limit;
        }

        void take() throws Mp4Exception {
            if (used >= limit) {
                throw new Mp4Exception("more than " + limit + " samples");
            }
            used++;
        }

        /** Gives back what a dropped fragment took. */
        void release(int n) {
            used -= n;
        }
    }

    boolean video() {
        return track == 0;
    }
}
