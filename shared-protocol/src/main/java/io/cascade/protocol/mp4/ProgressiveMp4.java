package io.cascade.protocol.mp4;

import io.cascade.media.MediaFile;
import io.cascade.media.MediaFrame;
import io.cascade.media.TrackType;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * A media file written again as the progressive MP4 a recording closes as ({@link Mp4FileWriter}): what recovery makes
 * of a recording's fragmented part left by a crash. Each sample the file's index holds goes through a fresh writer at
 * its own decode time, so the tables are those the recording would have written; the payloads are then read again
 * from the file in the order the writer's chunk offsets expect. Only whole samples the reader indexed are used, so a
 * part cut inside its last fragment gives the file up to that fragment.
 *
 * <p>Memory: the writer's tables (a few bytes a sample) and one int a sample to find each payload again; at most
 * {@link Mp4FileWriter#MAX_SAMPLES_PER_FILE} samples. Blocking reads, on the caller's thread.
 */
public final class ProgressiveMp4 {
    /**
     * What was written.
     *
     * @param samples samples in the file written
     * @param skipped samples of the source left out (a codec without a track, a damaged video frame)
     * @param bytes   length of the file written
     */
    public record Result(int samples, int skipped, long bytes) {
    }

    private ProgressiveMp4() {
    }

    /**
     * Writes {@code source} as a progressive MP4 to {@code out}.
     *
     * @throws IllegalArgumentException when the source has more samples than one file holds, or none the writer
     *                                  takes: nothing was written
     * @throws IOException              when reading the source or writing {@code out} fails (a partial output)
     */
    public static Result write(MediaFile source, WritableByteChannel out) throws IOException {
        int count = source.sampleCount();
        if (count > Mp4FileWriter.MAX_SAMPLES_PER_FILE) {
            throw new IllegalArgumentException(count + " samples, more than the "
                    + Mp4FileWriter.MAX_SAMPLES_PER_FILE + " of one file");
        }
        MediaFrame videoConfig = null;
        MediaFrame audioConfig = null;
        for (MediaFrame c : source.configs()) {
            if (c.trackType() == TrackType.VIDEO) {
                videoConfig = c;
            } else if (c.trackType() == TrackType.AUDIO) {
                audioConfig = c;
            }
        }
        Mp4FileWriter writer = new Mp4FileWriter(videoConfig, audioConfig);
        // per track, the index in the source of each sample the writer took, in the order it took them
        int[][] taken = {new int[count], new int[count]};
        int[] takenCount = new int[2];
        int skipped = 0;
        for (int i = 0; i < count; i++) {
            MediaFrame f = source.read(i);
            int before = writer.samples();
            try {
                writer.add(f, f.dtsMillis()); // the fragments it returns are not wanted: only its tables are
            } catch (IllegalArgumentException damaged) {
                // a video frame that is not whole NAL units: left out, as the recording leaves it out
            }
            if (writer.samples() > before) {
                int t = f.trackType() == TrackType.VIDEO ? 0 : 1;
                taken[t][takenCount[t]++] = i;
            } else {
                skipped++;
            }
        }
        writer.finish();
        if (!writer.hasSamples()) {
            throw new IllegalArgumentException("none of the " + count + " samples can be written");
        }
        ByteBuffer header = ByteBuffer.wrap(writer.progressiveHeader());
        long bytes = header.remaining();
        while (header.hasRemaining()) {
            out.write(header);
        }
        bytes += writer.writePayloads((trackId, n) ->
                source.read(taken[trackId == Mp4FileWriter.VIDEO_TRACK_ID ? 0 : 1][n]).payload(), out);
        return new Result(writer.samples(), skipped, bytes);
    }
}
