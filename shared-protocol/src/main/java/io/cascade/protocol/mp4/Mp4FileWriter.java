package io.cascade.protocol.mp4;

import io.cascade.media.Codec;
import io.cascade.media.MediaFrame;
import io.cascade.media.TrackType;
import io.cascade.protocol.aac.AudioSpecificConfig;
import io.cascade.protocol.h264.BitstreamException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One recorded MP4 file, in the two forms a recording needs (ISO/IEC 14496-12, 14496-14).
 *
 * <p>While it is open the file is <b>fragmented</b>: {@link #initSegment()} (ftyp + moov with the tracks' sample
 * descriptions and empty tables), then the bytes {@link #add} and {@link #finish} return, movie fragments (moof + mdat,
 * one per track) made by {@link CmafWriter}: one at every video keyframe and at least every {@value #FRAGMENT_MILLIS}
 * ms. A file cut short after any fragment (a crash, a kill) is a playable fragmented MP4 as it stands.
 *
 * <p>When the recording closes it becomes <b>progressive</b>, what every player and editor reads and seeks in:
 * {@link #progressiveHeader()} (ftyp, a moov whose sample tables describe every sample, and the header of one 64-bit
 * mdat) followed by the mdat payloads of the fragments in the order they were written, which the caller copies from the
 * fragmented file ({@link #copyPayloads}), or writes from the samples themselves ({@link #writePayloads}) when the
 * fragmented file is not whole. Each fragment's payload is one chunk of its track, so the chunk offsets follow from
 * the sizes alone.
 * The sample tables are what this writer keeps in memory: about 4 bytes a sample when durations and composition
 * offsets repeat, 12 when they change every sample; {@link #full()} says when {@value #MAX_SAMPLES_PER_FILE} samples
 * are written, after which the caller starts another file.
 *
 * <p>Times: video in 90 kHz, audio in its sample rate, as {@link Fmp4Stream} has them. Each frame's decode time is the
 * {@code timestampMillis} it is given at the precision of its own timescale; AAC frames are kept on a grid of whole
 * frames so consecutive samples neither overlap nor leave gaps however the source rounded its timestamps. A track that
 * starts later than the other starts with an empty edit, so the progressive file keeps the two in step as the fragments'
 * decode times do. Not thread-safe; output depends only on the arguments (no wall clock).
 */
public final class Mp4FileWriter {
    /** Samples (video and audio together) in one file: about two hours of 25 fps video with 44.1 kHz AAC. */
    public static final int MAX_SAMPLES_PER_FILE = 500_000;
    /** A fragment at least this often: what a crash can lose of a file, at most, besides its last GOP. */
    public static final long FRAGMENT_MILLIS = 1_000;
    /** Length of the mdat header of the progressive file: 64-bit size, so a file may pass 4 GiB. */
    public static final int MDAT_HEADER_LENGTH = 16;
    public static final int VIDEO_TRACK_ID = 1;
    public static final int AUDIO_TRACK_ID = 2;
    static final int VIDEO_TIMESCALE = 90_000;
    /** mvhd, tkhd and elst durations: milliseconds. */
    static final int MOVIE_TIMESCALE = 1_000;
    /** A video sample's duration when nothing has shown the frame rate yet: 25 fps. */
    static final int DEFAULT_VIDEO_DURATION = VIDEO_TIMESCALE / 25;
    /** A step between two samples of a track longer than this (seconds) is a hole, closed to one sample's duration. */
    static final int MAX_STEP_SECONDS = 10;
    /** Room the header of a progressive file takes at most next to its payload (500,000 samples, 24 bytes each). */
    private static final long HEADER_ROOM = 64L * 1024 * 1024;

    private final Track video;
    private final Track audio;
    private final List<Track> tracks = new ArrayList<>(2);
    private long sequence = 1;
    /** mdat payload bytes of the fragments made so far. */
    private long payload;
    private int samples;
    private long fragmentStartMillis = -1;
    private boolean finished;

    /**
     * A file of the tracks these decoder configurations describe (either may be null, not both).
     *
     * @throws IllegalArgumentException when neither configuration can make a track
     */
    public Mp4FileWriter(MediaFrame videoConfig, MediaFrame audioConfig) {
        video = videoConfig == null ? null : new Track(new CmafTrack(VIDEO_TRACK_ID, videoConfig.codec(),
                VIDEO_TIMESCALE, videoConfig.payload()), 0);
        audio = audioConfig == null ? null : audioTrack(audioConfig);
        if (video != null) {
            tracks.add(video);
        }
        if (audio != null) {
            tracks.add(audio);
        }
        if (tracks.isEmpty()) {
            throw new IllegalArgumentException("an MP4 file needs a video or an audio configuration");
        }
    }

    private static Track audioTrack(MediaFrame config) {
        if (config.codec() != Codec.AAC) {
            throw new IllegalArgumentException("no MP4 audio track for " + config.codec());
        }
        try {
            AudioSpecificConfig asc = AudioSpecificConfig.parse(config.payload(), 0, config.payload().length);
            return new Track(new CmafTrack(AUDIO_TRACK_ID, Codec.AAC, asc.sampleRate(), config.payload()),
                    asc.samplesPerFrame());
        } catch (BitstreamException e) {
            throw new IllegalArgumentException("bad AudioSpecificConfig: " + e.getMessage(), e);
        }
    }

    /** The fragmented file's header: ftyp + moov with empty tables and mvex. */
    public byte[] initSegment() {
        List<CmafTrack> list = new ArrayList<>(tracks.size());
        tracks.forEach(t -> list.add(t.cmaf));
        return CmafWriter.initSegment(list);
    }

    /**
     * Takes one frame; returns the fragments it completed (bytes to append to the fragmented file), or null. Config,
     * data and frames of a codec the file has no track for are left out (null).
     *
     * @param timestampMillis the frame's decode time in the file (0 at its start)
     * @throws IllegalArgumentException for a video frame that is not whole length-prefixed NAL units: skip it
     */
    public byte[] add(MediaFrame f, long timestampMillis) {
        if (finished) {
            throw new IllegalStateException("the file is finished");
        }
        if (f.isConfig() || f.trackType() == TrackType.DATA) {
            return null;
        }
        Track t = f.trackType() == TrackType.VIDEO ? video : audio;
        if (t == null || f.codec() != t.cmaf.codec() || f.payload().length == 0
                || f.payload().length > CmafSample.MAX_DATA_LENGTH) {
            return null;
        }
        if (t == video) {
            CmafWriter.checkNalFraming(f.payload(), 0);
        }
        long shiftMillis = timestampMillis - f.dtsMillis();
        int rate = t.cmaf.timescale();
        long decode = scale(f.dts(), f.timescale(), rate) + Math.floorDiv(shiftMillis * rate, 1000);
        int offset = 0;
        if (t == video) {
            offset = (int) (scale(f.pts(), f.timescale(), rate) - scale(f.dts(), f.timescale(), rate));
        } else {
            decode = t.onGrid(decode);
        }
        decode = t.following(Math.max(0, decode));
        byte[] out = null;
        boolean due = fragmentStartMillis >= 0 && ((t == video && f.isKeyframe())
                || timestampMillis - fragmentStartMillis >= FRAGMENT_MILLIS);
        t.completeHeld(decode);
        if (due) {
            out = flush();
        }
        if (fragmentStartMillis < 0 || due) {
            fragmentStartMillis = timestampMillis;
        }
        t.hold(decode, offset, t == audio || f.isKeyframe(), f.payload());
        samples++;
        return out;
    }

    /** Whether the file holds as many samples as it may: the caller starts another. */
    public boolean full() {
        return samples >= MAX_SAMPLES_PER_FILE;
    }

    /** Samples taken so far. */
    public int samples() {
        return samples;
    }

    /**
     * Ends the file: the last samples (each as long as the one before it) as the last fragments, or null when there
     * were none to write. After it only {@link #progressiveHeader} may be asked.
     */
    public byte[] finish() {
        if (finished) {
            return null;
        }
        finished = true;
        for (Track t : tracks) {
            t.completeHeld(-1);
        }
        return flush();
    }

    /** Whether any sample was written into a fragment. */
    public boolean hasSamples() {
        return payload > 0;
    }

    /** The mdat payload bytes of every fragment made: what follows {@link #progressiveHeader} in the progressive file. */
    public long payloadBytes() {
        return payload;
    }

    /** The duration of the file so far in milliseconds: where its longest track ends. */
    public long durationMillis() {
        long end = 0;
        for (Track t : tracks) {
            if (t.count > 0) {
                end = Math.max(end, (t.firstDecode + t.duration) * 1000 / t.cmaf.timescale());
            }
        }
        return end;
    }

    /**
     * The head of the progressive file, after {@link #finish}: ftyp, moov (complete sample tables, chunk offsets into
     * the mdat that follows) and the 16-byte header of the mdat whose payload is the fragments' payloads in order.
     */
    public byte[] progressiveHeader() {
        if (!finished) {
            throw new IllegalStateException("finish the file first");
        }
        if (!hasSamples()) {
            throw new IllegalStateException("no sample was written");
        }
        byte[] ftyp = ftyp();
        boolean wideOffsets = payload > 0xFFFF_FFFFL - HEADER_ROOM;
        int moovSize = moov(0, wideOffsets).length; // the sizes do not depend on the offsets' values
        long base = (long) ftyp.length + moovSize + MDAT_HEADER_LENGTH;
        byte[] moov = moov(base, wideOffsets);
        BoxWriter w = new BoxWriter(ftyp.length + moov.length + MDAT_HEADER_LENGTH);
        w.bytes(ftyp).bytes(moov);
        w.u32(1).fourCc("mdat").u64(MDAT_HEADER_LENGTH + payload); // size 1: the 64-bit largesize follows
        return w.toByteArray();
    }

    /**
     * Copies the payload of every top-level mdat of a fragmented file, in order, to {@code out}: what follows
     * {@link #progressiveHeader} in the progressive file. Reads {@code fragmented} from its start to its end; returns
     * the bytes copied, which for the file this writer made equal {@link #payloadBytes}.
     *
     * @throws IOException for a box that does not fit in the file (a file this writer did not make, or one cut short)
     */
    public static long copyPayloads(SeekableByteChannel fragmented, WritableByteChannel out) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(16);
        ByteBuffer buffer = ByteBuffer.allocate(COPY_BUFFER);
        long at = 0;
        long copied = 0;
        long end = fragmented.size();
        while (at < end) {
            header.clear().limit(8);
            readFully(fragmented, header, at);
            long size = header.getInt(0) & 0xFFFF_FFFFL;
            int headerLength = 8;
            if (size == 1) {
                header.limit(16);
                readFully(fragmented, header, at + 8);
                size = header.getLong(8);
                headerLength = 16;
            } else if (size == 0) {
                size = end - at; // to the end of the file
            }
            if (size < headerLength || size > end - at) {
                throw new IOException("a box of " + size + " bytes at " + at + " does not fit in the file of " + end);
            }
            boolean mdat = header.get(4) == 'm' && header.get(5) == 'd' && header.get(6) == 'a' && header.get(7) == 't';
            if (mdat) {
                long from = at + headerLength;
                long left = size - headerLength;
                while (left > 0) {
                    buffer.clear().limit((int) Math.min(buffer.capacity(), left));
                    fragmented.position(from);
                    int n = fragmented.read(buffer);
                    if (n <= 0) {
                        throw new IOException("the file ends inside an mdat at " + from);
                    }
                    buffer.flip();
                    while (buffer.hasRemaining()) {
                        out.write(buffer);
                    }
                    from += n;
                    left -= n;
                    copied += n;
                }
            }
            at += size;
        }
        return copied;
    }

    /** Where {@link #writePayloads} finds the payload of each sample the writer took. */
    @FunctionalInterface
    public interface SamplePayloads {
        /** The payload of the {@code n}-th sample (from 0) {@link #add} took of the track {@code trackId}. */
        byte[] payload(int trackId, int n) throws IOException;
    }

    /**
     * Writes what follows {@link #progressiveHeader} in the progressive file from the samples themselves rather than
     * from the fragmented file: each chunk's samples, chunks in the order of their offsets. It is for a file whose
     * fragments are not all whole on disk (a part cut by a crash inside its last fragment), where {@link #copyPayloads}
     * would stop; the caller has fed the samples it can read to a fresh writer and gives them back here. Returns the
     * bytes written, {@link #payloadBytes}.
     *
     * @throws IOException when {@code source} fails or gives a payload of another length than the sample it took
     */
    public long writePayloads(SamplePayloads source, WritableByteChannel out) throws IOException {
        if (!finished) {
            throw new IllegalStateException("finish the file first");
        }
        int[] chunk = new int[tracks.size()];
        int[] sample = new int[tracks.size()];
        long written = 0;
        while (true) {
            // the chunk that starts next in the payload: fragments were laid out one after the other
            int next = -1;
            for (int i = 0; i < tracks.size(); i++) {
                Track t = tracks.get(i);
                if (chunk[i] < t.chunkOffsets.size && (next < 0
                        || t.chunkOffsets.values[chunk[i]] < tracks.get(next).chunkOffsets.values[chunk[next]])) {
                    next = i;
                }
            }
            if (next < 0) {
                return written;
            }
            Track t = tracks.get(next);
            if (t.chunkOffsets.values[chunk[next]] != written) {
                throw new IllegalStateException("chunk at " + t.chunkOffsets.values[chunk[next]] + ", not " + written);
            }
            for (int k = t.chunkSamples.values[chunk[next]]; k > 0; k--) {
                int n = sample[next]++;
                byte[] data = source.payload(t.cmaf.trackId(), n);
                if (data.length != t.sizes.values[n]) {
                    throw new IOException("sample " + n + " of track " + t.cmaf.trackId() + " has " + data.length
                            + " bytes, not " + t.sizes.values[n]);
                }
                ByteBuffer b = ByteBuffer.wrap(data);
                while (b.hasRemaining()) {
                    out.write(b);
                }
                written += data.length;
            }
            chunk[next]++;
        }
    }

    private static final int COPY_BUFFER = 256 * 1024;

    private static void readFully(SeekableByteChannel in, ByteBuffer into, long at) throws IOException {
        in.position(at);
        while (into.hasRemaining()) {
            if (in.read(into) < 0) {
                throw new IOException("the file ends inside a box header at " + at);
            }
        }
    }

    /** The fragments of the samples whose durations are known, one per track that has any; null when none has. */
    private byte[] flush() {
        List<byte[]> parts = new ArrayList<>(2);
        int length = 0;
        for (Track t : tracks) {
            if (t.pending.isEmpty()) {
                continue;
            }
            byte[] fragment = CmafWriter.fragment(t.cmaf, sequence++ & 0xFFFF_FFFFL, t.pending);
            payload += t.record(payload);
            parts.add(fragment);
            length += fragment.length;
        }
        if (parts.isEmpty()) {
            return null;
        }
        if (parts.size() == 1) {
            return parts.get(0);
        }
        byte[] out = new byte[length];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private byte[] ftyp() {
        BoxWriter w = new BoxWriter(32);
        int ftyp = w.startBox("ftyp");
        w.fourCc("isom").u32(0x200); // the brands and minor version ffmpeg's MP4 muxer writes
        w.fourCc("isom").fourCc("iso2").fourCc("mp41");
        if (video != null && video.cmaf.codec() == Codec.H264) {
            w.fourCc("avc1");
        }
        w.endBox(ftyp);
        return w.toByteArray();
    }

    private byte[] moov(long mdatPayloadAt, boolean wideOffsets) {
        long estimate = 4096;
        long zero = Long.MAX_VALUE; // where the earliest track starts, in movie units: the movie's time 0
        long end = 0;
        for (Track t : tracks) {
            if (t.count > 0) {
                estimate += 24L * t.count + 24L * t.chunkOffsets.size + t.cmaf.decoderConfigUnsafe().length;
                zero = Math.min(zero, t.movieTime(t.firstDecode));
                end = Math.max(end, t.movieTime(t.firstDecode + t.duration));
            }
        }
        BoxWriter w = new BoxWriter((int) Math.min(estimate, Integer.MAX_VALUE - 8));
        int moov = w.startBox("moov");
        CmafWriter.writeMvhd(w, MOVIE_TIMESCALE, end - zero, AUDIO_TRACK_ID + 1L);
        for (Track t : tracks) {
            if (t.count > 0) {
                writeTrak(w, t, t.movieTime(t.firstDecode) - zero, mdatPayloadAt, wideOffsets);
            }
        }
        w.endBox(moov);
        return w.toByteArray();
    }

    private static void writeTrak(BoxWriter w, Track t, long delay, long mdatPayloadAt, boolean wideOffsets) {
        TrackFormat format = t.cmaf.format();
        long movieDuration = t.movieTime(t.duration);
        int trak = w.startBox("trak");
        CmafWriter.writeTkhd(w, t.cmaf, format, delay + movieDuration);
        if (delay > 0) {
            // the track starts later than the movie: an empty edit first, then the whole track at normal speed
            int edts = w.startBox("edts");
            int elst = w.startFullBox("elst", 0, 0);
            w.u32(2);
            w.u32(delay).u32(-1).u16(1).u16(0); // segment_duration, media_time -1 (empty), rate 1.0
            w.u32(movieDuration).u32(0).u16(1).u16(0);
            w.endBox(elst);
            w.endBox(edts);
        }
        int mdia = w.startBox("mdia");
        CmafWriter.writeMdhd(w, t.cmaf, t.duration);
        CmafWriter.writeHdlr(w, format);
        int minf = w.startBox("minf");
        CmafWriter.writeMediaHeader(w, format);
        CmafWriter.writeDinf(w);
        int stbl = w.startBox("stbl");
        CmafWriter.writeStsd(w, format);
        writeRuns(w, "stts", 0, t.durations);
        if (t.anyOffset) {
            writeRuns(w, "ctts", t.negativeOffset ? 1 : 0, t.offsets); // version 1: signed offsets
        }
        if (t.syncs.size < t.count) {
            int stss = w.startFullBox("stss", 0, 0);
            w.u32(t.syncs.size);
            for (int i = 0; i < t.syncs.size; i++) {
                w.u32(t.syncs.values[i]);
            }
            w.endBox(stss);
        }
        writeStsc(w, t);
        int stsz = w.startFullBox("stsz", 0, 0);
        w.u32(0).u32(t.count); // sample_size 0: each sample's own follows
        for (int i = 0; i < t.sizes.size; i++) {
            w.u32(t.sizes.values[i]);
        }
        w.endBox(stsz);
        int co = w.startFullBox(wideOffsets ? "co64" : "stco", 0, 0);
        w.u32(t.chunkOffsets.size);
        for (int i = 0; i < t.chunkOffsets.size; i++) {
            long at = mdatPayloadAt + t.chunkOffsets.values[i];
            if (wideOffsets) {
                w.u64(at);
            } else {
                w.u32(at);
            }
        }
        w.endBox(co);
        w.endBox(stbl);
        w.endBox(minf);
        w.endBox(mdia);
        w.endBox(trak);
    }

    /** stts and ctts: (count, value) runs. */
    private static void writeRuns(BoxWriter w, String type, int version, Runs runs) {
        int box = w.startFullBox(type, version, 0);
        w.u32(runs.counts.size);
        for (int i = 0; i < runs.counts.size; i++) {
            w.u32(runs.counts.values[i]).u32(runs.values.values[i]);
        }
        w.endBox(box);
    }

    /** Chunks in a row with the same number of samples share one entry. */
    private static void writeStsc(BoxWriter w, Track t) {
        Ints first = new Ints();
        Ints perChunk = new Ints();
        for (int i = 0; i < t.chunkSamples.size; i++) {
            int n = t.chunkSamples.values[i];
            if (perChunk.size == 0 || perChunk.values[perChunk.size - 1] != n) {
                first.add(i + 1);
                perChunk.add(n);
            }
        }
        int stsc = w.startFullBox("stsc", 0, 0);
        w.u32(first.size);
        for (int i = 0; i < first.size; i++) {
            w.u32(first.values[i]).u32(perChunk.values[i]).u32(1); // sample_description_index: the only one
        }
        w.endBox(stsc);
    }

    private static long scale(long time, int from, int to) {
        return from == to ? time : Math.floorDiv(time * to, from);
    }

    /** One track: the sample held until the next gives its duration, the samples of the next fragment, the tables. */
    private static final class Track {
        final CmafTrack cmaf;
        /** AAC samples per frame; 0 for video. */
        final int frameSamples;
        final List<CmafSample> pending = new ArrayList<>();
        long heldDecode = -1;
        int heldOffset;
        boolean heldSync;
        byte[] heldData;
        int lastDuration;
        long firstDecode = -1;
        long duration;
        int count;
        boolean anyOffset;
        boolean negativeOffset;
        final Ints sizes = new Ints();
        final Runs durations = new Runs();
        final Runs offsets = new Runs();
        final Ints syncs = new Ints();
        final Longs chunkOffsets = new Longs();
        final Ints chunkSamples = new Ints();

        Track(CmafTrack cmaf, int frameSamples) {
            this.cmaf = cmaf;
            this.frameSamples = frameSamples;
            this.lastDuration = frameSamples > 0 ? frameSamples : DEFAULT_VIDEO_DURATION;
        }

        /** The AAC grid point next after the held sample when the frame is near it; its own time otherwise. */
        long onGrid(long real) {
            if (heldData == null) {
                return real;
            }
            long expected = heldDecode + frameSamples;
            return real < expected || Math.abs(real - expected) <= frameSamples / 4 ? expected : real;
        }

        /** A decode time after the held sample's, and not a hole of more than {@link #MAX_STEP_SECONDS}. */
        long following(long decode) {
            if (heldData == null) {
                return decode;
            }
            if (decode <= heldDecode || decode - heldDecode > (long) MAX_STEP_SECONDS * cmaf.timescale()) {
                return heldDecode + lastDuration;
            }
            return decode;
        }

        /** The held sample lasts until {@code next} (-1: as long as the sample before it) and joins the fragment. */
        void completeHeld(long next) {
            if (heldData == null) {
                return;
            }
            if (next >= 0) {
                lastDuration = (int) (next - heldDecode);
            }
            pending.add(new CmafSample(heldDecode, lastDuration, heldOffset, heldSync, heldData));
            heldData = null;
        }

        void hold(long decode, int offset, boolean sync, byte[] data) {
            heldDecode = decode;
            heldOffset = offset;
            heldSync = sync;
            heldData = data;
        }

        /** The pending samples into the tables as one chunk at {@code at} in the payload; returns their bytes. */
        long record(long at) {
            long bytes = 0;
            if (firstDecode < 0) {
                firstDecode = pending.get(0).decodeTime();
            }
            for (CmafSample s : pending) {
                count++;
                sizes.add(s.data().length);
                durations.add(s.duration());
                offsets.add(s.compositionOffset());
                anyOffset |= s.compositionOffset() != 0;
                negativeOffset |= s.compositionOffset() < 0;
                if (s.sync()) {
                    syncs.add(count);
                }
                duration += s.duration();
                bytes += s.data().length;
            }
            chunkOffsets.add(at);
            chunkSamples.add(pending.size());
            pending.clear();
            return bytes;
        }

        long movieTime(long mediaTime) {
            return mediaTime * MOVIE_TIMESCALE / cmaf.timescale();
        }
    }

    /** A growing int array: the tables hold primitives, not boxed numbers. */
    private static final class Ints {
        int[] values = new int[64];
        int size;

        void add(int v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }
    }

    private static final class Longs {
        long[] values = new long[64];
        int size;

        void add(long v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }
    }

    /** Values as (count, value) runs, as stts and ctts store them. */
    private static final class Runs {
        final Ints counts = new Ints();
        final Ints values = new Ints();

        void add(int v) {
            if (counts.size > 0 && values.values[values.size - 1] == v) {
                counts.values[counts.size - 1]++;
            } else {
                counts.add(1);
                values.add(v);
            }
        }
    }
}
