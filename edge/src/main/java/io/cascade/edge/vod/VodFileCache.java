package io.cascade.edge.vod;

import io.cascade.media.MediaFile;
import io.cascade.media.MediaFileException;
import io.cascade.media.MemoryBudget;
import io.cascade.settings.Setting;
import io.cascade.vod.VodLibrary;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The media files a node plays on demand (RTMP, HLS, DASH, RTSP), on top of the node's {@link VodLibrary} (its
 * folders, opener and file-reading threads): names resolved in the VOD folders (never outside them),
 * files kept open with their index and segment plan, at most {@code vod.open.files.max} of them, the least recently
 * used closed first (once nobody uses it), and packaged segments kept in a bounded cache. A file is known by its path,
 * modification time and size: a file changed on disk is opened and indexed again at the next request, and its old
 * version closed once its last user lets it go. Everything that touches the disk runs on the library's threads
 * ({@link VodLibrary#blocking}, a play's {@link io.cascade.vod.PacedFile}), never on an event loop.
 */
public final class VodFileCache {
    private static final Logger log = LoggerFactory.getLogger(VodFileCache.class);
    public static final Setting<Integer> MAX_OPEN_FILES = Setting.integer("vod.open.files.max", 64, 1, 10_000,
            "media files kept open with their index for VOD (RTMP, HLS, DASH, RTSP); past it the least recently used is"
                    + " closed once no player uses it");
    public static final Setting<Long> SEGMENT_TARGET_MS = Setting.longInteger("vod.segment.target.ms", 4_000, 1_000,
            60_000, "length a file's HLS and DASH segments are cut to (at the video keyframe nearest to it)");
    public static final Setting<Long> CACHE_MAX_BYTES = Setting.longInteger("vod.cache.max.bytes", 128L << 20, 0,
            64L << 30, "packaged VOD segment bytes (CMAF, TS) kept in memory, least recently used dropped first;"
                    + " `0`: packaged per request");
    public static final Setting<Integer> CACHE_MAX_SEGMENTS = Setting.integer("vod.cache.max.segments", 4_096, 0,
            1_000_000, "packaged VOD segments kept in memory at most (with `vod.cache.max.bytes`)");
    public static final List<Setting<?>> SETTINGS = List.of(MAX_OPEN_FILES, SEGMENT_TARGET_MS, CACHE_MAX_BYTES,
            CACHE_MAX_SEGMENTS);

    private final VodLibrary library;
    private final int maxOpenFiles;
    private final long targetMillis;
    private final VodCache cache;
    /** Open files by path, least recently used first (guarded by this). */
    private final LinkedHashMap<Path, Entry> open = new LinkedHashMap<>(16, 0.75f, true);

    /** An open version of a file and how many leases use it (guarded by the library). */
    private static final class Entry {
        final VodFile file;
        final long modified;
        final long size;
        int users;
        boolean evicted;

        Entry(VodFile file, long modified, long size) {
            this.file = file;
            this.modified = modified;
            this.size = size;
        }
    }

    public VodFileCache(VodLibrary library, int maxOpenFiles, long targetMillis, long cacheMaxBytes,
                        int cacheMaxSegments, MemoryBudget.Account packaged) {
        this.library = library;
        this.maxOpenFiles = maxOpenFiles;
        this.targetMillis = targetMillis;
        this.cache = new VodCache(cacheMaxBytes, cacheMaxSegments, packaged);
    }

    /** The node's VOD service this cache is built on: its folders, play bound and file-reading threads. */
    public VodLibrary library() {
        return library;
    }

    /** One user's hold on an open file: the file stays open until every lease is closed. */
    public final class Lease implements AutoCloseable {
        private final Entry entry;
        private boolean closed;

        private Lease(Entry entry) {
            this.entry = entry;
        }

        public VodFile file() {
            return entry.file;
        }

        /**
         * The open file as a {@link MediaFile} for a {@link io.cascade.vod.PacedFile} (an RTMP or RTSP play): it
         * reads through the shared index, and closing it closes this lease, not the file.
         */
        public MediaFile media() {
            VodFile f = entry.file;
            return new MediaFile() {
                @Override
                public List<io.cascade.media.MediaFrame> configs() {
                    return f.configs();
                }

                @Override
                public int sampleCount() {
                    return f.sampleCount();
                }

                @Override
                public Sample sample(int i) {
                    return f.sample(i);
                }

                @Override
                public io.cascade.media.MediaFrame read(int i) throws IOException {
                    return f.read(i);
                }

                @Override
                public long durationMillis() {
                    return f.durationMillis();
                }

                @Override
                public int seekIndex(long millis) {
                    return f.seekIndex(millis - f.sample(0).millis()); // the index's binary search, not a walk
                }

                @Override
                public void close() {
                    Lease.this.close();
                }
            };
        }

        @Override
        public void close() {
            synchronized (VodFileCache.this) {
                if (closed) {
                    return;
                }
                closed = true;
                entry.users--;
                closeIfUnused(entry);
            }
        }
    }

    /**
     * Blocking: the file {@code relative} names in {@code app}'s folder, opened (or the open one, when the file has
     * not changed). NoSuchFileException for no such file or application, IllegalArgumentException for a refused name
     * (both a 404 to clients: no path is ever shown), {@link MediaFileException} for a file that is
     * not media we read, another IOException when the disk fails.
     */
    public Lease open(String app, String relative) throws IOException {
        Path path = library.find(app, relative);
        BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
        long modified = attributes.lastModifiedTime().toMillis();
        long size = attributes.size();
        synchronized (this) {
            Entry e = open.get(path);
            if (e != null && e.modified == modified && e.size == size) {
                e.users++;
                return new Lease(e);
            }
            if (e != null) {
                evict(path, e); // changed on disk: its players keep the old version until they leave
            }
        }
        // opened outside the lock: an index of a large file takes a while, and other files must not wait for it
        String key = path + "@" + modified + ":" + size;
        MediaFile media;
        try {
            media = library.open(path);
        } catch (RuntimeException bad) {
            // a reader's bug on a strange file is that file's failure, never a refused name (a 404)
            throw new MediaFileException("cannot be read: " + bad, bad);
        }
        VodFile file;
        try {
            file = new VodFile(key, media, targetMillis);
        } catch (RuntimeException bad) {
            media.close();
            throw new MediaFileException("cannot be segmented: " + bad.getMessage(), bad);
        }
        synchronized (this) {
            Entry raced = open.get(path);
            if (raced != null && raced.modified == modified && raced.size == size) {
                file.close(); // another request opened the same version meanwhile: use that one
                raced.users++;
                return new Lease(raced);
            }
            if (raced != null) {
                evict(path, raced);
            }
            Entry e = new Entry(file, modified, size);
            e.users = 1;
            open.put(path, e);
            Iterator<Map.Entry<Path, Entry>> oldest = open.entrySet().iterator();
            while (open.size() > maxOpenFiles && oldest.hasNext()) {
                Entry old = oldest.next().getValue();
                if (old != e) {
                    old.evicted = true;
                    oldest.remove();
                    closeIfUnused(old);
                }
            }
            log.debug("{}/{}: opened for VOD ({} samples, {} segments)", app, relative, file.sampleCount(),
                    file.cuts().size());
            return new Lease(e);
        }
    }

    private void evict(Path path, Entry e) {
        open.remove(path);
        e.evicted = true;
        closeIfUnused(e);
    }

    private static void closeIfUnused(Entry e) {
        if (e.evicted && e.users == 0) {
            e.file.close();
        }
    }

    /** Files open now (for tests and metrics). */
    public synchronized int openFiles() {
        return open.size();
    }

    /** A packaged output of a file's version, kept or built now (blocking) and kept if the cache has room. */
    public byte[] packaged(VodFile file, String what, Callable<byte[]> build) throws Exception {
        String key = file.key() + "/" + what;
        byte[] kept = cache.get(key);
        if (kept != null) {
            return kept;
        }
        byte[] built = build.call();
        cache.put(key, built);
        return built;
    }

    public long cachedBytes() {
        return cache.bytes();
    }

    /** The node stops: every file closes once its last lease does (the library's threads are the library's). */
    public void close() {
        synchronized (this) {
            open.values().forEach(e -> {
                e.evicted = true;
                closeIfUnused(e);
            });
            open.clear();
        }
        cache.clear();
    }
}
