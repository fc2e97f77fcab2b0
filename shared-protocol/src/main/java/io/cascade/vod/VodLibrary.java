package io.cascade.vod;

import io.cascade.files.VodFolders;
import io.cascade.media.MediaFile;
import io.cascade.settings.Setting;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node's one service for files played on demand and pulled as live streams, whatever the protocol: the folders
 * ({@link VodFolders}), how a file is opened, the node's bound on plays of files at once ({@code vod.max.plays}, RTMP
 * and RTSP plays: each holds an open file, a read-ahead and a share of the reading threads, so the node refuses the
 * next one rather than slow every one), and the one pool of {@link #READ_THREADS} threads every file read of the node
 * runs on, never an event loop. HTTP segment requests are no plays: they only use the pool, within
 * {@link #MAX_QUEUED_TASKS}. The edge's open-file cache (index, segments) is built on this library.
 */
public final class VodLibrary {
    public static final Setting<Integer> MAX_PLAYS = Setting.integer("vod.max.plays", 1_000, 0, 1_000_000,
            "plays of files (VOD) a node serves at once, over RTMP and RTSP; the next is refused until one ends");
    /** Threads that read files for every protocol and pull: a few disks' worth; more would only queue in the kernel. */
    public static final int READ_THREADS = 4;
    /** The pool's name (thread names, blocked-thread warnings). */
    public static final String POOL = "cascade-file-reads";
    /**
     * File tasks waiting for a thread at most from {@link #blocking} (HTTP requests, RTSP opens): past it they fail at
     * once with {@link Busy} (a 503) instead of queueing without bound behind a slow disk. A play's own reads are
     * counted too but never refused: a play has one at a time, and plays are bounded by {@code vod.max.plays}.
     */
    public static final int MAX_QUEUED_TASKS = 1024;
    /** A blocking read that takes longer than this is reported by Vert.x as stuck. */
    private static final long MAX_READ_SECONDS = 60;

    /** Opens a media file for playback (MP4 or FLV, by its contents); blocking. */
    @FunctionalInterface
    public interface Opener {
        MediaFile open(Path file) throws IOException;
    }

    /** {@link #MAX_QUEUED_TASKS} file tasks wait already: the request is answered 503. */
    public static final class Busy extends Exception {
        Busy() {
            super("VOD file reads are all busy", null, false, false);
        }
    }

    private final Vertx vertx;
    private final VodFolders folders;
    private final Opener opener;
    private final int maxPlays;
    private final AtomicInteger playing = new AtomicInteger();
    private final AtomicInteger queued = new AtomicInteger();
    /** The node's file-reading pool; it ends with the node's Vert.x, as every worker pool does. */
    private final WorkerExecutor workers;

    public VodLibrary(Vertx vertx, VodFolders folders, Opener opener, int maxPlays) {
        this.vertx = vertx;
        this.folders = folders;
        this.opener = opener;
        this.maxPlays = maxPlays;
        this.workers = vertx.createSharedWorkerExecutor(POOL, READ_THREADS, MAX_READ_SECONDS, TimeUnit.SECONDS);
    }

    public boolean serves(String app) {
        return folders.serves(app);
    }

    /**
     * The file {@code relative} names in {@code app}'s folder (not opened). Throws IllegalArgumentException for a name
     * that is refused (leading out of the folder), NoSuchFileException when there is no such application or file.
     */
    public Path find(String app, String relative) throws IOException {
        return folders.find(app, relative);
    }

    /** Opens {@code file} with the reader its contents call for; blocking, so on a worker. */
    public MediaFile open(Path file) throws IOException {
        return opener.open(file);
    }

    /** {@link #find} then {@link #open}: a file of its own for one user (a file pull); blocking. */
    public MediaFile open(String app, String relative) throws IOException {
        return open(find(app, relative));
    }

    /**
     * Runs a blocking task on the node's file-reading threads (unordered: one slow file does not hold the others);
     * fails at once with {@link Busy} when {@link #MAX_QUEUED_TASKS} wait already.
     */
    public <T> Future<T> blocking(Callable<T> task) {
        if (queued.incrementAndGet() > MAX_QUEUED_TASKS) {
            queued.decrementAndGet();
            return Future.failedFuture(new Busy());
        }
        return submit(task);
    }

    private <T> Future<T> submit(Callable<T> task) {
        return workers.executeBlocking(() -> {
            try {
                return task.call();
            } finally {
                queued.decrementAndGet();
            }
        }, false);
    }

    /** A {@link PacedFile}'s host for a play or pull owned by {@code context}: its reads on this library's threads. */
    public PacedFile.Host host(Context context) {
        return new VertxFileHost(vertx, context, this::execute);
    }

    /**
     * Runs a blocking task that must run (a play's next read, closing what a play opened) on the file-reading
     * threads: counted with the others but never refused, since each admitted play has one at a time.
     */
    public void execute(Runnable task) {
        queued.incrementAndGet();
        submit(() -> {
            task.run();
            return null;
        });
    }

    /** Takes one of the node's plays of files: false when {@code vod.max.plays} are playing already. */
    public boolean take() {
        while (true) {
            int now = playing.get();
            if (now >= maxPlays) {
                return false;
            }
            if (playing.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /** Gives back a play {@link #take} gave. */
    public void release() {
        playing.decrementAndGet();
    }

    public int playing() {
        return playing.get();
    }

    public int maxPlays() {
        return maxPlays;
    }
}
