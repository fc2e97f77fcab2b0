package io.cascade.media;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where a file played on demand over HLS and DASH is cut into segments, from its sample index alone (no payload is
 * read): each segment starts at a video keyframe (any sample of an audio-only file), the one nearest to a target
 * duration after the segment's start, so every segment decodes on its own and players can start or seek at any of
 * them. A segment holds the samples of both tracks between its start and the next one's, in decode order.
 */
public final class FileSegments {
    /** Segments a file is cut into at most: 100,000 of 4 s are 111 hours; a playlist that long is a mistake. */
    public static final int MAX_SEGMENTS = 100_000;

    private FileSegments() {
    }

    /**
     * One segment: samples {@code [first, end)} of the index.
     *
     * @param startMillis    decode time of its first sample
     * @param durationMillis up to the next segment's start (the file's end for the last one)
     */
    public record Cut(int first, int end, long startMillis, long durationMillis) {
    }

    /**
     * The file's segments, in order, covering every sample once. Throws IllegalArgumentException when the file would
     * make more than {@link #MAX_SEGMENTS}.
     */
    public static List<Cut> cut(MediaFile file, long targetMillis) {
        if (targetMillis <= 0) {
            throw new IllegalArgumentException("segment target must be positive");
        }
        int count = file.sampleCount();
        boolean hasVideo = file.configs().stream().anyMatch(c -> c.trackType() == TrackType.VIDEO);
        // where a segment may start: keyframes at strictly increasing times (two at one time would make an empty one)
        int[] starts = new int[Math.min(count, 1024)];
        long[] startTimes = new long[starts.length];
        int n = 0;
        long firstMillis = file.sample(0).millis();
        long last = firstMillis;
        for (int i = 1; i < count; i++) {
            MediaFile.Sample s = file.sample(i);
            if ((hasVideo ? s.video() && s.keyframe() : true) && s.millis() > last) {
                if (n == starts.length) {
                    starts = Arrays.copyOf(starts, n * 2);
                    startTimes = Arrays.copyOf(startTimes, n * 2);
                }
                starts[n] = i;
                startTimes[n++] = s.millis();
                last = s.millis();
            }
        }
        long endMillis = Math.max(firstMillis + file.durationMillis(), last + 1);
        List<Cut> cuts = new ArrayList<>();
        int first = 0;
        long startMillis = firstMillis;
        int j = 0; // the first candidate after the current segment's start
        while (true) {
            long goal = startMillis + targetMillis;
            int before = -1;
            while (j < n && startTimes[j] <= goal) {
                before = j++;
            }
            long afterTime = j < n ? startTimes[j] : endMillis; // the file's end stands for a start past it
            int next;
            if (before < 0 || afterTime - goal <= goal - startTimes[before]) {
                next = j; // nearer, or the only choice: a long GOP makes a long segment
            } else {
                next = before;
            }
            if (next >= n) {
                cuts.add(new Cut(first, count, startMillis, Math.max(1, endMillis - startMillis)));
                return cuts;
            }
            if (cuts.size() + 1 >= MAX_SEGMENTS) {
                throw new IllegalArgumentException("more than " + MAX_SEGMENTS + " segments of " + targetMillis + " ms");
            }
            cuts.add(new Cut(first, starts[next], startMillis, startTimes[next] - startMillis));
            first = starts[next];
            startMillis = startTimes[next];
            j = next + 1;
        }
    }
}
