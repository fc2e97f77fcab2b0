package io.cascade.packaging.files;

import io.cascade.files.ConfinedPath;
import io.cascade.packaging.Packaging;
import io.cascade.packaging.Segment;
import io.cascade.packaging.SegmentKeys;
import io.cascade.media.TrackType;
import io.cascade.metrics.RateLimitedLog;
import io.cascade.protocol.dash.DashManifest;
import io.cascade.protocol.hls.HlsPlaylist;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One stream written to a folder for an outside web server: the same segments the edges serve over HTTP (HLS:
 * MPEG-TS, optionally AES-128; DASH: CMAF per track), a playlist rewritten atomically after each segment, and in a
 * rolling playlist the files of segments that left it deleted, so the folder stays bounded.
 *
 * <p>Segments arrive on the stream hub's event loop; files are written on a worker thread, in order.
 *
 * <p>Every file stays inside the spec's root: the folder is checked with symbolic links followed when the output
 * opens and again before each segment is written, temporary files are created without following links, and the
 * only names taken from outside, the segment URIs of a resumed playlist, are used only when they are plain segment
 * file names in the folder.
 */
final class FileOutput {
    private static final Logger log = LoggerFactory.getLogger(FileOutput.class);
    /** An appending playlist lists at most this many segments (55 hours of 2 s segments); older ones drop off it. */
    static final int MAX_APPENDED_SEGMENTS = 100_000;
    /** Segments waiting for a slow disk at most; past it, new segments are skipped (and said in lastError). */
    static final int MAX_PENDING_WRITES = 8;
    /** Resumed playlists naming other things: one line per output at most, and few lines for many outputs. */
    private static final RateLimitedLog IGNORED_URIS = new RateLimitedLog(log);
    private static final Pattern OWN_FILES = Pattern.compile("index\\.(m3u8|mpd)|[0-9]+\\.ts|key-[0-9]+\\.key|[0-9]+\\.m4s|init-[0-9]+\\.mp4");

    private final long id;
    private final FileOutputSpec spec;
    private final Vertx vertx;
    private final SegmentKeys keys;
    private final RateLimitedLog failures = new RateLimitedLog(log);
    /** Worker-thread state from here on. */
    private final ArrayDeque<HlsPlaylist.Segment> playlist = new ArrayDeque<>();
    private final ArrayDeque<DashEntry> dash = new ArrayDeque<>();
    private long nextSequence;
    private long discontinuities;
    private boolean first = true;
    private volatile long segmentsWritten;
    private final java.util.concurrent.atomic.AtomicInteger pendingWrites = new java.util.concurrent.atomic.AtomicInteger();
    private volatile String lastError;

    FileOutput(long id, FileOutputSpec spec, Vertx vertx, byte[] keySecret) {
        this.id = id;
        this.spec = spec;
        this.vertx = vertx;
        this.keys = spec.aesKeyCount() > 0 ? new SegmentKeys(keySecret, spec.aesKeyCount()) : null;
    }

    long id() {
        return id;
    }

    FileOutputSpec spec() {
        return spec;
    }

    long segmentsWritten() {
        return segmentsWritten;
    }

    String lastError() {
        return lastError;
    }

    /** Prepares the folder (cleanup, resume); runs on a worker. */
    void open() throws IOException {
        requireInside(spec);
        Files.createDirectories(spec.folder());
        requireInside(spec); // again: what was created is what was checked
        if (spec.cleanup()) {
            deleteOwnFiles(spec.folder());
            deleteOwnFiles(spec.folder().resolve("v"));
            deleteOwnFiles(spec.folder().resolve("a"));
        }
        Path existing = spec.folder().resolve("index.m3u8");
        if (spec.resume() && spec.kind() == FileOutputSpec.Kind.HLS && Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            ResumedPlaylist old;
            try {
                ConfinedPath.requireInside(spec.root(), existing); // a link to a file elsewhere is not ours to read
                long size = Files.size(existing);
                if (size > ResumedPlaylist.MAX_BYTES) {
                    throw new IllegalArgumentException(size + " bytes: more than a playlist this server writes ("
                            + ResumedPlaylist.MAX_BYTES + " at most)");
                }
                old = ResumedPlaylist.parse(Files.readAllBytes(existing));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("hlsResume: the playlist in the folder is refused: " + e.getMessage());
            }
            resume(old);
        }
    }

    /**
     * The output's folder, and the track folders in it that DASH writes and cleanup empties, lead nowhere outside
     * the root once symbolic links are followed; IllegalArgumentException naming targetFolder when one does.
     */
    static void requireInside(FileOutputSpec spec) throws IOException {
        try {
            ConfinedPath.requireInside(spec.root(), spec.folder());
            ConfinedPath.requireInside(spec.root(), spec.folder().resolve("v"));
            ConfinedPath.requireInside(spec.root(), spec.folder().resolve("a"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("targetFolder: " + e.getMessage());
        }
    }

    /** A segment was completed: write it, in order, off the event loop. */
    void onSegment(Segment s) {
        if (pendingWrites.incrementAndGet() > MAX_PENDING_WRITES) {
            pendingWrites.decrementAndGet();
            lastError = "disk too slow: " + MAX_PENDING_WRITES + " segments waiting, segment " + s.index() + " skipped";
            failures.warn("{}: file output {}: {}", spec.stream(), id, lastError);
            return;
        }
        vertx.executeBlocking(() -> {
            try {
                requireInside(spec);
                if (spec.kind() == FileOutputSpec.Kind.HLS) {
                    writeHls(s);
                } else {
                    writeDash(s);
                }
                segmentsWritten++;
                lastError = null;
            } catch (IOException | RuntimeException e) {
                lastError = e.toString();
                failures.warn("{}: file output {} could not write segment {}: {}", spec.stream(), id, s.index(), e.toString());
            } finally {
                pendingWrites.decrementAndGet();
            }
            return null;
        }, true);
    }

    private void writeHls(Segment s) throws IOException {
        byte[] ts = Packaging.ts(s, spec.audioOnly());
        if (ts == null) {
            return;
        }
        long sequence = nextSequence++;
        String keyUri = null;
        if (keys != null) {
            int k = keys.keyNumber(sequence);
            keyUri = "key-" + k + ".key";
            Path keyFile = spec.folder().resolve(keyUri);
            if (!Files.exists(keyFile)) {
                atomicWrite(keyFile, keys.key(spec.stream(), k));
            }
            ts = keys.encrypt(spec.stream(), sequence, ts);
        }
        String name = s.index() + ".ts";
        atomicWrite(spec.folder().resolve(name), ts);
        boolean discontinuity = (s.discontinuity() || first) && !playlist.isEmpty();
        first = false;
        if (discontinuity) {
            discontinuities++;
        }
        playlist.add(new HlsPlaylist.Segment(sequence, name, s.durationMillis(), discontinuity, discontinuities, null,
                s.programDateTimeMillis(), keyUri));
        int keep = spec.appending() ? MAX_APPENDED_SEGMENTS : spec.playlistLength();
        while (playlist.size() > keep) {
            HlsPlaylist.Segment gone = playlist.poll();
            if (!spec.appending()) {
                Files.deleteIfExists(ConfinedPath.name(spec.folder(), gone.uri()));
            }
        }
        String text = HlsPlaylist.media(HlsPlaylist.TS_VERSION,
                spec.appending() ? HlsPlaylist.Type.EVENT : HlsPlaylist.Type.LIVE, 0,
                List.copyOf(playlist), false);
        atomicWrite(spec.folder().resolve("index.m3u8"), text.getBytes(StandardCharsets.UTF_8));
    }

    /** One written DASH segment: what its MPD entry needs, not its frames. */
    private record DashEntry(Segment info, long[] video, long[] audio, long videoBitsPerSecond, long audioBitsPerSecond) {
    }

    private void writeDash(Segment s) throws IOException {
        DashEntry newest = dash.peekLast();
        if (newest != null && (s.index() != newest.info().index() + 1 || s.publishOrdinal() != newest.info().publishOrdinal())) {
            dash.clear(); // $Number$ needs numbers without gaps, and one Period is one publish
        }
        long[] video = null;
        long[] audio = null;
        for (TrackType track : new TrackType[] {TrackType.VIDEO, TrackType.AUDIO}) {
            if ((track == TrackType.VIDEO && spec.audioOnly()) || Packaging.track(s, track) == null) {
                continue;
            }
            byte[] media = Packaging.cmafMedia(s, track);
            if (media == null) {
                continue;
            }
            Path dir = spec.folder().resolve(track == TrackType.VIDEO ? "v" : "a");
            Files.createDirectories(dir);
            Path init = dir.resolve("init-" + s.publishOrdinal() + ".mp4");
            if (!Files.exists(init)) {
                atomicWrite(init, Packaging.cmafInit(s, track));
            }
            atomicWrite(dir.resolve(s.index() + ".m4s"), media);
            if (track == TrackType.VIDEO) {
                video = Packaging.timing(s, track);
            } else {
                audio = Packaging.timing(s, track);
            }
        }
        // a segment's frames are not kept: only its timing, and its config through the Segment's config frames
        dash.add(new DashEntry(new Segment(s.index(), s.publishOrdinal(), s.discontinuity(), s.clockAnchorMillis(),
                s.videoConfig(), s.audioConfig(), List.of(), s.startMillis(), s.durationMillis(), s.videoEnd(),
                s.payloadBytes()), video, audio, s.bitsPerSecond(TrackType.VIDEO), s.bitsPerSecond(TrackType.AUDIO)));
        int keep = spec.appending() ? MAX_APPENDED_SEGMENTS : spec.playlistLength();
        while (dash.size() > keep) {
            DashEntry gone = dash.poll();
            if (!spec.appending()) {
                Files.deleteIfExists(spec.folder().resolve("v").resolve(gone.info().index() + ".m4s"));
                Files.deleteIfExists(spec.folder().resolve("a").resolve(gone.info().index() + ".m4s"));
            }
        }
        atomicWrite(spec.folder().resolve("index.mpd"), mpd().getBytes(StandardCharsets.UTF_8));
    }

    private String mpd() {
        DashEntry newest = dash.peekLast();
        Segment info = newest.info();
        long total = 0;
        long longest = info.durationMillis();
        List<DashManifest.TimelineEntry> video = new ArrayList<>();
        List<DashManifest.TimelineEntry> audio = new ArrayList<>();
        for (DashEntry e : dash) {
            total += e.info().durationMillis();
            longest = Math.max(longest, e.info().durationMillis());
            if (e.video() != null) {
                video.add(new DashManifest.TimelineEntry(e.video()[0], e.video()[1]));
            }
            if (e.audio() != null) {
                audio.add(new DashManifest.TimelineEntry(e.audio()[0], e.audio()[1]));
            }
        }
        long start = dash.peekFirst().info().index();
        List<DashManifest.Representation> reps = new ArrayList<>(2);
        if (Packaging.track(info, TrackType.VIDEO) != null && !spec.audioOnly() && video.size() == dash.size()) {
            reps.add(Packaging.dashRepresentation(info, TrackType.VIDEO,
                    dash.stream().mapToLong(DashEntry::videoBitsPerSecond).max().orElse(1), start, video));
        }
        if (Packaging.track(info, TrackType.AUDIO) != null && audio.size() == dash.size()) {
            reps.add(Packaging.dashRepresentation(info, TrackType.AUDIO,
                    dash.stream().mapToLong(DashEntry::audioBitsPerSecond).max().orElse(1), start, audio));
        }
        long end = info.startMillis() + info.durationMillis();
        return DashManifest.dynamic(new DashManifest.Presentation(info.clockAnchorMillis(), info.clockAnchorMillis() + end,
                String.valueOf(info.publishOrdinal()), info.durationMillis(), total, 3 * longest, longest, longest, null),
                reps);
    }

    /**
     * Continues an earlier run's playlist (hlsResume): its segments stay listed, ours follow a discontinuity. What
     * of it is kept, and what refuses it, is {@link ResumedPlaylist}'s: only plain .ts file names in the folder (ones a
     * rolling playlist may later delete); others (paths, {@code ..}, absolute paths, URLs) are left out of the
     * playlist and never touched.
     */
    private void resume(ResumedPlaylist old) {
        playlist.addAll(old.segments());
        nextSequence = old.nextSequence();
        discontinuities = old.discontinuities();
        if (old.ignored() > 0) {
            IGNORED_URIS.warn("{}: file output {} resumes {} without {} URIs that are not segment files in it, such as '{}'",
                    spec.stream(), id, spec.folder(), old.ignored(), old.firstIgnored());
        }
        if (old.dropped() > 0) {
            log.warn("{}: file output {} resumes {} without its {} oldest segments: a playlist lists {} at most",
                    spec.stream(), id, spec.folder(), old.dropped(), ResumedPlaylist.MAX_SEGMENTS);
        }
        log.info("{}: file output {} resumes {} with {} segments listed", spec.stream(), id, spec.folder(), playlist.size());
    }

    private static void deleteOwnFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) && OWN_FILES.matcher(f.getFileName().toString()).matches()) {
                    Files.delete(f);
                }
            }
        }
    }

    /**
     * Readers (a web server) never see half a file: write aside, then rename over. The file aside is made new,
     * never opened through a link someone left under its name; the rename replaces a link, it does not follow it.
     */
    private static void atomicWrite(Path file, byte[] bytes) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.write(tmp, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
