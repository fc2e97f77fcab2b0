package io.cascade.packaging.recording;

import io.cascade.media.MediaFrame;
import io.cascade.media.TrackType;
import io.cascade.metrics.RateLimitedLog;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One recording: the frames of its stream as the node's hub delivers them, handed in order to its files
 * ({@link RecordingFiles}) on a worker, and what {@code listRecordings} shows of it.
 *
 * <p>On the hub's event loop it keeps one timeline across the stream's publishes: a republish goes on
 * {@link #REPUBLISH_GAP_MS} after the last frame of the one before, and frames the hub hands over twice (a snapshot
 * overlapping frames already seen) are dropped by their sequence. What waits for the worker is bounded
 * ({@link #MAX_PENDING_BYTES}, {@link #MAX_PENDING_FRAMES}): past it frames are dropped, counted and logged, and the
 * recording goes on at the next keyframe, so a slow disk costs a piece of the recording, never the node's memory.
 *
 * <p>A write that fails (a full disk, a folder gone) ends this recording only: its open file stops where it was and
 * stays aside, to be recovered at the next start.
 */
final class Recording {
    private static final Logger log = LoggerFactory.getLogger(Recording.class);
    /** Between the last frame of a publish and the first of the next, on the recording's timeline. */
    static final long REPUBLISH_GAP_MS = 40;
    /** Frame bytes waiting for the disk, per recording: seconds of a high-bitrate stream. */
    static final long MAX_PENDING_BYTES = 16L * 1024 * 1024;
    /** Frames waiting for the disk, per recording. */
    static final int MAX_PENDING_FRAMES = 4096;
    /** Tasks one turn of the worker runs before it lets other recordings' tasks go first. */
    private static final int WORKER_BATCH = 256;

    enum State { WAITING, RECORDING, STOPPED }

    private final long id;
    private final RecordingSpec spec;
    private final String node;
    private final long startedAtMillis = System.currentTimeMillis();
    private final Executor workers;
    private final AtomicLong bytesRecorded;
    private final Consumer<Recording> ended;
    private final RecordingFiles files;
    private final RateLimitedLog drops = new RateLimitedLog(log);

    /** Hub event loop from here on. */
    private MediaFrame videoConfig;
    private MediaFrame audioConfig;
    private boolean publishEnded = true;
    private boolean started;
    private boolean dropping;
    private long offset;
    private long lastTimeline = -1;
    private long lastSequence = -1;
    private boolean stopping;

    /** Worker side: tasks in order, one turn at a time on the shared workers. */
    private final Queue<Task> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean turn = new AtomicBoolean();
    private final AtomicLong pendingBytes = new AtomicLong();
    private final AtomicInteger pendingFrames = new AtomicInteger();
    private boolean failed;
    private final Promise<Void> stopped = Promise.promise();

    /** Read by listRecordings and the metrics, from any thread. */
    private volatile boolean live;
    private volatile boolean fileOpen;
    private volatile boolean over;
    private volatile String currentFile;
    private volatile int filesWritten;
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong framesDropped = new AtomicLong();
    private volatile String lastError;

    /**
     * @param bytesRecorded the node's count of bytes written to recordings
     * @param ended         told once when the recording has stopped (asked, failed, its publish ended), on a worker
     */
    Recording(long id, RecordingSpec spec, String node, boolean resumed, Executor workers, AtomicLong bytesRecorded,
              Consumer<Recording> ended) {
        this.id = id;
        this.spec = spec;
        this.node = node;
        this.workers = workers;
        this.bytesRecorded = bytesRecorded;
        this.ended = ended;
        this.files = new RecordingFiles(this, spec, resumed);
    }

    long id() {
        return id;
    }

    RecordingSpec spec() {
        return spec;
    }

    State state() {
        return over ? State.STOPPED : live && fileOpen ? State.RECORDING : State.WAITING;
    }

    /** Completes once the recording has stopped and its open file is in place. */
    Future<Void> stopped() {
        return stopped.future();
    }

    /** Frames in stream order (a snapshot or one live frame); on the hub's event loop. */
    void onFrames(List<MediaFrame> frames) {
        for (MediaFrame f : frames) {
            onFrame(f);
        }
    }

    void onFrame(MediaFrame f) {
        if (stopping || f.isDataMessage()) {
            return;
        }
        if (f.isConfig()) {
            keepConfig(f); // before the sequence check: a snapshot puts each track's latest config ahead of the GOP
            return;
        }
        if (publishEnded) {
            publishEnded = false;
            lastSequence = -1; // each publish numbers its frames from 0
            offset = lastTimeline < 0 ? -f.dtsMillis() : lastTimeline + REPUBLISH_GAP_MS - f.dtsMillis();
            live = true;
            started = true;
            submit(files::gap);
        }
        if (f.sequence() <= lastSequence) {
            return;
        }
        lastSequence = f.sequence();
        if (f.trackType() == TrackType.DATA) {
            return; // the publisher's metadata: each format writes what it needs of its own
        }
        long timeline = f.dtsMillis() + offset;
        lastTimeline = Math.max(lastTimeline, timeline);
        int size = f.payload().length;
        if (dropping && pendingBytes.get() < MAX_PENDING_BYTES / 2 && pendingFrames.get() < MAX_PENDING_FRAMES / 2) {
            dropping = false; // the files wait for the next keyframe (the gap sent when dropping began)
        }
        if (!dropping && (pendingBytes.get() + size > MAX_PENDING_BYTES || pendingFrames.get() >= MAX_PENDING_FRAMES)) {
            dropping = true;
            submit(files::gap);
            drops.warn("{}: recording {}: the disk is behind ({} frames, {} bytes waiting): frames are dropped up to"
                    + " a keyframe", spec.stream(), id, pendingFrames.get(), pendingBytes.get());
        }
        if (dropping) {
            framesDropped.incrementAndGet();
            return;
        }
        MediaFrame video = videoConfig;
        MediaFrame audio = audioConfig;
        pendingBytes.addAndGet(size);
        pendingFrames.incrementAndGet();
        submit(() -> {
            try {
                files.frame(f, timeline, video, audio);
            } finally {
                pendingBytes.addAndGet(-size);
                pendingFrames.decrementAndGet();
            }
        });
    }

    /** The configuration the track's next frames are written with (in the next file when it changed). */
    private void keepConfig(MediaFrame config) {
        switch (config.trackType()) {
            case VIDEO -> videoConfig = config;
            case AUDIO -> audioConfig = config;
            default -> { } // no data track has a decoder configuration
        }
    }

    /**
     * The publisher went away; on the hub's event loop. The open file stays open for the next publish, unless the
     * recording was a publish's own (RTMP record/append), which ends with it.
     */
    void onPublishEnded() {
        publishEnded = true;
        live = false;
        videoConfig = null; // the next publish brings its own, perhaps other tracks
        audioConfig = null;
        if (spec.untilUnpublish() && started) {
            stop();
        }
    }

    /** Whether frames of a publish came: a publish's own recording stops at that publish's end only. */
    boolean started() {
        return started;
    }

    /** Stops: the open file is finished and put in place; on the hub's event loop. Safe to call twice. */
    Future<Void> stop() {
        if (!stopping) {
            stopping = true;
            live = false;
            submit(files::finish);
            submit(this::end);
        }
        return stopped.future();
    }

    private void end() {
        if (!over) {
            over = true;
            ended.accept(this);
            stopped.tryComplete();
        }
    }

    private void failed(Exception e) {
        failed = true;
        lastError = e.toString();
        log.warn("{}: recording {} stops: writing {} failed: {}", spec.stream(), id,
                currentFile == null ? spec.path() : currentFile, e.toString());
        files.abandon();
        end();
    }

    /** A piece of the recording's work on its worker; a failure ends the recording. */
    @FunctionalInterface
    private interface Task {
        void run() throws Exception;
    }

    /** Runs the task after every task submitted before it, on a worker. */
    private void submit(Task task) {
        tasks.add(task);
        if (turn.compareAndSet(false, true)) {
            workers.execute(this::work);
        }
    }

    private void work() {
        for (int i = 0; i < WORKER_BATCH; i++) {
            Task task = tasks.poll();
            if (task == null) {
                break;
            }
            if (failed) {
                continue; // the recording has ended: what was still waiting is not written
            }
            try {
                task.run();
            } catch (Exception e) {
                failed(e);
            }
        }
        turn.set(false);
        if (!tasks.isEmpty() && turn.compareAndSet(false, true)) {
            workers.execute(this::work);
        }
    }

    /** From the files, on the worker. */
    void wrote(long n) {
        if (n > 0) {
            bytes.addAndGet(n);
            bytesRecorded.addAndGet(n);
        }
    }

    void fileOpened(String shown) {
        currentFile = shown;
        fileOpen = true;
    }

    void fileClosed() {
        fileOpen = false;
    }

    void fileWritten() {
        filesWritten++;
    }

    /** As listRecordings shows it. */
    JsonObject describe() {
        JsonObject j = new JsonObject().put("id", id).put("localStreamName", spec.stream())
                .put("type", spec.format().extension()).put("pathToFile", spec.path())
                .put("state", state().name().toLowerCase(java.util.Locale.ROOT)).put("node", node)
                .put("origin", spec.origin().shown()).put("overwrite", spec.overwrite())
                .put("chunkLength", spec.chunkLengthMs() / 1000).put("startedAt", startedAtMillis)
                .put("filesWritten", filesWritten).put("bytes", bytes.get()).put("framesDropped", framesDropped.get());
        if (currentFile != null) {
            j.put("currentFile", currentFile);
        }
        if (lastError != null) {
            j.put("lastError", lastError);
        }
        return j;
    }
}
