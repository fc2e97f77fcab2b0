package io.cascade.packaging.recording;

import io.cascade.media.Codec;
import io.cascade.media.MediaFrame;
import io.cascade.protocol.amf0.Amf0Writer;
import io.cascade.protocol.flv.FlvWriter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A recording's FLV file, as EMS records: the header, an onMetaData of its own whose duration is filled in when the
 * file is finished (a live encoder's says 0, and players read the duration there), the sequence headers, then one tag
 * per frame, each tag whole with its PreviousTagSize, so the file plays as far as it is written.
 *
 * <p>An RTMP publish of type {@code append} continues an existing file: the part is the file itself (moved aside and
 * back), the new publish's sequence headers follow its last tag, and timestamps go on {@link #APPEND_GAP_MS} after the
 * last one in it.
 */
final class FlvChunkFile extends ChunkFile {
    /** Between the last tag of an appended file and the first of the publish appended to it. */
    static final long APPEND_GAP_MS = 40;
    /** A file whose last tag says it is longer than this is no FLV this server wrote: not appended to. */
    private static final int MAX_TAG_LENGTH = FlvWriter.TAG_HEADER_LENGTH + 0xFFFFFF;
    private static final byte[] METADATA = metadata(0);

    /** Added to every timestamp: the end of what an appended file already held. */
    private final long base;
    /** Where the duration of our onMetaData sits in the file, or -1 when the file's first tag is not ours. */
    private final long durationAt;
    private long lastTimestamp;

    private FlvChunkFile(Path target, boolean create, long base, long durationAt) throws IOException {
        super(target, create);
        this.base = base;
        this.durationAt = durationAt;
        this.lastTimestamp = base;
    }

    /** A new file (replacing the part of any earlier one). */
    static FlvChunkFile create(Path target, MediaFrame videoConfig, MediaFrame audioConfig) throws IOException {
        FlvChunkFile f = new FlvChunkFile(target, true, 0, FlvWriter.FILE_HEADER_LENGTH + durationOffset());
        f.append(FlvWriter.fileHeader(audioConfig != null, videoConfig != null));
        f.append(FlvWriter.tag(new MediaFrame(2, Codec.AMF0_METADATA, 0, 0, 1000, 0, MediaFrame.NO_SEGMENT, 0,
                METADATA), 0));
        f.sequenceHeaders(videoConfig, audioConfig);
        return f;
    }

    /**
     * Continues {@code target}, an FLV file whose last tag is whole, after its last timestamp; null when it is not one
     * (the caller writes a new file under another name instead). The file is moved to the part first.
     */
    static FlvChunkFile append(Path target, MediaFrame videoConfig, MediaFrame audioConfig) throws IOException {
        long last;
        long durationAt;
        try (FileChannel in = FileChannel.open(target, StandardOpenOption.READ)) {
            last = lastTimestamp(in);
            durationAt = ownMetadata(in) ? FlvWriter.FILE_HEADER_LENGTH + durationOffset() : -1;
        }
        if (last < 0) {
            return null;
        }
        Path part = target.resolveSibling(ChunkNames.part(target.getFileName().toString()));
        Files.move(target, part, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        FlvChunkFile f = new FlvChunkFile(target, false, last + APPEND_GAP_MS, durationAt);
        f.sequenceHeaders(videoConfig, audioConfig);
        return f;
    }

    private void sequenceHeaders(MediaFrame videoConfig, MediaFrame audioConfig) throws IOException {
        for (MediaFrame config : new MediaFrame[] {videoConfig, audioConfig}) {
            if (config != null) {
                append(FlvWriter.tag(config, base));
            }
        }
    }

    @Override
    void write(MediaFrame frame, long timestampMillis) throws IOException {
        byte[] tag;
        try {
            tag = FlvWriter.tag(frame, base + timestampMillis);
        } catch (IllegalArgumentException e) {
            return; // larger than a tag holds: no FLV can carry it
        }
        append(tag);
        lastTimestamp = Math.max(lastTimestamp, base + timestampMillis);
        hasMedia = true;
    }

    @Override
    boolean finish() throws IOException {
        if (hasMedia && durationAt >= 0) {
            ByteBuffer seconds = ByteBuffer.allocate(8).putDouble(lastTimestamp / 1000.0).flip();
            channel.write(seconds, durationAt);
        }
        if (!hasMedia && base > 0) {
            hasMedia = true; // an appended file keeps what it held even when this publish added nothing
        }
        return super.finish();
    }

    /** The timestamp of the file's last tag, or -1 when the file does not end with a whole tag of an FLV file. */
    static long lastTimestamp(FileChannel in) throws IOException {
        long size = in.size();
        if (size < FlvWriter.FILE_HEADER_LENGTH + FlvWriter.TAG_HEADER_LENGTH + FlvWriter.PREVIOUS_TAG_SIZE_LENGTH) {
            return -1;
        }
        ByteBuffer head = ByteBuffer.allocate(3);
        in.read(head, 0);
        if (head.get(0) != 'F' || head.get(1) != 'L' || head.get(2) != 'V') {
            return -1;
        }
        ByteBuffer previous = ByteBuffer.allocate(4);
        in.read(previous, size - 4);
        long tagLength = previous.getInt(0) & 0xFFFF_FFFFL;
        long tagAt = size - 4 - tagLength;
        if (tagLength < FlvWriter.TAG_HEADER_LENGTH || tagLength > MAX_TAG_LENGTH || tagAt < FlvWriter.FILE_HEADER_LENGTH) {
            return -1;
        }
        ByteBuffer tag = ByteBuffer.allocate(FlvWriter.TAG_HEADER_LENGTH);
        in.read(tag, tagAt);
        int type = tag.get(0) & 0x1F;
        long dataSize = (tag.getInt(0) & 0xFFFFFF);
        if ((type != FlvWriter.TAG_AUDIO && type != FlvWriter.TAG_VIDEO && type != FlvWriter.TAG_SCRIPT)
                || dataSize + FlvWriter.TAG_HEADER_LENGTH != tagLength) {
            return -1;
        }
        return (tag.get(7) & 0xFFL) << 24 | (tag.get(4) & 0xFF) << 16 | (tag.get(5) & 0xFF) << 8 | (tag.get(6) & 0xFF);
    }

    /** Whether the file's first tag is the onMetaData this class writes (then its duration can be set). */
    private static boolean ownMetadata(FileChannel in) throws IOException {
        ByteBuffer first = ByteBuffer.allocate(FlvWriter.TAG_HEADER_LENGTH + METADATA.length);
        in.read(first, FlvWriter.FILE_HEADER_LENGTH);
        if (first.hasRemaining() || (first.get(0) & 0x1F) != FlvWriter.TAG_SCRIPT) {
            return false;
        }
        byte[] body = Arrays.copyOfRange(first.array(), FlvWriter.TAG_HEADER_LENGTH, first.capacity());
        int at = durationOffset() - FlvWriter.TAG_HEADER_LENGTH;
        Arrays.fill(body, at, at + 8, (byte) 0); // whatever duration it says
        return Arrays.equals(body, METADATA);
    }

    /** Offset of the duration's 8 bytes in the metadata tag: the last value of the object, before its end marker. */
    private static int durationOffset() {
        return FlvWriter.TAG_HEADER_LENGTH + METADATA.length - 3 - 8;
    }

    private static byte[] metadata(double durationSeconds) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("duration", durationSeconds);
        return Amf0Writer.encode("onMetaData", values);
    }
}
