package io.cascade.media;

import java.util.Arrays;

/**
 * The sample index a file reader builds at open: one row per sample in primitive columns, because a long recording
 * has millions of samples and a record object each would cost several times the memory. Rows are appended in the order
 * they are given; {@link #merge} interleaves a video and an audio table into decode order across tracks.
 *
 * <p>Capacity is fixed by the caller's limit, so a hostile file cannot grow it past what the reader allows.
 */
public final class SampleTable {
    /** First allocation: small files stay small; the columns double up to the limit. */
    private static final int INITIAL_CAPACITY = 1024;

    private final int limit;
    private final int[] timescales = new int[2];
    private byte[] tracks = new byte[0];
    private boolean[] keyframes = new boolean[0];
    private long[] dts = new long[0];
    private int[] compositionOffsets = new int[0];
    private long[] offsets = new long[0];
    private int[] sizes = new int[0];
    private int size;

    /** A table of at most {@code limit} rows whose track 0 and 1 have the given timescales (0 for an absent track). */
    public SampleTable(int limit, int videoTimescale, int audioTimescale) {
        this.limit = limit;
        timescales[0] = videoTimescale;
        timescales[1] = audioTimescale;
    }

    public int size() {
        return size;
    }

    /** Whether another row would pass the limit: readers check before {@link #add} and throw their own exception. */
    public boolean full() {
        return size >= limit;
    }

    /** Appends a row; IllegalStateException past the limit (a reader bug: it checks {@link #full()} first). */
    public void add(int track, long decodeTime, int compositionOffset, boolean keyframe, long offset, int length) {
        if (track != 0 && track != 1) {
            throw new IllegalArgumentException("track must be 0 (video) or 1 (audio): " + track);
        }
        if (size == tracks.length) {
            grow();
        }
        tracks[size] = (byte) track;
        keyframes[size] = keyframe;
        dts[size] = decodeTime;
        compositionOffsets[size] = compositionOffset;
        offsets[size] = offset;
        sizes[size] = length;
        size++;
    }

    private void grow() {
        if (size >= limit) {
            throw new IllegalStateException("sample table full at " + limit + " rows");
        }
        int capacity = (int) Math.min(limit, Math.max(INITIAL_CAPACITY, 2L * size));
        tracks = Arrays.copyOf(tracks, capacity);
        keyframes = Arrays.copyOf(keyframes, capacity);
        dts = Arrays.copyOf(dts, capacity);
        compositionOffsets = Arrays.copyOf(compositionOffsets, capacity);
        offsets = Arrays.copyOf(offsets, capacity);
        sizes = Arrays.copyOf(sizes, capacity);
    }

    /** Drops the rows from {@code newSize} on (a track cut where the file ends). */
    public void truncate(int newSize) {
        if (newSize < 0 || newSize > size) {
            throw new IndexOutOfBoundsException(newSize);
        }
        size = newSize;
    }

    public int track(int i) {
        check(i);
        return tracks[i];
    }

    public long dts(int i) {
        check(i);
        return dts[i];
    }

    public long offset(int i) {
        check(i);
        return offsets[i];
    }

    public int length(int i) {
        check(i);
        return sizes[i];
    }

    public int timescale(int track) {
        return timescales[track];
    }

    public MediaFile.Sample sample(int i) {
        check(i);
        return new MediaFile.Sample(tracks[i], dts[i], dts[i] + compositionOffsets[i], timescales[tracks[i]],
                keyframes[i], offsets[i], sizes[i]);
    }

    private void check(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("sample " + i + " of " + size);
        }
    }

    /**
     * The rows of {@code video} (all on track 0) and {@code audio} (all on track 1) in one table, ordered by decode time
     * in seconds, video first on a tie so a keyframe leads the audio that plays with it. Each input keeps its own
     * order. The times are compared exactly (as 128-bit products), not through rounded milliseconds.
     */
    public static SampleTable merge(SampleTable video, SampleTable audio) {
        int vs = video.timescales[0];
        int as = audio.timescales[1];
        SampleTable out = new SampleTable(video.size + audio.size, vs, as);
        int v = 0;
        int a = 0;
        while (v < video.size || a < audio.size) {
            boolean takeVideo = a == audio.size
                    || v < video.size && compareScaled(video.dts[v], as, audio.dts[a], vs) <= 0;
            SampleTable from = takeVideo ? video : audio;
            int i = takeVideo ? v++ : a++;
            out.add(from.tracks[i], from.dts[i], from.compositionOffsets[i], from.keyframes[i], from.offsets[i],
                    from.sizes[i]);
        }
        return out;
    }

    /** Compares x*sx with y*sy without overflow: the products of 64-bit times and 32-bit timescales need 128 bits. */
    static int compareScaled(long x, long sx, long y, long sy) {
        int high = Long.compare(Math.multiplyHigh(x, sx), Math.multiplyHigh(y, sy));
        return high != 0 ? high : Long.compareUnsigned(x * sx, y * sy);
    }
}
