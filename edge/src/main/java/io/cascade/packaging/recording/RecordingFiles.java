package io.cascade.packaging.recording;

import io.cascade.files.ConfinedPath;
import io.cascade.media.MediaFrame;
import io.cascade.media.TrackType;
import io.cascade.metrics.RateLimitedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The files of one recording, on its worker: which file is open, when the next one starts, and what it is named.
 *
 * <p>A file starts at a video keyframe (any frame of a stream without video), so every file plays from its first
 * frame: frames before the first keyframe of the recording, and after a gap (a republish, frames dropped for a slow
 * disk) until the next one, are left out. A new file starts there when the tracks' configurations changed (a
 * republish with other codecs, a new SPS), when {@code chunkLength} has passed, or when an MP4 file is full; otherwise
 * the open file goes on. Each file's timestamps start at 0.
 */
final class RecordingFiles {
    private static final Logger log = LoggerFactory.getLogger(RecordingFiles.class);
    private static final RateLimitedLog SKIPPED = new RateLimitedLog(log);

    private final Recording recording;
    private final RecordingSpec spec;
    /** A resumed recording never replaces a file: what it wrote before the restart is kept. */
    private final boolean resumed;
    private ChunkFile current;
    private MediaFrame currentVideo;
    private MediaFrame currentAudio;
    private long chunkStart;
    private int number;
    private boolean needStart = true;

    RecordingFiles(Recording recording, RecordingSpec spec, boolean resumed) {
        this.recording = recording;
        this.spec = spec;
        this.resumed = resumed;
    }

    /** The timeline does not go on from the frame before: the next file or frame waits for a keyframe. */
    void gap() {
        needStart = true;
    }

    /**
     * One frame at its time on the recording's timeline, with the configurations its publish has now (null for a
     * track it has not).
     */
    void frame(MediaFrame f, long timeline, MediaFrame videoConfig, MediaFrame audioConfig) throws IOException {
        boolean video = f.trackType() == TrackType.VIDEO;
        if (video ? videoConfig == null : audioConfig == null) {
            return; // no decoder configuration: no file can carry it
        }
        boolean startPoint = video ? f.isKeyframe() : videoConfig == null;
        if (needStart && !startPoint) {
            return;
        }
        if (startPoint) {
            boolean cut = current == null || !same(currentVideo, videoConfig) || !same(currentAudio, audioConfig)
                    || current.full() || (spec.chunkLengthMs() > 0 && timeline - chunkStart >= spec.chunkLengthMs());
            if (cut) {
                finish();
                open(timeline, videoConfig, audioConfig);
            }
            needStart = false;
        }
        long at = timeline - chunkStart;
        if (at < 0) {
            return; // from before the file's first keyframe (audio interleaved late): it belongs to no file
        }
        long before = current.written;
        try {
            current.write(f, at);
        } catch (IllegalArgumentException e) {
            SKIPPED.warn("{}: recording {}: a frame is not written to {}: {}", spec.stream(), recording.id(),
                    current.target.getFileName(), e.getMessage());
        }
        recording.wrote(current.written - before);
    }

    /** Finishes the open file, if any: in place under its name. */
    void finish() throws IOException {
        ChunkFile done = current;
        if (done == null) {
            return;
        }
        current = null;
        recording.fileClosed();
        long before = done.written;
        boolean kept = done.finish();
        recording.wrote(done.written - before); // the last fragments
        if (kept) {
            recording.fileWritten();
            log.info("{}: recording {} wrote {} ({} bytes)", spec.stream(), recording.id(), shown(done.target),
                    Files.size(done.target));
        }
    }

    /** After a failure: the open file stops where it is, its part kept for recovery. */
    void abandon() {
        if (current != null) {
            current.abandon();
            current = null;
            recording.fileClosed();
        }
    }

    private void open(long timeline, MediaFrame videoConfig, MediaFrame audioConfig) throws IOException {
        Path first = spec.file();
        Path folder = first.getParent();
        String name = first.getFileName().toString();
        boolean chunked = spec.chunkLengthMs() > 0;
        try {
            ConfinedPath.requireInside(spec.root(), first); // again before each file: a link may have appeared
            Files.createDirectories(folder);
            ConfinedPath.requireInside(spec.root(), first);
        } catch (IllegalArgumentException e) {
            throw new IOException("pathToFile: " + e.getMessage(), e);
        }
        ChunkFile opened = null;
        while (opened == null) {
            if (++number > ChunkNames.MAX_NUMBER) {
                throw new IOException("no free file name for " + name + " up to number " + ChunkNames.MAX_NUMBER);
            }
            Path target = folder.resolve(ChunkNames.chunk(name, number, chunked));
            boolean taken = Files.exists(target, LinkOption.NOFOLLOW_LINKS) || Files.exists(
                    target.resolveSibling(ChunkNames.part(target.getFileName().toString())), LinkOption.NOFOLLOW_LINKS);
            if (spec.origin() == RecordingSpec.Origin.PUBLISH_APPEND && Files.isRegularFile(target,
                    LinkOption.NOFOLLOW_LINKS)) {
                opened = FlvChunkFile.append(target, videoConfig, audioConfig); // null: not an FLV to go on with
                if (opened == null) {
                    log.warn("{}: recording {}: {} does not end with a whole FLV tag; appending to the next file",
                            spec.stream(), recording.id(), shown(target));
                }
                continue;
            }
            if (taken && (!spec.overwrite() || resumed)) {
                continue;
            }
            opened = switch (spec.format()) {
                case MP4 -> new Mp4ChunkFile(target, videoConfig, audioConfig);
                case TS -> new TsChunkFile(target, videoConfig, audioConfig);
                case FLV -> FlvChunkFile.create(target, videoConfig, audioConfig);
            };
        }
        current = opened;
        currentVideo = videoConfig;
        currentAudio = audioConfig;
        chunkStart = timeline;
        recording.fileOpened(shown(opened.target));
    }

    /** The path relative to the recording folder, as the API shows it. */
    private String shown(Path file) {
        return spec.root().relativize(file).toString();
    }

    private static boolean same(MediaFrame a, MediaFrame b) {
        return a == b || (a != null && b != null && a.codec() == b.codec() && Arrays.equals(a.payload(), b.payload()));
    }
}
