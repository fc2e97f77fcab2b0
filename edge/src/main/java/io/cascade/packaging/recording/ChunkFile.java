package io.cascade.packaging.recording;

import io.cascade.media.MediaFrame;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * One file of a recording while it is written: everything goes to its part beside the final name
 * ({@link ChunkNames#part}), which is moved into place (one rename) once the file is finished, so the final name only
 * ever holds a finished file. Every format is playable as far as it is written, so a part left by a crash is
 * recovered at startup ({@link RecordingRecovery}: as it is, an MP4 made progressive). Blocking: a recording's worker
 * only, one call at a time.
 */
abstract class ChunkFile {
    final Path target;
    final Path part;
    final FileChannel channel;
    /** Bytes written to the part so far. */
    long written;
    /** Whether any audio or video frame went in: a file without one is not kept. */
    boolean hasMedia;

    /**
     * @param create true: a new part (one left under its name is replaced); false: the part exists and is continued
     */
    ChunkFile(Path target, boolean create) throws IOException {
        this.target = target;
        this.part = target.resolveSibling(ChunkNames.part(target.getFileName().toString()));
        if (create) {
            Files.deleteIfExists(part);
            // a new file, never one opened through a link someone left under the part's name
            channel = FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        } else {
            channel = FileChannel.open(part, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
            channel.position(channel.size());
        }
    }

    /** Writes one audio or video frame at this time in the file; frames the format cannot carry are left out. */
    abstract void write(MediaFrame frame, long timestampMillis) throws IOException;

    /** Whether the file holds as much as one file may: the recording starts the next at its next keyframe. */
    boolean full() {
        return false;
    }

    /** Ends the file and puts it in place; a file without media is deleted instead. Returns whether one was kept. */
    boolean finish() throws IOException {
        if (!hasMedia) {
            abandon();
            Files.deleteIfExists(part);
            return false;
        }
        channel.force(true);
        channel.close();
        moveIntoPlace(part);
        return true;
    }

    /** Stops writing after a failure: the part stays, a playable file up to its last whole frame, recovered at startup. */
    void abandon() {
        try {
            channel.close();
        } catch (IOException e) {
            // closing after a failure: nothing more to save
        }
    }

    final void append(byte[] bytes) throws IOException {
        append(bytes, 0);
    }

    final void append(byte[] bytes, int from) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes, from, bytes.length - from);
        while (b.hasRemaining()) {
            channel.write(b);
        }
        written += bytes.length - from;
    }

    /** The finished file replaces whatever has its name: the recording chose the name knowing what it replaces. */
    final void moveIntoPlace(Path finished) throws IOException {
        Files.move(finished, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
