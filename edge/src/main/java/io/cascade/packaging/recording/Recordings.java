package io.cascade.packaging.recording;

import io.cascade.cluster.FrameBatch;
import io.cascade.edge.FrameSink;
import io.cascade.edge.StreamHub;
import io.cascade.edge.StreamHubs;
import io.cascade.files.ConfinedPath;
import io.cascade.media.MediaFrame;
import io.cascade.settings.Setting;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node's recordings: EMS's {@code record}, {@code listRecordings} and {@code stopRecording}, and the recording of
 * an RTMP publish of type {@code record} or {@code append}. Each follows its stream through the node's hub (one sink
 * per stream for all its recordings), so a recording asked for before its stream is live waits for it, and one goes
 * on across republishes. Files go under {@code recording.dir} only ({@link ConfinedPath}), written aside and moved into
 * place ({@link ChunkNames}); blocking file work runs on {@link #WORKERS} threads of their own, never an event loop.
 *
 * <p>A recording lives on the node that was asked. The API's recordings are kept in {@code recordings.json} in the
 * node's data folder and start again, in new files, when the node starts again; a publish's own recording does not
 * outlive its publish. At startup, before they resume, what a crash left aside is put in place
 * ({@link RecordingRecovery}). {@link #stopAll} finishes every file when the node stops.
 */
public final class Recordings {
    private static final Logger log = LoggerFactory.getLogger(Recordings.class);
    public static final int DEFAULT_MAX = 100;
    /** Each recording holds a hub, a worker queue and an MP4 sample table: 10,000 is past any disk's throughput. */
    public static final int MAX_MAX = 10_000;
    public static final Setting<Integer> MAX = Setting.integer("recording.max", DEFAULT_MAX, 0, MAX_MAX,
            "recordings (API `record`, RTMP publishes of type record or append) one node runs at once");
    public static final Setting<String> DIR = Setting.text("recording.dir", "recordings",
            "the folder recordings are written under (absolute, or relative to `data.dir`); `pathToFile` is relative"
                    + " to it and stays inside it");
    /** Stopped recordings listRecordings still shows, newest first. */
    public static final int MAX_STOPPED_LISTED = 100;
    /** Threads that write every recording's files, each recording's in order. */
    public static final int WORKERS = 2;
    /** The file the API's recordings are kept in, in the node's data folder. */
    public static final String FILE_NAME = "recordings.json";
    /** Largest recordings.json read back: MAX_MAX recordings of a few hundred bytes each. */
    static final long MAX_FILE_BYTES = 8L * 1024 * 1024;
    /** After a publish's end, how long its own recording may wait for the stream's stop before it is stopped. */
    static final long PUBLISH_END_GRACE_MS = 3_000;

    private final Vertx vertx;
    private final StreamHubs hubs;
    private final String node;
    private final Path root;
    private final Path stateFile;
    private final int max;
    private final ExecutorService workers;
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong bytesRecorded = new AtomicLong();
    private final Map<Long, Attached> active = new ConcurrentHashMap<>();
    /** The first file of each active recording: two recordings never write one name. */
    private final Map<Path, Long> claims = new ConcurrentHashMap<>();
    private final Deque<JsonObject> stopped = new ArrayDeque<>();
    private volatile boolean stopping;

    private record Attached(Recording recording, StreamHub hub) {
    }

    /**
     * @param root      the recording folder (recording.dir, resolved)
     * @param stateFile where the API's recordings are kept (data.dir/recordings.json); null: nowhere
     */
    public Recordings(Vertx vertx, StreamHubs hubs, String node, Path root, Path stateFile, int max) {
        this.vertx = vertx;
        this.hubs = hubs;
        this.node = node;
        this.root = root.toAbsolutePath().normalize();
        this.stateFile = stateFile;
        this.max = max;
        AtomicInteger threads = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(WORKERS, r -> {
            Thread t = new Thread(r, "cascade-recording-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Puts in place what a crash left aside, then resumes the recordings kept in the data folder. */
    public Future<Void> start() {
        return vertx.executeBlocking(() -> {
            RecordingRecovery.recover(root);
            return kept();
        }, false).map(specs -> {
            for (RecordingSpec spec : specs) {
                if (active.size() >= max || claims.containsKey(spec.file())) {
                    log.warn("{}: recording to {} not resumed: recording.max or another recording of the file",
                            spec.stream(), spec.path());
                    continue;
                }
                Recording r = begin(spec, true);
                log.info("{}: recording {} resumed to {} in a new file", spec.stream(), r.id(), spec.path());
            }
            return null;
        });
    }

    /**
     * {@code record}: starts a recording; fails with IllegalArgumentException (a bad parameter, named: a pathToFile
     * that leads out of the folder, a first file that exists without overwrite=1) having created nothing, or with
     * IllegalStateException when the node records as many as it may or the file is being recorded already.
     */
    public Future<JsonObject> record(Map<String, String> params) {
        RecordingSpec spec;
        try {
            spec = RecordingSpec.parse(params, root);
            refuseBusy(spec);
        } catch (IllegalArgumentException | IllegalStateException e) {
            return Future.failedFuture(e);
        }
        return vertx.executeBlocking(() -> {
            checkFolder(spec);
            return null;
        }, false).map(checked -> {
            refuseBusy(spec); // again: another call may have taken it meanwhile
            Recording r = begin(spec, false);
            log.info("{}: recording {} to {} ({}{})", spec.stream(), r.id(), spec.path(), spec.format().extension(),
                    spec.chunkLengthMs() > 0 ? ", a file every " + spec.chunkLengthMs() / 1000 + " s" : "");
            keep();
            return r.describe();
        });
    }

    private synchronized void refuseBusy(RecordingSpec spec) {
        if (stopping) {
            throw new IllegalStateException("the node is stopping");
        }
        if (active.size() >= max) {
            throw new IllegalStateException("this node runs " + max + " recordings at most (recording.max)");
        }
        Long other = claims.get(spec.file());
        if (other != null) {
            throw new IllegalStateException("pathToFile: '" + spec.path() + "' is being recorded by recording " + other);
        }
    }

    /** The folder stays inside the recording folder, and without overwrite the first file is not there yet. */
    private static void checkFolder(RecordingSpec spec) throws IOException {
        try {
            ConfinedPath.requireInside(spec.root(), spec.file());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("pathToFile: " + e.getMessage());
        }
        Path first = spec.file().resolveSibling(ChunkNames.chunk(spec.file().getFileName().toString(), 1,
                spec.chunkLengthMs() > 0));
        if (!spec.overwrite() && Files.exists(first, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException("pathToFile: '" + spec.root().relativize(first)
                    + "' exists; overwrite=1 replaces it");
        }
    }

    /** Starts a recording of a spec that passed the checks. */
    private synchronized Recording begin(RecordingSpec spec, boolean resumed) {
        long id = ids.incrementAndGet();
        Recording r = new Recording(id, spec, node, resumed, workers, bytesRecorded, this::ended);
        StreamHub hub = hubs.acquire(spec.stream(), vertx.getOrCreateContext());
        if (hub == null) {
            throw new IllegalStateException("this node serves too many streams to record another");
        }
        claims.put(spec.file(), id);
        active.put(id, new Attached(r, hub));
        hub.context().runOnContext(v -> {
            StreamRecordings sink = hub.sink(StreamRecordings.class, StreamRecordings::new);
            sink.recordings.add(r);
            if (hub.isLive()) {
                r.onFrames(hub.snapshot()); // the current GOP: the recording starts at its keyframe
            }
        });
        return r;
    }

    /** A recording has stopped (asked to, failed, its publish ended): off its hub, its file free again. */
    private void ended(Recording r) {
        Attached a = active.remove(r.id());
        claims.remove(r.spec().file(), r.id());
        synchronized (stopped) {
            stopped.addFirst(r.describe());
            while (stopped.size() > MAX_STOPPED_LISTED) {
                stopped.removeLast();
            }
        }
        if (a != null) {
            StreamHub hub = a.hub();
            hub.context().runOnContext(v -> {
                StreamRecordings sink = hub.existingSink(StreamRecordings.class);
                if (sink != null) {
                    sink.recordings.remove(r);
                    if (sink.recordings.isEmpty()) {
                        hub.removeSink(StreamRecordings.class);
                    }
                }
                hubs.release(hub);
            });
        }
        log.info("{}: recording {} stopped", r.spec().stream(), r.id());
        if (!stopping && r.spec().origin() == RecordingSpec.Origin.API) {
            keep();
        }
    }

    /**
     * {@code stopRecording}: stops the recording with this id, or every recording of this stream (one of the two
     * given); completes once their open files are in place, with what they were. An empty array: none matched.
     */
    public Future<JsonArray> stop(Long id, String stream) {
        List<Attached> chosen = new ArrayList<>();
        for (Attached a : active.values()) {
            if ((id != null && a.recording().id() == id)
                    || (id == null && a.recording().spec().stream().equals(stream))) {
                chosen.add(a);
            }
        }
        List<Future<Void>> all = new ArrayList<>();
        for (Attached a : chosen) {
            all.add(stopOnHub(a));
        }
        return Future.join(all).transform(done -> {
            JsonArray out = new JsonArray();
            chosen.forEach(a -> out.add(a.recording().describe()));
            return Future.succeededFuture(out);
        });
    }

    private static Future<Void> stopOnHub(Attached a) {
        Promise<Void> done = Promise.promise();
        a.hub().context().runOnContext(v -> a.recording().stop().onComplete(done));
        return done.future();
    }

    /** {@code listRecordings}: the active recordings by id, then the last stopped ones, newest first. */
    public JsonArray list() {
        JsonArray out = new JsonArray();
        active.values().stream().map(Attached::recording).sorted(Comparator.comparingLong(Recording::id))
                .forEach(r -> out.add(r.describe()));
        synchronized (stopped) {
            stopped.forEach(out::add);
        }
        return out;
    }

    /**
     * An RTMP publish of type {@code record} (the file replaced) or {@code append} (the file continued) started:
     * records it to {@code <stream>.flv} while it lasts. Returns what to call when the publish ends.
     */
    public Runnable recordPublish(String stream, boolean append) {
        RecordingSpec spec = RecordingSpec.ofPublish(stream, append, root);
        Long holder = claims.get(spec.file());
        Attached previous = holder == null ? null : active.get(holder);
        if (previous != null && previous.recording().spec().origin() == RecordingSpec.Origin.API) {
            log.warn("{}: the publish is not recorded: recording {} writes {}", stream, holder, spec.path());
            return () -> { };
        }
        // the previous publish's own recording finishes its file first: the new one replaces or continues it
        Future<Void> before = previous == null ? Future.succeededFuture() : stopOnHub(previous);
        Promise<Recording> started = Promise.promise();
        before.onComplete(v -> {
            try {
                refuseBusy(spec);
                vertx.executeBlocking(() -> {
                    ConfinedPath.requireInside(root, spec.file());
                    return null;
                }, false).map(checked -> begin(spec, false)).onComplete(started);
            } catch (IllegalStateException e) {
                started.fail(e);
            }
        });
        started.future().onSuccess(r -> log.info("{}: publish of type {} recorded to {} (recording {})", stream,
                append ? "append" : "record", spec.path(), r.id()))
                .onFailure(e -> log.warn("{}: the publish is not recorded: {}", stream, e.getMessage()));
        return () -> vertx.setTimer(PUBLISH_END_GRACE_MS, t -> started.future().onSuccess(r -> {
            Attached a = active.get(r.id());
            if (a != null) {
                stopOnHub(a); // the stream's stop did not reach it (the publish ended before its first frame)
            }
        }));
    }

    /** Node shutdown: every recording's open file finished and in place, within the timeout; the kept list stays. */
    public void stopAll(long timeoutMs) {
        stopping = true;
        List<Future<Void>> all = new ArrayList<>();
        active.values().forEach(a -> all.add(stopOnHub(a)));
        try {
            Future.join(all).toCompletionStage().toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            log.warn("recordings: not every file was finished within {} ms: {}", timeoutMs, e.toString());
        }
        workers.shutdown();
    }

    /** Active recordings in this state (waiting, recording), or the stopped ones listed (stopped). */
    public int count(String state) {
        if (state.equals("stopped")) {
            synchronized (stopped) {
                return stopped.size();
            }
        }
        return (int) active.values().stream()
                .filter(a -> a.recording().state().name().equalsIgnoreCase(state)).count();
    }

    /** Bytes written to recordings' files since the node started. */
    public long bytesRecorded() {
        return bytesRecorded.get();
    }

    /** Rewrites recordings.json with the API's active recordings, on a worker, aside and renamed. */
    private void keep() {
        if (stateFile == null) {
            return;
        }
        JsonArray specs = new JsonArray();
        active.values().stream().map(Attached::recording).filter(r -> r.spec().origin() == RecordingSpec.Origin.API)
                .sorted(Comparator.comparingLong(Recording::id)).forEach(r -> specs.add(r.spec().toJson()));
        byte[] text = specs.encodePrettily().getBytes(StandardCharsets.UTF_8);
        vertx.executeBlocking(() -> {
            Files.createDirectories(stateFile.toAbsolutePath().getParent());
            Path tmp = stateFile.resolveSibling(FILE_NAME + ".tmp");
            Files.write(tmp, text);
            Files.move(tmp, stateFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return null;
        }, true).onFailure(e -> log.warn("recordings: {} not written: {}", stateFile, e.toString()));
    }

    /** The recordings kept in the data folder; a file that cannot be read is moved aside, logged, and left out. */
    private List<RecordingSpec> kept() throws IOException {
        List<RecordingSpec> specs = new ArrayList<>();
        if (stateFile == null || !Files.isRegularFile(stateFile)) {
            return specs;
        }
        try {
            if (Files.size(stateFile) > MAX_FILE_BYTES) {
                throw new IllegalArgumentException("larger than " + MAX_FILE_BYTES + " bytes");
            }
            JsonArray list = new JsonArray(Files.readString(stateFile));
            for (int i = 0; i < list.size() && i < MAX_MAX; i++) {
                Map<String, String> params = new HashMap<>();
                list.getJsonObject(i).forEach(e -> params.put(e.getKey(), String.valueOf(e.getValue())));
                specs.add(RecordingSpec.parse(params, root));
            }
        } catch (RuntimeException e) {
            Path aside = stateFile.resolveSibling(FILE_NAME + ".damaged");
            Files.move(stateFile, aside, StandardCopyOption.REPLACE_EXISTING);
            log.warn("recordings: {} cannot be read ({}); moved to {}, no recording resumed", stateFile, e.getMessage(),
                    aside);
            return List.of();
        }
        return specs;
    }

    /** The hub's sink for recordings: every recording of the stream on this node gets its frames. */
    static final class StreamRecordings implements FrameSink {
        final List<Recording> recordings = new CopyOnWriteArrayList<>();

        @Override
        public void onSnapshot(FrameBatch batch) {
            recordings.forEach(r -> r.onFrames(batch.frames()));
        }

        @Override
        public void onFrame(MediaFrame frame) {
            recordings.forEach(r -> r.onFrame(frame));
        }

        @Override
        public void onStarted() {
        }

        @Override
        public void onStopped() {
            recordings.forEach(Recording::onPublishEnded);
        }

        @Override
        public void onClosed() {
        }
    }
}
