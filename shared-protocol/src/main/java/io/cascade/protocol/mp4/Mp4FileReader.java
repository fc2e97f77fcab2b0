package io.cascade.protocol.mp4;

import io.cascade.media.ChannelReads;
import io.cascade.media.MediaFileException;
import io.cascade.media.MediaFrame;
import io.cascade.media.SampleTable;
import io.cascade.protocol.IndexedMediaFile;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an MP4 (ISO/IEC 14496-12/-14/-15) or QuickTime MOV file for playback: the first H.264/H.265 video track and the
 * first AAC audio track; other tracks and codecs are ignored.
 *
 * <p>Progressive files are indexed from moov's sample tables, wherever moov lies; mdat is never read at open.
 * Fragmented files (moov with mvex, then moof/mdat pairs) are indexed from every moof after moov, which is what a
 * recording interrupted by a crash is left as: the fragments that are whole in the file are the file, and the walk
 * stops at the first one the end of the file cuts. A progressive file cut inside mdat keeps, per track, the samples
 * before the first one that runs past the end (see {@link Mp4SampleTables}).
 *
 * <p>Edit lists (elst) are ignored: times are the media times of the tracks, starting where the file's tables start
 * them, as an RTMP publish of the same media would carry them. A file whose edit list trims its start (B-frame delay,
 * AAC priming) so plays those few tens of milliseconds later than a player that honours edits would.
 *
 * <p>Not thread-safe; {@link #read} does one positional read on the channel, which the reader owns and closes.
 */
public final class Mp4FileReader extends IndexedMediaFile {
    /**
     * Largest moov read at open. A progressive moov holds about 12 to 20 bytes per sample, so 64 MiB indexes far more
     * than {@link #MAX_SAMPLES}; a larger one is hostile, and would be held in memory whole while it is parsed.
     */
    public static final int MAX_MOOV_BYTES = 64 * 1024 * 1024;
    /**
     * Largest moof read: a trun entry is at most 16 bytes, so 16 MiB describes a million samples in one fragment,
     * while recordings cut a fragment per GOP (a few hundred samples).
     */
    public static final int MAX_MOOF_BYTES = 16 * 1024 * 1024;
    /**
     * Samples indexed across both tracks. 4,000,000 is about 15 hours of 25 fps video with 48 kHz AAC (72 samples a
     * second), longer than any recording we make, and costs about 100 MB of index (25 bytes a sample) at the limit.
     */
    public static final int MAX_SAMPLES = 4_000_000;
    /** Largest sample: what CMAF output accepts, and no ingested access unit is larger (RTMP's 24-bit length). */
    public static final int MAX_SAMPLE_SIZE = CmafSample.MAX_DATA_LENGTH;
    /**
     * Latest decode time in timescale units: below 2^53, so converting to milliseconds (times 1000) cannot overflow;
     * at a 90 kHz timescale that is still 3,000 years.
     */
    public static final long MAX_DECODE_TIME = 1L << 53;
    /**
     * Top-level boxes walked: a fragmented file has a moof and an mdat per fragment and at most one fragment per
     * sample, plus a few header boxes; more only makes the walk do one small read per box for nothing.
     */
    public static final int MAX_TOP_LEVEL_BOXES = 2 * MAX_SAMPLES + 1024;

    private static final int MOOV = Mp4Box.type("moov");
    private static final int MOOF = Mp4Box.type("moof");

    private Mp4FileReader(SeekableByteChannel channel, SampleTable index, List<MediaFrame> configs,
                          int videoNalLengthSize, long durationMillis) {
        super(channel, index, configs, videoNalLengthSize, durationMillis);
    }

    /** The reader over the movie's samples, merged into decode order across its two tracks. */
    private static Mp4FileReader of(SeekableByteChannel channel, Mp4Movie movie) throws Mp4Exception {
        Mp4Track video = movie.video();
        Mp4Track audio = movie.audio();
        SampleTable none = new SampleTable(0, 0, 0);
        SampleTable index = SampleTable.merge(video == null ? none : video.samples,
                audio == null ? none : audio.samples);
        if (index.size() == 0) {
            throw new Mp4Exception("no samples in the video or audio track");
        }
        List<MediaFrame> configs = new ArrayList<>(2);
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (Mp4Track t : new Mp4Track[] {video, audio}) {
            if (t != null && t.samples.size() > 0) {
                configs.add(new MediaFrame(t.track, t.entry.codec(), 0, 0, t.timescale, MediaFrame.FLAG_CONFIG,
                        MediaFrame.NO_SEGMENT, 0, t.entry.config().clone()));
                first = Math.min(first, millis(t.samples.dts(0), t.timescale));
                last = Math.max(last, millis(t.endTime, t.timescale));
            }
        }
        int nalLengthSize = video == null ? 0 : video.entry.nalLengthSize();
        // times that run backwards make no negative length
        return new Mp4FileReader(channel, index, configs, nalLengthSize, Math.max(0, last - first));
    }

    /**
     * Indexes the file. The channel is the reader's from here on, closed by {@link #close()}; when opening fails it
     * is left to the caller to close.
     *
     * @throws Mp4Exception for a file that is malformed, over a limit, or carries no H.264/H.265/AAC track
     * @throws IOException  when reading the channel fails
     */
    public static Mp4FileReader open(SeekableByteChannel channel) throws IOException {
        long fileSize = channel.size();
        Mp4Movie movie = null;
        long pos = 0;
        int boxes = 0;
        while (fileSize - pos >= Mp4Box.HEADER_LENGTH) {
            if (++boxes > MAX_TOP_LEVEL_BOXES) {
                throw new Mp4Exception("more than " + MAX_TOP_LEVEL_BOXES + " top-level boxes");
            }
            int headerBytes = (int) Math.min(Mp4Box.LARGE_HEADER_LENGTH, fileSize - pos);
            byte[] h = ChannelReads.readFully(channel, pos, headerBytes);
            long size = Mp4Box.u32(h, 0);
            int type = (int) Mp4Box.u32(h, 4);
            int header = Mp4Box.HEADER_LENGTH;
            if (size == 1) {
                if (h.length < Mp4Box.LARGE_HEADER_LENGTH) {
                    break; // the file ends inside a box header
                }
                size = Mp4Box.u32(h, 8) << 32 | Mp4Box.u32(h, 12);
                header = Mp4Box.LARGE_HEADER_LENGTH;
            } else if (size == 0) {
                size = fileSize - pos;
            }
            if (size < header) {
                throw new Mp4Exception("top-level box " + Mp4Box.typeName(type) + " of " + size + " bytes at " + pos);
            }
            boolean whole = size <= fileSize - pos;
            if (type == MOOV) {
                if (movie != null) {
                    throw new Mp4Exception("a second moov at " + pos);
                }
                if (!whole) {
                    throw new Mp4Exception("moov cut by the end of the file");
                }
                byte[] moov = readBox(channel, pos, size, header, MAX_MOOV_BYTES, "moov");
                movie = Mp4Movie.parse(Mp4Box.of(MOOV, moov), new Mp4Track.Budget(MAX_SAMPLES), fileSize);
            } else if (type == MOOF) {
                if (movie == null) {
                    throw new Mp4Exception("moof before moov: a fragment cannot be played without its tracks");
                }
                if (!whole) {
                    break;
                }
                byte[] moof = readBox(channel, pos, size, header, MAX_MOOF_BYTES, "moof");
                if (!Mp4Fragments.index(Mp4Box.of(MOOF, moof), pos, movie.video(), movie.audio(), fileSize)) {
                    break;
                }
            } else if (!whole) {
                break; // mdat or another box cut by the end of the file: what came before it stands
            }
            pos += size;
        }
        if (movie == null) {
            throw new Mp4Exception("no moov box: not an MP4 file, or a recording cut before its index was written");
        }
        return of(channel, movie);
    }

    private static byte[] readBox(SeekableByteChannel ch, long pos, long size, int header, int max, String name)
            throws IOException {
        long payload = size - header;
        if (payload > max) {
            throw new Mp4Exception(name + " of " + payload + " bytes, more than " + max);
        }
        return ChannelReads.readFully(ch, pos + header, (int) payload);
    }

    private static long millis(long time, int timescale) {
        return Math.floorDiv(time * 1000, timescale);
    }

    @Override
    protected MediaFileException malformed(String message, Throwable cause) {
        return new Mp4Exception(message, cause);
    }
}
