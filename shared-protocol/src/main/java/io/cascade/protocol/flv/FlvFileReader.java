package io.cascade.protocol.flv;

import io.cascade.media.ChannelReads;
import io.cascade.media.Codec;
import io.cascade.media.MediaFileException;
import io.cascade.media.MediaFrame;
import io.cascade.media.SampleTable;
import io.cascade.protocol.IndexedMediaFile;
import io.cascade.protocol.aac.AudioSpecificConfig;
import io.cascade.protocol.h264.AvcDecoderConfig;
import io.cascade.protocol.h264.BitstreamException;
import io.cascade.protocol.h265.HevcDecoderConfig;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads an FLV file (Adobe FLV spec v10.1 annex E, with enhanced RTMP's FourCC video as {@link FlvTags} parses it)
 * for playback: H.264 or H.265 video and AAC audio, as an RTMP publish of the same tags would give them.
 *
 * <p>Opening scans every tag header (one small read per tag; bodies are read only for sequence headers). The first
 * sequence header of each track is its config; later ones are ignored, so a file whose codec parameters change midway
 * plays with the first. Frames before their track's sequence header, of another codec than it, of codecs we do not
 * carry, or that {@link FlvTags} rejects are skipped, as a live publish skips them. Script tags are skipped.
 *
 * <p>A file cut inside a tag (a recording stopped by a crash) opens with the tags before the cut.
 *
 * <p>Timestamps are the tags' 32-bit milliseconds (Timestamp and TimestampExtended) read unsigned, so they never go
 * negative; timescale 1000, pts = dts + composition time. Not thread-safe; the reader owns and closes the channel.
 */
public final class FlvFileReader extends IndexedMediaFile {
    /** DataSize is a UI24: the syntax cannot say more; named so the bound is visible where tags are read. */
    public static final int MAX_TAG_SIZE = FlvTags.MAX_TAG_BODY_LENGTH;
    /**
     * Samples indexed: about 15 hours of 25 fps video with 48 kHz AAC (72 tags a second), longer than any recording we
     * make, at about 100 MB of index; the same bound as the MP4 reader's.
     */
    public static final int MAX_SAMPLES = 4_000_000;
    /**
     * Tags scanned, samples or not: the samples, their sequence headers and script tags with room to spare. Bounds the
     * reads a file of empty tags (15 bytes each) can make opening do.
     */
    public static final int MAX_TAGS = 2 * MAX_SAMPLES;
    /**
     * Largest DataOffset in the file header. Version 1 headers are 9 bytes; a little room is left for a longer header
     * a later version might define, but a larger offset would only skip the file.
     */
    public static final int MAX_HEADER_LENGTH = 1024;
    /**
     * Body bytes read with each tag header: enough for the longest audio or video header before the data (enhanced
     * video: 1 + FourCC 4 + composition time 3), and for small ModEx blocks. A tag whose header needs more is read
     * whole.
     */
    public static final int BODY_PEEK = 32;

    private static final int TAG_HEADER_LENGTH = FlvWriter.TAG_HEADER_LENGTH;
    private static final int PREVIOUS_TAG_SIZE_LENGTH = FlvWriter.PREVIOUS_TAG_SIZE_LENGTH;
    private static final int SIGNATURE_LENGTH = 9;
    private static final int TIMESCALE = 1000;


    /** What the scan learns of a track: its config, and the times of its first and last samples. */
    private static final class Track {
        Codec codec;
        byte[] config;
        int nalLengthSize;
        int samples;
        long first;
        long last;
        long lastStep;

        void sample(long dts) {
            if (samples == 0) {
                first = dts;
            } else {
                lastStep = Math.max(0, dts - last);
            }
            last = dts;
            samples++;
        }
    }

    private FlvFileReader(SeekableByteChannel channel, SampleTable index, List<MediaFrame> configs,
                          int videoNalLengthSize, long durationMillis) {
        super(channel, index, configs, videoNalLengthSize, durationMillis);
    }

    private static FlvFileReader of(SeekableByteChannel channel, SampleTable index, Track[] tracks)
            throws FlvFileException {
        if (index.size() == 0) {
            throw new FlvFileException("no H.264, H.265 or AAC frames after a sequence header");
        }
        List<MediaFrame> configs = new ArrayList<>(2);
        long first = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;
        for (int t = 0; t < 2; t++) {
            Track k = tracks[t];
            if (k.samples > 0) {
                configs.add(new MediaFrame(t, k.codec, 0, 0, TIMESCALE, MediaFrame.FLAG_CONFIG, MediaFrame.NO_SEGMENT,
                        0, k.config.clone()));
                first = Math.min(first, k.first);
                // FLV has no durations: the last sample is taken to last as long as the step before it
                end = Math.max(end, k.last + k.lastStep);
            }
        }
        // timestamps that run backwards make no negative length
        return new FlvFileReader(channel, index, configs, tracks[0].nalLengthSize, Math.max(0, end - first));
    }

    /**
     * Indexes the file. The channel is the reader's from here on, closed by {@link #close()}; when opening fails it
     * is left to the caller to close.
     *
     * @throws FlvFileException for a file that is not FLV, is over a limit, or has no playable frames
     * @throws IOException      when reading the channel fails
     */
    public static FlvFileReader open(SeekableByteChannel channel) throws IOException {
        long fileSize = channel.size();
        if (fileSize < SIGNATURE_LENGTH) {
            throw new FlvFileException("shorter than an FLV header: " + fileSize + " bytes");
        }
        byte[] header = ChannelReads.readFully(channel, 0, SIGNATURE_LENGTH);
        if (header[0] != 'F' || header[1] != 'L' || header[2] != 'V') {
            throw new FlvFileException("no FLV signature");
        }
        long dataOffset = u32(header, 5);
        if (dataOffset < SIGNATURE_LENGTH || dataOffset > MAX_HEADER_LENGTH) {
            throw new FlvFileException("FLV DataOffset " + dataOffset);
        }
        Track[] tracks = {new Track(), new Track()};
        SampleTable index = new SampleTable(MAX_SAMPLES, TIMESCALE, TIMESCALE);
        long pos = dataOffset + PREVIOUS_TAG_SIZE_LENGTH;
        int tags = 0;
        while (fileSize - pos >= TAG_HEADER_LENGTH) {
            if (++tags > MAX_TAGS) {
                throw new FlvFileException("more than " + MAX_TAGS + " tags");
            }
            int headerBytes = (int) Math.min(TAG_HEADER_LENGTH + BODY_PEEK, fileSize - pos);
            byte[] h = ChannelReads.readFully(channel, pos, headerBytes);
            int dataSize = (h[1] & 0xFF) << 16 | (h[2] & 0xFF) << 8 | (h[3] & 0xFF);
            long bodyAt = pos + TAG_HEADER_LENGTH;
            if (dataSize > fileSize - bodyAt) {
                break; // cut inside this tag: the tags before it are the file
            }
            int type = h[0] & 0xFF; // with the Filter bit (encrypted) or a reserved bit set, no tag we play
            if (dataSize > 0 && (type == FlvWriter.TAG_VIDEO || type == FlvWriter.TAG_AUDIO)) {
                long dts = (h[7] & 0xFFL) << 24 | (h[4] & 0xFF) << 16 | (h[5] & 0xFF) << 8 | (h[6] & 0xFF);
                Tag tag = new Tag(channel, bodyAt, dataSize, h);
                if (type == FlvWriter.TAG_VIDEO) {
                    video(tag, dts, tracks[0], index);
                } else {
                    audio(tag, dts, tracks[1], index);
                }
            }
            pos = bodyAt + dataSize + PREVIOUS_TAG_SIZE_LENGTH;
        }
        return of(channel, index, tracks);
    }

    /** A tag's body: the peeked bytes, read whole when a parser needs more of it. */
    private static final class Tag {
        private final SeekableByteChannel channel;
        final long bodyAt;
        final int size;
        byte[] bytes;
        int offset;
        int length;

        Tag(SeekableByteChannel channel, long bodyAt, int size, byte[] peek) {
            this.channel = channel;
            this.bodyAt = bodyAt;
            this.size = size;
            this.bytes = peek;
            this.offset = TAG_HEADER_LENGTH;
            this.length = Math.min(size, peek.length - TAG_HEADER_LENGTH);
        }

        boolean whole() {
            return length == size;
        }

        void readWhole() throws IOException {
            if (!whole()) {
                bytes = ChannelReads.readFully(channel, bodyAt, size);
                offset = 0;
                length = size;
            }
        }

        /** The body from the data a parse found at {@code dataOffset} (in {@link #bytes}) to its end, read whole. */
        byte[] data(int dataOffset) throws IOException {
            int headerLength = dataOffset - offset;
            readWhole();
            return Arrays.copyOfRange(bytes, offset + headerLength, offset + size);
        }

        /** Where the data a parse found at {@code dataOffset} (in {@link #bytes}) lies in the file. */
        long filePosition(int dataOffset) {
            return bodyAt + dataOffset - offset;
        }

        int dataLength(int dataOffset) {
            return size - (dataOffset - offset);
        }
    }

    private static void video(Tag tag, long dts, Track track, SampleTable index) throws IOException {
        FlvVideo v = parse(tag, FlvTags::parseVideo);
        if (v == null || v.codec() == null) {
            return;
        }
        if (v.kind() == PacketKind.CONFIG && track.config == null) {
            byte[] record = tag.data(v.dataOffset());
            try {
                track.nalLengthSize = v.codec() == Codec.H264
                        ? AvcDecoderConfig.parse(record, 0, record.length).nalLengthSize()
                        : HevcDecoderConfig.parse(record, 0, record.length).nalLengthSize();
            } catch (BitstreamException e) {
                return; // a damaged sequence header: frames stay skipped until a good one
            }
            track.codec = v.codec();
            track.config = record;
        } else if (v.kind() == PacketKind.FRAME && v.codec() == track.codec) {
            add(index, 0, dts, v.compositionTimeMs(), v.keyframe(), tag, v.dataOffset(), track);
        }
    }

    private static void audio(Tag tag, long dts, Track track, SampleTable index) throws IOException {
        FlvAudio a = parse(tag, FlvTags::parseAudio);
        if (a == null || a.codec() != Codec.AAC) {
            return;
        }
        if (a.kind() == PacketKind.CONFIG && track.config == null) {
            byte[] asc = tag.data(a.dataOffset());
            try {
                AudioSpecificConfig.parse(asc, 0, asc.length);
            } catch (BitstreamException e) {
                return;
            }
            track.codec = Codec.AAC;
            track.config = asc;
        } else if (a.kind() == PacketKind.FRAME && track.codec == Codec.AAC) {
            add(index, 1, dts, 0, true, tag, a.dataOffset(), track);
        }
    }

    /** Parses one kind of tag body: {@link FlvTags#parseVideo} or {@link FlvTags#parseAudio}. */
    @FunctionalInterface
    private interface BodyParser<T> {
        T parse(byte[] body, int offset, int length) throws FlvException;
    }

    /**
     * The tag's audio or video header, from the peeked bytes when they hold it, else from the whole body; null when
     * {@link FlvTags} rejects it.
     */
    private static <T> T parse(Tag tag, BodyParser<T> parser) throws IOException {
        try {
            return parser.parse(tag.bytes, tag.offset, tag.length);
        } catch (FlvException e) {
            if (tag.whole()) {
                return null;
            }
        }
        tag.readWhole();
        try {
            return parser.parse(tag.bytes, tag.offset, tag.length);
        } catch (FlvException e) {
            return null;
        }
    }

    private static void add(SampleTable index, int t, long dts, int compositionTime, boolean keyframe, Tag tag,
                            int dataOffset, Track track) throws FlvFileException {
        int length = tag.dataLength(dataOffset);
        if (length <= 0) {
            return; // a header without a frame
        }
        if (index.full()) {
            throw new FlvFileException("more than " + MAX_SAMPLES + " samples");
        }
        index.add(t, dts, compositionTime, keyframe, tag.filePosition(dataOffset), length);
        track.sample(dts);
    }

    private static long u32(byte[] b, int p) {
        return (b[p] & 0xFFL) << 24 | (b[p + 1] & 0xFF) << 16 | (b[p + 2] & 0xFF) << 8 | (b[p + 3] & 0xFF);
    }

    @Override
    protected MediaFileException malformed(String message, Throwable cause) {
        return new FlvFileException(message, cause);
    }
}
