package io.cascade.edge.testing;

import io.cascade.cluster.Addresses;
import io.cascade.cluster.Codecs;
import io.cascade.cluster.FrameBatch;
import io.cascade.cluster.StreamEvent;
import io.cascade.cluster.StreamRecord;
import io.cascade.cluster.StreamRegistry;
import io.cascade.cluster.StreamTimeline;
import io.cascade.edge.StreamHubs;
import io.cascade.edge.fanout.Playback;
import io.cascade.edge.fanout.ViewerPolicy;
import io.cascade.media.GopCache;
import io.cascade.media.JsonMetadata;
import io.cascade.media.MediaFrame;
import io.cascade.metrics.NodeCounters;
import io.cascade.protocol.mp4.ClipFrames;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * An edge node's viewer side without a cluster, for tests of viewer protocols over real sockets: hubs, the fan-out
 * and a registry in memory, and an ingesting node played by the test (it answers subscriptions from its GOP cache
 * and sends live frames to this node's feed). The media is the committed clip, looped with timestamps going on.
 */
public final class LiveStreams {
    public static final String NODE = "edge";
    public static final String INGEST = "ingest";

    public final Vertx vertx;
    public final NodeCounters counters = new NodeCounters();
    public final MemoryRegistry registry = new MemoryRegistry();
    public final StreamHubs hubs;
    public final Playback playback;
    private final Map<String, Publisher> publishers = new HashMap<>();
    private final List<MediaFrame> clip;
    private int publishes;

    public LiveStreams(Vertx vertx, ViewerPolicy policy) throws Exception {
        this.vertx = vertx;
        Codecs.register(vertx.eventBus());
        hubs = new StreamHubs(vertx, NODE, 200, counters, name -> registry.find(name)
                .map(r -> r == null ? null : r.ownerNode()));
        playback = new Playback(vertx, hubs, counters, policy, null);
        clip = ClipFrames.load();
    }

    /** An HTTP server on an ephemeral loopback port with the router; answers the port. */
    public int serve(Router router, HttpServerOptions options) throws Exception {
        HttpServer server = vertx.createHttpServer(options).requestHandler(router);
        return server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
    }

    /** What the ingesting node holds of one publish of a stream, and where its clip stands. */
    private static final class Publisher {
        final GopCache gop = new GopCache();
        final String publish;
        long sequence;
        long offsetMillis;
        long lastDtsMillis;
        int next;
        /** Sent instead of the clip's video config, when set. */
        byte[] videoConfig;

        Publisher(String publish) {
            this.publish = publish;
        }
    }

    /** Starts a publish of the stream (a republish when one was there before): listed, and its start announced. */
    public synchronized void publish(String stream) {
        boolean first = !publishers.containsKey(stream);
        Publisher p = new Publisher(INGEST + "/" + ++publishes);
        publishers.put(stream, p);
        registry.streams.put(stream, new StreamRecord(stream, INGEST, "rtmp", System.currentTimeMillis()));
        if (first) {
            vertx.eventBus().<String>consumer(Addresses.subscribe(stream, INGEST), msg -> {
                Publisher current = current(stream);
                msg.reply(new FrameBatch(current.gop.snapshot(), current.gop.lastSequence(), current.publish, 0, 2000));
            });
            // as the ingesting node does: a client's JSON message goes on the frame path at the current media time
            vertx.eventBus().<String>consumer(Addresses.data(stream, INGEST), msg -> {
                sendData(stream, msg.body());
                msg.reply(null);
            });
        }
        vertx.eventBus().publish(Addresses.STREAM_EVENTS, new StreamEvent(StreamEvent.Kind.STARTED, stream, p.publish));
    }

    /** The publisher goes away: unlisted, its stop announced. */
    public synchronized void stop(String stream) {
        registry.streams.remove(stream);
        vertx.eventBus().publish(Addresses.STREAM_EVENTS,
                new StreamEvent(StreamEvent.Kind.STOPPED, stream, current(stream).publish));
    }

    private synchronized Publisher current(String stream) {
        return publishers.get(stream);
    }

    /**
     * The next {@code count} frames of the clip (looped; each loop's timestamps follow the last), into the ingest GOP
     * and onto this node's feed. Each publish starts its own clock at 0, as a new publisher does.
     */
    public synchronized void send(String stream, int count) {
        Publisher p = current(stream);
        for (int i = 0; i < count; i++) {
            if (p.next == clip.size()) {
                p.next = 0;
                p.offsetMillis += clip.get(clip.size() - 1).dtsMillis() + 40;
            }
            MediaFrame f = clip.get(p.next++);
            if (p.offsetMillis > 0 && (f.isConfig() || f.trackType() == io.cascade.media.TrackType.DATA)) {
                continue; // config and metadata come once per publish
            }
            byte[] payload = f.isConfig() && f.trackType() == io.cascade.media.TrackType.VIDEO && p.videoConfig != null
                    ? p.videoConfig : f.payload();
            MediaFrame live = new MediaFrame(f.track(), f.codec(), f.dts() + p.offsetMillis, f.pts() + p.offsetMillis,
                    f.timescale(), f.flags(), 0, p.sequence++, payload);
            p.gop.add(live);
            p.lastDtsMillis = Math.max(p.lastDtsMillis, live.dtsMillis());
            vertx.eventBus().send(Addresses.feed(stream, NODE), live);
        }
    }

    /** A client's JSON message, into the stream at its current media time and onto this node's feed. */
    public synchronized void sendData(String stream, String json) {
        Publisher p = current(stream);
        MediaFrame f = JsonMetadata.frame(JsonMetadata.CLIENT_TYPE, json, p.lastDtsMillis, p.sequence++);
        p.gop.add(f);
        vertx.eventBus().send(Addresses.feed(stream, NODE), f);
    }

    /** The current publish sends this video config (a record of other parameter sets) instead of the clip's. */
    public synchronized void useVideoConfig(String stream, byte[] record) {
        current(stream).videoConfig = record;
    }

    /** The registry's contract with a map in memory: only what viewers ask of it is meaningful. */
    public static final class MemoryRegistry implements StreamRegistry {
        public final Map<String, StreamRecord> streams = new ConcurrentHashMap<>();
        public final java.util.concurrent.atomic.AtomicInteger lookups = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public Future<Boolean> claim(StreamRecord record) {
            return Future.succeededFuture(streams.putIfAbsent(record.name(), record) == null);
        }

        @Override
        public Future<Set<String>> reconcile() {
            return Future.succeededFuture(Set.of());
        }

        @Override
        public Future<Void> release(String name, String ownerNode) {
            streams.computeIfPresent(name, (n, r) -> r.ownerNode().equals(ownerNode) ? null : r);
            return Future.succeededFuture();
        }

        @Override
        public Future<StreamRecord> find(String name) {
            lookups.incrementAndGet();
            return Future.succeededFuture(streams.get(name));
        }

        @Override
        public Future<List<StreamRecord>> list() {
            return Future.succeededFuture(List.copyOf(streams.values()));
        }

        @Override
        public Future<List<StreamRecord>> findAll(Set<String> names) {
            return Future.succeededFuture(names.stream().map(streams::get).filter(r -> r != null).toList());
        }

        @Override
        public Future<StreamTimeline> timeline(String name) {
            return Future.succeededFuture(StreamTimeline.NEW);
        }

        @Override
        public void saveTimeline(String name, StreamTimeline timeline) {
        }
    }
}
