package io.cascade.packaging.recording;

import io.cascade.media.MediaFrame;
import io.cascade.protocol.mp4.Mp4FileWriter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A recording's MP4 file ({@link Mp4FileWriter}): fragmented in its part while it is written, so a part cut short by
 * a crash plays as it is; progressive once finished: the header is written to a second file aside
 * ({@link ChunkNames#tmp}), the samples copied after it from the part's fragments, the copy synced to disk, the part
 * deleted and the copy renamed into place. A crash in between leaves the part (the copy aside is deleted at startup)
 * or, once the part is gone, the finished copy (renamed into place at startup).
 */
final class Mp4ChunkFile extends ChunkFile {
    private final Mp4FileWriter writer;

    /** @throws IllegalArgumentException when neither configuration makes an MP4 track */
    Mp4ChunkFile(Path target, MediaFrame videoConfig, MediaFrame audioConfig) throws IOException {
        super(target, true);
        try {
            writer = new Mp4FileWriter(videoConfig, audioConfig);
            append(writer.initSegment());
        } catch (IllegalArgumentException | IOException e) {
            abandon();
            Files.deleteIfExists(part);
            throw e;
        }
    }

    @Override
    void write(MediaFrame frame, long timestampMillis) throws IOException {
        byte[] fragments = writer.add(frame, timestampMillis); // IllegalArgumentException: a damaged frame
        if (fragments != null) {
            append(fragments);
        }
        hasMedia |= writer.samples() > 0;
    }

    @Override
    boolean full() {
        return writer.full();
    }

    @Override
    boolean finish() throws IOException {
        byte[] last = writer.finish();
        if (last != null) {
            append(last);
        }
        if (!writer.hasSamples()) {
            hasMedia = false;
            return super.finish();
        }
        channel.force(true);
        Path tmp = target.resolveSibling(ChunkNames.tmp(target.getFileName().toString()));
        Files.deleteIfExists(tmp);
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer header = ByteBuffer.wrap(writer.progressiveHeader());
            while (header.hasRemaining()) {
                out.write(header);
            }
            long copied = Mp4FileWriter.copyPayloads(channel, out);
            if (copied != writer.payloadBytes()) {
                throw new IOException("copied " + copied + " sample bytes from " + part + ", not "
                        + writer.payloadBytes());
            }
            out.force(true);
        }
        channel.close();
        Files.delete(part); // before the rename: a copy aside without its part is a finished file (see recovery)
        moveIntoPlace(tmp);
        return true;
    }
}
