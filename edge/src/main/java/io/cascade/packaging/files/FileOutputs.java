package io.cascade.packaging.files;

import io.cascade.cluster.Addresses;
import io.cascade.cluster.StreamEvent;
import io.cascade.cluster.FrameBatch;
import io.cascade.edge.FrameSink;
import io.cascade.edge.StreamHub;
import io.cascade.edge.StreamHubs;
import io.cascade.packaging.PackageSettings;
import io.cascade.packaging.StreamPackage;
import io.cascade.media.MediaFrame;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The node's file outputs ({@code createHLSStream}, {@code createDASHStream}, {@code autoHLS}/{@code autoDASH}):
 * each stream that has outputs gets one packager on its hub, whose completed segments every output of the stream
 * writes. An output of a stream that is not live yet waits for it, and keeps writing across republishes.
 */
public final class FileOutputs {
    private static final Logger log = LoggerFactory.getLogger(FileOutputs.class);
    /** Outputs one node writes at most. */
    public static final int MAX_OUTPUTS = 1_000;

    private final Vertx vertx;
    private final StreamHubs hubs;
    private final Path dataDir;
    private final byte[] keySecret;
    private final PackageSettings packaging;
    private final Map<Long, Attached> outputs = new ConcurrentHashMap<>();
    /** kind/stream of the automatic outputs started: bounded, as each one holds an output (MAX_OUTPUTS). */
    private final Map<String, Boolean> autoStarted = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    /** @param packaging how segments are collected (its window is irrelevant here: outputs keep their own lists) */
    public FileOutputs(Vertx vertx, StreamHubs hubs, Path dataDir, byte[] keySecret, PackageSettings packaging) {
        this.vertx = vertx;
        this.hubs = hubs;
        this.dataDir = dataDir;
        this.keySecret = keySecret.clone();
        this.packaging = packaging;
    }

    private record Attached(FileOutput output, StreamHub hub) {
    }

    /**
     * Starts one output per stream named in {@code localStreamNames} (comma-separated), in {@code targetFolder}
     * under data.dir; fails with an IllegalArgumentException naming a bad parameter, before anything is created.
     * A targetFolder that is absolute, climbs out with {@code ..}, or leads out through a symbolic link is one.
     */
    public Future<JsonArray> create(FileOutputSpec.Kind kind, Map<String, String> params) {
        return start(params, stream -> FileOutputSpec.parse(kind, stream, params, dataDir));
    }

    private Future<JsonArray> start(Map<String, String> params, Function<String, FileOutputSpec> parse) {
        String names = params.get("localStreamNames");
        if (names == null || names.isBlank()) {
            return Future.failedFuture(new IllegalArgumentException("localStreamNames is required"));
        }
        List<FileOutputSpec> specs = new ArrayList<>();
        try {
            for (String name : names.split(",")) {
                specs.add(parse.apply(name.trim()));
            }
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(e);
        }
        if (outputs.size() + specs.size() > MAX_OUTPUTS) {
            return Future.failedFuture(new IllegalArgumentException("this node writes " + MAX_OUTPUTS
                    + " file outputs at most; remove some first"));
        }
        // where the folders lead on disk, for every stream of the call before any folder is made: a link out of
        // the root refuses the whole call
        return vertx.executeBlocking(() -> {
            for (FileOutputSpec spec : specs) {
                FileOutput.requireInside(spec);
            }
            return null;
        }, false).compose(checked -> {
            List<Future<JsonObject>> started = new ArrayList<>();
            for (FileOutputSpec spec : specs) {
                FileOutput output = new FileOutput(ids.incrementAndGet(), spec, vertx, keySecret);
                started.add(vertx.executeBlocking(() -> {
                    output.open();
                    return null;
                }, false).map(v -> attach(output)));
            }
            return Future.all(started).map(all -> {
                JsonArray out = new JsonArray();
                started.forEach(f -> out.add(f.result()));
                return out;
            });
        });
    }

    private JsonObject attach(FileOutput output) {
        StreamHub hub = hubs.acquire(output.spec().stream(), vertx.getOrCreateContext());
        if (hub == null) {
            throw new IllegalStateException("this node serves too many streams to add another");
        }
        outputs.put(output.id(), new Attached(output, hub));
        hub.context().runOnContext(v -> hub.sink(StreamFiles.class,
                () -> new StreamFiles(output.spec().stream(), packaging)).outputs.add(output));
        log.info("{}: writing {} to {} (output {})", output.spec().stream(), output.spec().kind(), output.spec().folder(),
                output.id());
        return describe(output);
    }

    /** Stops an output (its files stay); false when there is none with this id. */
    public boolean remove(long id) {
        Attached a = outputs.remove(id);
        if (a == null) {
            return false;
        }
        StreamHub hub = a.hub();
        hub.context().runOnContext(v -> {
            StreamFiles files = hub.existingSink(StreamFiles.class);
            if (files != null) {
                files.outputs.remove(a.output());
                if (files.outputs.isEmpty()) {
                    hub.removeSink(StreamFiles.class);
                }
            }
            hubs.release(hub);
        });
        log.info("{}: file output {} removed", a.output().spec().stream(), id);
        return true;
    }

    public JsonArray list() {
        JsonArray out = new JsonArray();
        outputs.values().stream().map(Attached::output).sorted((x, y) -> Long.compare(x.id(), y.id()))
                .forEach(o -> out.add(describe(o)));
        return out;
    }

    /**
     * Writes every stream that starts from now on to {@code targetFolder} (autoHLS / autoDASH): a rolling playlist,
     * so the folder stays bounded. The folder is the operator's (configuration, not a request), so it may be
     * anywhere; each stream's folder in it is the stream's name.
     */
    public void auto(FileOutputSpec.Kind kind, String targetFolder) {
        Path folder = dataDir.resolve(targetFolder); // the operator's setting: absolute, or relative to data.dir
        vertx.eventBus().<StreamEvent>consumer(Addresses.STREAM_EVENTS, m -> {
            StreamEvent e = m.body();
            if (e.kind() != StreamEvent.Kind.STARTED || autoStarted.putIfAbsent(kind + "/" + e.stream(), true) != null) {
                return;
            }
            Map<String, String> params = Map.of("localStreamNames", e.stream(), "playlistType", "rolling");
            start(params, stream -> FileOutputSpec.parseIn(kind, stream, params, folder))
                    .onFailure(err -> {
                        autoStarted.remove(kind + "/" + e.stream()); // the next start of the stream tries again
                        log.warn("{}: auto {} output not started: {}", e.stream(), kind, err.getMessage());
                    });
        });
    }

    private static JsonObject describe(FileOutput o) {
        FileOutputSpec s = o.spec();
        JsonObject j = new JsonObject().put("configId", o.id()).put("type", s.kind() == FileOutputSpec.Kind.HLS ? "hls" : "dash")
                .put("localStreamName", s.stream()).put("folder", s.folder().toString())
                .put("playlistType", s.appending() ? "appending" : "rolling").put("playlistLength", s.playlistLength())
                .put("audioOnly", s.audioOnly()).put("drmType", s.aesKeyCount() > 0 ? "ems" : "none")
                .put("aesKeyCount", s.aesKeyCount()).put("segmentsWritten", o.segmentsWritten());
        if (o.lastError() != null) {
            j.put("lastError", o.lastError());
        }
        return j;
    }

    /** The hub's sink for file outputs: one packager whose segments every output of the stream writes. */
    static final class StreamFiles implements FrameSink {
        final List<FileOutput> outputs = new CopyOnWriteArrayList<>();
        private final StreamPackage segments;

        StreamFiles(String stream, PackageSettings packaging) {
            segments = new StreamPackage(stream, packaging, segment -> outputs.forEach(o -> o.onSegment(segment)));
        }

        @Override
        public void onSnapshot(FrameBatch batch) {
            segments.onSnapshot(batch);
        }

        @Override
        public void onFrame(MediaFrame frame) {
            segments.onFrame(frame);
        }

        @Override
        public void onStarted() {
        }

        @Override
        public void onStopped() {
            segments.onStopped();
        }

        @Override
        public void onClosed() {
            segments.onClosed();
        }
    }
}
