package io.cascade.packaging.recording;

import io.cascade.media.ChannelReads;
import io.cascade.protocol.mp4.Mp4FileReader;
import io.cascade.protocol.mp4.Mp4FileWriter;
import io.cascade.protocol.mp4.ProgressiveMp4;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a crash left in the recording folder, put in place at startup, before any recording starts (blocking: on a
 * worker, never an event loop). Every part is a file playable as far as it was written, so it is renamed to its name,
 * or to a {@code -recovered} name when that is taken ({@link ChunkNames#recovered}); an MP4 part, fragmented while it
 * was written, is first made the progressive MP4 a normal close makes ({@link ProgressiveMp4}: the samples of its
 * whole fragments, a last fragment the crash cut being left out), with the close's own steps: the copy written aside
 * under the {@code tmp} name and synced, the part deleted, the copy renamed into place. An MP4 part that cannot be read
 * (no whole fragment, damaged) or holds more samples than one file may ({@link Mp4FileWriter#MAX_SAMPLES_PER_FILE}) is
 * renamed as the fragmented MP4 it is, and one that ends before its first fragment holds no media and is deleted.
 * A progressive MP4 copy aside is deleted when its part is still there (the copy was cut short, by a crash during a
 * close or during this recovery: the part is recovered again), and renamed into place when not (the part is deleted
 * only after the copy was synced). Each file recovered is logged, with why an MP4 stayed fragmented.
 */
final class RecordingRecovery {
    private static final Logger log = LoggerFactory.getLogger(RecordingRecovery.class);
    /** Files looked at, at most: a recording folder holds recordings, not a file system. */
    static final int MAX_FILES = 100_000;
    /** Folders deep: as deep as a pathToFile may go. */
    static final int MAX_DEPTH = io.cascade.files.ConfinedPath.MAX_DEPTH;

    private RecordingRecovery() {
    }

    /** Recovers under {@code root}; returns the files put in place. Links are not followed: only our own files. */
    static List<Path> recover(Path root) throws IOException {
        List<Path> recovered = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return recovered;
        }
        List<Path> aside;
        try (Stream<Path> files = Files.walk(root, MAX_DEPTH)) {
            aside = files.limit(MAX_FILES).filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS))
                    .filter(f -> f.getFileName().toString().startsWith(".")).toList();
        }
        for (Path f : aside) {
            String name = f.getFileName().toString();
            String copyOf = ChunkNames.finished(name, ChunkNames.TMP);
            if (copyOf != null) {
                if (Files.exists(f.resolveSibling(ChunkNames.part(copyOf)), LinkOption.NOFOLLOW_LINKS)) {
                    Files.delete(f);
                    log.info("recording recovery: deleted {}, an MP4 made progressive only in part", root.relativize(f));
                } else {
                    recovered.add(putInPlace(root, f, copyOf, ", a progressive MP4"));
                }
            }
        }
        for (Path f : aside) {
            String partOf = ChunkNames.finished(f.getFileName().toString(), ChunkNames.PART);
            if (partOf != null && Files.exists(f, LinkOption.NOFOLLOW_LINKS)) {
                Path p = RecordingSpec.Format.of(partOf) == RecordingSpec.Format.MP4 ? recoverMp4(root, f, partOf)
                        : putInPlace(root, f, partOf, "");
                if (p != null) {
                    recovered.add(p);
                }
            }
        }
        return recovered;
    }

    /**
     * The MP4 part made progressive and put in place; or, when it cannot be, put in place as it is; or deleted when it
     * ends before its first fragment. Returns the file put in place, null when none was.
     */
    private static Path recoverMp4(Path root, Path part, String name) throws IOException {
        Path tmp = part.resolveSibling(ChunkNames.tmp(name));
        String why = null;
        ProgressiveMp4.Result made = null;
        long partBytes;
        try (FileChannel in = FileChannel.open(part, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            partBytes = in.size();
            Mp4FileReader reader = null;
            try {
                reader = Mp4FileReader.open(in); // bounded: the reader's limits on boxes and samples
            } catch (IOException | RuntimeException e) {
                if (endsBeforeFirstFragment(in)) {
                    in.close();
                    Files.delete(part);
                    log.info("recording recovery: deleted {}, an MP4 that ends before its first fragment ({} bytes)",
                            root.relativize(part), partBytes);
                    return null;
                }
                why = "it cannot be read: " + e.getMessage();
            }
            if (reader != null && reader.sampleCount() > Mp4FileWriter.MAX_SAMPLES_PER_FILE) {
                why = reader.sampleCount() + " samples, more than the " + Mp4FileWriter.MAX_SAMPLES_PER_FILE
                        + " one progressive file holds";
            } else if (reader != null) {
                try {
                    made = writeSynced(reader, tmp);
                } catch (IOException | RuntimeException e) {
                    // the part is untouched: it is recovered as it is (a crash here leaves copy and part: see above)
                    why = "it could not be rewritten: " + e.getMessage();
                    try {
                        Files.deleteIfExists(tmp);
                    } catch (IOException notDeleted) {
                        why += "; " + root.relativize(tmp) + " not deleted: " + notDeleted.getMessage();
                    }
                }
            }
        }
        if (made == null) {
            log.warn("recording recovery: {} kept as a fragmented MP4: {}", root.relativize(part), why);
            return putInPlace(root, part, name, ", a fragmented MP4");
        }
        Files.delete(part); // before the rename: a copy aside without its part is a finished file (see above)
        Path target = move(tmp, name);
        log.info("recording recovery: {} recovered as {} ({} bytes, a progressive MP4 of the {} samples of the part's"
                        + " whole fragments{}; the part had {} bytes)", root.relativize(part), root.relativize(target),
                made.bytes(), made.samples(), made.skipped() > 0 ? ", " + made.skipped() + " damaged ones left out" : "",
                partBytes);
        return target;
    }

    /** The progressive MP4 written to {@code tmp} (replaced) and synced: only then is the result given. */
    private static ProgressiveMp4.Result writeSynced(Mp4FileReader reader, Path tmp) throws IOException {
        Files.deleteIfExists(tmp);
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            ProgressiveMp4.Result made = ProgressiveMp4.write(reader, out);
            out.force(true);
            return made;
        }
    }

    /**
     * Whether the file ends within its first two boxes, the ftyp and moov a recording's MP4 part starts with: the
     * recording stopped before its first fragment, so the part holds no media. A file of another layout does not.
     */
    private static boolean endsBeforeFirstFragment(FileChannel in) throws IOException {
        long size = in.size();
        long at = 0;
        for (int box = 0; box < 2; box++) {
            if (size - at < 8) {
                return true;
            }
            long boxSize = ByteBuffer.wrap(ChannelReads.readFully(in, at, 8)).getInt() & 0xFFFF_FFFFL;
            if (boxSize < 8) {
                return false; // a 64-bit or to-the-end size: not the header the writer makes
            }
            at += boxSize;
        }
        return size <= at;
    }

    private static Path putInPlace(Path root, Path aside, String name, String what) throws IOException {
        Path target = move(aside, name);
        log.info("recording recovery: {} recovered as {} ({} bytes{})", root.relativize(aside), root.relativize(target),
                Files.size(target), what);
        return target;
    }

    /** Renames the file aside to {@code name}, or to the first free {@code -recovered} name; returns where it went. */
    private static Path move(Path aside, String name) throws IOException {
        Path target = aside.resolveSibling(name);
        for (int n = 1; Files.exists(target, LinkOption.NOFOLLOW_LINKS); n++) {
            if (n > ChunkNames.MAX_NUMBER) {
                throw new IOException("no free name to recover " + aside + " as");
            }
            target = aside.resolveSibling(ChunkNames.recovered(name, n));
        }
        Files.move(aside, target, StandardCopyOption.ATOMIC_MOVE);
        return target;
    }
}
