package io.cascade.packaging.recording;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a crash left in the recording folder, put in place at startup, before any recording starts. Every part is a
 * file playable as far as it was written (MPEG-TS and FLV as such, MP4 as a fragmented MP4), so it is renamed to its
 * name, or to a {@code -recovered} name when that is taken ({@link ChunkNames#recovered}). A progressive MP4 copy aside
 * is deleted when its part is still there (the copy was cut short), and renamed into place when not (the part is
 * deleted only after the copy was synced). Each file recovered is logged.
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
                    recovered.add(putInPlace(root, f, copyOf));
                }
            }
        }
        for (Path f : aside) {
            String partOf = ChunkNames.finished(f.getFileName().toString(), ChunkNames.PART);
            if (partOf != null && Files.exists(f, LinkOption.NOFOLLOW_LINKS)) {
                recovered.add(putInPlace(root, f, partOf));
            }
        }
        return recovered;
    }

    private static Path putInPlace(Path root, Path aside, String name) throws IOException {
        Path target = aside.resolveSibling(name);
        for (int n = 1; Files.exists(target, LinkOption.NOFOLLOW_LINKS); n++) {
            if (n > ChunkNames.MAX_NUMBER) {
                throw new IOException("no free name to recover " + aside + " as");
            }
            target = aside.resolveSibling(ChunkNames.recovered(name, n));
        }
        Files.move(aside, target, StandardCopyOption.ATOMIC_MOVE);
        log.info("recording recovery: {} recovered as {} ({} bytes{})", root.relativize(aside), root.relativize(target),
                Files.size(target), name.endsWith(".mp4") && aside.getFileName().toString().endsWith(ChunkNames.PART)
                        ? ", a fragmented MP4" : "");
        return target;
    }
}
