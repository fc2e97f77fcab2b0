package io.cascade.deploy;

import io.cascade.cluster.StreamRecord;
import io.cascade.cluster.StreamRegistry;
import io.cascade.deploy.NodeConfig.Role;
import io.cascade.edge.StreamHubs;
import io.cascade.media.MemoryBudget;
import io.cascade.metrics.NodeCounters;
import io.cascade.metrics.NodeCounters.ProtocolCounters;
import io.cascade.settings.Setting;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;

/**
 * Cascade's own metrics on the node's registry, and the JVM's. Node-wide values are functions over
 * {@link NodeCounters} read at scrape time, so the code that counts pays one uncontended add and nothing here
 * runs on its path. Every node-wide series is registered at startup, zeros included, so dashboards never go blank.
 *
 * <p>What needs the stream registry or a time window (edge streams by ingest protocol, per-stream viewers and
 * bitrate) is sampled once per {@link #SAMPLE_PERIOD_MS} on a timer and read by the gauges from there. Only
 * {@code metrics.stream.series.max} streams get series of their own; the rest are summed in the series labelled
 * {@link #OTHER_STREAMS}, so a storm of streams cannot blow up the number of series a scrape returns.
 *
 * <p>Tag names Vert.x metrics do not use on purpose: the Vert.x backend removes the tags it has disabled
 * ({@code address}, {@code local}, {@code remote}, {@code path}, {@code route}, {@code class}, {@code failure})
 * from every meter of the registry, including ours.
 */
final class NodeMetrics implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeMetrics.class);

    /**
     * Streams with their own per-stream series on one node. A Prometheus series costs memory in every scraper
     * for its retention; 100 streams with two series each stays small next to the JVM and Vert.x series.
     */
    static final int DEFAULT_STREAM_SERIES_MAX = 100;
    /** Each stream with its own series costs every scraper memory; 10 000 streams is already a heavy scrape. */
    static final int MAX_STREAM_SERIES_MAX = 10_000;
    static final Setting<Integer> STREAM_SERIES_MAX = Setting.integer("metrics.stream.series.max",
            DEFAULT_STREAM_SERIES_MAX, 0, MAX_STREAM_SERIES_MAX,
            "streams that get per-stream series of their own on a node; the others are summed in `stream=\"(other)\"`");
    /** How often registry-derived and windowed values are refreshed: a new stream shows within this. */
    static final long SAMPLE_PERIOD_MS = 1_000;
    /** The per-stream bitrate is the average over this many sample periods: smooth enough to read, still live. */
    static final int BITRATE_WINDOW_SAMPLES = 5;
    /**
     * The stream label of the series that sums the streams without their own. Parentheses are outside the
     * stream-name alphabet ({@code [A-Za-z0-9._-]}), so no real stream can collide with it.
     */
    static final String OTHER_STREAMS = "(other)";

    private final MeterRegistry registry;
    private final NodeCounters counters;
    private final int streamSeriesMax;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final Map<String, Integer> edgeStreams = new ConcurrentHashMap<>();
    private final Map<String, StreamSeries> streamSeries = new ConcurrentHashMap<>();
    private final StreamSeries otherStreams;
    private final Map<String, BitrateWindow> bitrates = new HashMap<>(); // sampler thread only
    /** The last sample's bytes per second of each stream ingested here, for the API (getStreamInfo). */
    private volatile Map<String, Double> ingestBytesPerSecond = Map.of();
    private volatile boolean sampling;
    private Vertx vertx;
    private long timer = -1;

    NodeMetrics(MeterRegistry registry, NodeCounters counters, int streamSeriesMax) {
        if (streamSeriesMax < 0) {
            throw new IllegalArgumentException("metrics.stream.series.max must be 0 or more, not " + streamSeriesMax);
        }
        this.registry = registry;
        this.counters = counters;
        this.streamSeriesMax = streamSeriesMax;
        this.otherStreams = new StreamSeries(OTHER_STREAMS);
    }

    /** JVM memory, GC, threads, classes, CPU, file descriptors and uptime, in the names Micrometer gives them. */
    void bindJvm() {
        new JvmMemoryMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        closeables.add(gc); // it listens to GC notifications until closed
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** Registers every node-wide series of Cascade, with its value from the counters (0 before any traffic). */
    /** Whether the node is drained ({@code drainNode}, SIGTERM): 1 while it is. */
    /** The relays running on this node now, by kind; their attempts are counted in {@code cascade_relay_attempts_total}. */
    void bindRelays(java.util.function.ToIntFunction<String> runningOfKind) {
        for (String kind : List.of("pull", "push")) {
            Gauge.builder("cascade.relays", () -> runningOfKind.applyAsInt(kind))
                    .description("Relays (pullStream, pushStream) this node runs now, connected or waiting to try again")
                    .tags("kind", kind).register(registry);
        }
    }

    /** The node's recordings by state, and the bytes they wrote. */
    void bindRecordings(io.cascade.packaging.recording.Recordings recordings) {
        for (String state : List.of("waiting", "recording", "stopped")) {
            Gauge.builder("cascade.recordings", () -> recordings.count(state))
                    .description("Recordings on this node: waiting for their stream or its keyframe, recording, and"
                            + " the stopped ones listRecordings still shows").tags("state", state).register(registry);
        }
        FunctionCounter.builder("cascade.recording.bytes", recordings, r -> r.bytesRecorded())
                .description("Bytes written to recordings' files on this node").register(registry);
    }

    void bindDrain(java.util.function.BooleanSupplier draining) {
        Gauge.builder("cascade.node.draining", () -> draining.getAsBoolean() ? 1 : 0)
                .description("1 while this node is drained: not ready, new viewers sent to other edges")
                .register(registry);
    }

    void bindNode(String nodeId, Set<Role> roles, IntSupplier clusterMembers) {
        String roleList = roles.stream().map(r -> r.name().toLowerCase(Locale.ROOT)).sorted()
                .collect(Collectors.joining(","));
        Gauge.builder("cascade.node.info", () -> 1)
                .description("Always 1; the labels name this node and its roles")
                .tags("node", nodeId, "roles", roleList).register(registry);
        for (Role r : Role.values()) {
            boolean runs = roles.contains(r);
            Gauge.builder("cascade.node.role", () -> runs ? 1 : 0)
                    .description("1 for each role this node runs, 0 for the others")
                    .tags("role", r.name().toLowerCase(Locale.ROOT)).register(registry);
        }
        Gauge.builder("cascade.cluster.members", clusterMembers::getAsInt)
                .description("Members of the cluster this node sees, itself included").register(registry);

        String streamsHelp = "Live streams by ingest protocol: ingested here (role ingest), received here for"
                + " viewers (role edge)";
        for (ProtocolCounters p : counters.protocols()) {
            Gauge.builder("cascade.streams", p.publishers, LongAdder::sum).description(streamsHelp)
                    .tags("role", "ingest", "protocol", p.name()).register(registry);
            Gauge.builder("cascade.streams", edgeStreams, m -> m.getOrDefault(p.name(), 0)).description(streamsHelp)
                    .tags("role", "edge", "protocol", p.name()).register(registry);
            Gauge.builder("cascade.viewers", p.viewers, LongAdder::sum)
                    .description("Viewers playing from this node, by protocol")
                    .tags("protocol", p.name()).register(registry);
            counter("cascade.ingest.bytes", "Bytes received on the protocol's sockets (publishers' media and"
                    + " the small control traffic of viewers)", p.bytesIn, "protocol", p.name());
            counter("cascade.egress.bytes", EGRESS_HELP, p.bytesOut, "protocol", p.name());
            counter("cascade.vod.plays", "Plays of files (VOD) that started, by protocol", p.vodPlays, "protocol",
                    p.name());
            counter("cascade.protocol.violations", "Connections closed because the client broke the protocol",
                    p.violations, "protocol", p.name());
            counter("cascade.input.errors", "Damage in a publisher's input that was survived: MPEG-TS packets lost"
                    + " or out of sync, RTP packets lost", p.inputErrors, "protocol", p.name());
            counter("cascade.connections.refused", "Connections refused because the listener held as many as its"
                    + " bound", p.connectionsOverLimit, "protocol", p.name());
            counter("cascade.connections.timed.out", "Connections closed because the client sent no complete"
                    + " request in time, or went idle", p.connectionsTimedOut, "protocol", p.name());
        }
        Gauge.builder("cascade.http.streams", counters.httpPackagedStreams, LongAdder::sum)
                .description("Streams this node packages for HLS and DASH now (asked for over HTTP lately)")
                .register(registry);
        MemoryBudget memory = counters.memory;
        Gauge.builder("cascade.http.packaged.bytes", memory.packaged, MemoryBudget.Account::held)
                .description("Packaged segment bytes (CMAF, MPEG-TS) kept in memory for HTTP (bounded by"
                        + " hls.node.max.bytes and the memory budget)").register(registry);
        Gauge.builder("cascade.http.window.bytes", memory.windows, MemoryBudget.Account::held)
                .description("Frame bytes of the segments this node's HLS and DASH playlists list").register(registry);
        Gauge.builder("cascade.gop.cache.bytes", memory.caches, MemoryBudget.Account::held)
                .description("Frame bytes held by GOP caches (viewers' fast start) and the segment caches of the"
                        + " streams ingested here").register(registry);
        Gauge.builder("cascade.memory.budget.bytes", memory, MemoryBudget::heapLimit)
                .description("Frame bytes the caches, windows and packaged segments may hold together"
                        + " (memory.budget.bytes)").register(registry);
        Gauge.builder("cascade.memory.held.bytes", memory, MemoryBudget::heapHeld)
                .description("Frame bytes the caches, windows and packaged segments hold now").register(registry);
        Gauge.builder("cascade.memory.direct.bytes", memory, MemoryBudget::directUsed)
                .description("Direct memory in use (encoded frames on their way to viewers, socket buffers)")
                .register(registry);
        Gauge.builder("cascade.memory.direct.limit.bytes", memory, MemoryBudget::directLimit)
                .description("The JVM's bound on direct memory (-XX:MaxDirectMemorySize)").register(registry);
        FunctionCounter.builder("cascade.memory.shrinks", memory, MemoryBudget::shrinks)
                .description("Segments and GOPs caches and playlist windows dropped to stay within the memory budget")
                .register(registry);
        Gauge.builder("cascade.node.full", memory, m -> m.admitsPublisher() ? 0 : 1)
                .description("1 while the memory budget takes no new publisher (readiness is down)").register(registry);
        Gauge.builder("cascade.eventbus.inflight.bytes", counters.eventBusInFlightBytes, LongAdder::sum)
                .description("Frame bytes sent to subscribed nodes and not acknowledged yet (bounded per node)")
                .register(registry);

        String dropped = "Frames not delivered: to a viewer whose queue was full (slow_viewer), lost from a full"
                + " bounded buffer before the viewers' queues (queue_full), damaged inside a valid stream"
                + " (damaged_input), of a codec Cascade does not carry (unsupported_codec)";
        counter("cascade.frames.dropped", dropped, counters.framesDroppedSlowViewer, "reason", "slow_viewer");
        counter("cascade.frames.dropped", dropped, counters.framesDroppedQueueFull, "reason", "queue_full");
        counter("cascade.frames.dropped", dropped, counters.framesDroppedDamaged, "reason", "damaged_input");
        counter("cascade.frames.dropped", dropped, counters.framesDroppedUnsupported, "reason",
                "unsupported_codec");
        counter("cascade.viewers.disconnected", "Viewers the node disconnected: behind for too long (slow)",
                counters.viewersDisconnectedSlow, "reason", "slow");
        String publishRefused = "Publishes refused: the name is live already (name_in_use), the node requires"
                + " ingest points and the name is no ingest point's private name (not_ingest_point), authorisation"
                + " said no (unauthorised), the node's memory budget is spent (node_full), anything else such as an"
                + " unavailable stream registry (other)";
        counter("cascade.publish.refusals", publishRefused, counters.publishRefusedNameInUse, "reason",
                "name_in_use");
        counter("cascade.publish.refusals", publishRefused, counters.publishRefusedNotIngestPoint, "reason",
                "not_ingest_point");
        counter("cascade.publish.refusals", publishRefused, counters.publishRefusedUnauthorised, "reason",
                "unauthorised");
        counter("cascade.publish.refusals", publishRefused, counters.publishRefusedNodeFull, "reason", "node_full");
        counter("cascade.publish.refusals", publishRefused, counters.publishRefusedOther, "reason", "other");
        counter("cascade.relay.attempts", "Connection attempts of the relays this node ran (pulls and pushes): more than"
                + " one per relay means it reconnected, after an error or the end of its stream", counters.relayAttempts);
        counter("cascade.publishers.ended", "Publishers the node ended: after a partition healed, the cluster kept"
                + " another node's publisher of the same name (name_lost)", counters.publishersEndedNameLost, "reason",
                "name_lost");
        String playRefused = "Plays refused: nobody published the name within the play wait, or the node serves as"
                + " many streams as it may (not_found); authorisation said no to a play or an HLS/DASH request"
                + " (unauthorised); the node plays vod.max.plays files already (vod_full)";
        counter("cascade.play.refusals", playRefused, counters.playRefusedNotFound, "reason", "not_found");
        counter("cascade.play.refusals", playRefused, counters.playRefusedUnauthorised, "reason", "unauthorised");
        counter("cascade.play.refusals", playRefused, counters.vodPlaysRefusedFull, "reason", "vod_full");
        counter("cascade.data.messages", "JSON messages from clients that streams ingested here took in (sent to"
                + " every node that serves the stream)", counters.dataMessagesPublished);
        String dataDropped = "JSON messages from clients (/<stream>/meta) dropped: over the client's or the stream's"
                + " rate (rate_limit), not one JSON text (invalid), the stream not live or its ingesting node not"
                + " answering (not_live)";
        counter("cascade.data.messages.dropped", dataDropped, counters.dataMessagesDroppedRateLimit, "reason",
                "rate_limit");
        counter("cascade.data.messages.dropped", dataDropped, counters.dataMessagesDroppedInvalid, "reason", "invalid");
        counter("cascade.data.messages.dropped", dataDropped, counters.dataMessagesDroppedNotLive, "reason",
                "not_live");
        counter("cascade.eventbus.peer.bytes.sent", "Bytes sent over the clustered event bus to other nodes",
                counters.eventBusPeerBytesSent);
        counter("cascade.eventbus.peer.frames.sent", "Frames sent over the clustered event bus to other nodes",
                counters.eventBusPeerFramesSent);

        register(otherStreams);
    }

    private static final String EGRESS_HELP = "Bytes sent on the protocol's sockets (viewers' media and the small"
            + " control traffic of publishers; http: playlists, segments and keys)";

    private void counter(String name, String description, LongAdder value, String... tags) {
        FunctionCounter.builder(name, value, LongAdder::sum).description(description).tags(tags).register(registry);
    }

    /**
     * Starts sampling what needs the stream registry or a window of time. {@code hubs} is null on a node
     * without the edge role.
     */
    void startSampling(Vertx vertx, StreamRegistry streams, StreamHubs hubs) {
        this.vertx = vertx;
        timer = vertx.setPeriodic(SAMPLE_PERIOD_MS, id -> {
            if (sampling) {
                return; // a slow registry must not pile up samples
            }
            sampling = true;
            Map<String, Integer> viewers = hubs == null ? Map.of() : hubs.viewerCounts();
            // only the streams with a hub here need their record: a lookup by key, not a scan of every partition
            streams.findAll(viewers.keySet()).onComplete(listed -> {
                sampling = false;
                if (listed.succeeded()) {
                    sample(listed.result(), viewers, System.nanoTime());
                } else {
                    log.debug("metrics: stream registry unavailable: {}", listed.cause().toString());
                }
            });
        });
    }

    /** One sample: edge streams by protocol, bitrate windows, and which streams have their own series. */
    void sample(List<StreamRecord> live, Map<String, Integer> viewersByStream, long nowNanos) {
        Map<String, String> protocolOf = new HashMap<>();
        for (StreamRecord r : live) {
            protocolOf.put(r.name(), r.ingestProtocol());
        }

        Map<String, Integer> edge = new HashMap<>();
        Map<String, Integer> viewers = new HashMap<>();
        viewersByStream.forEach((name, count) -> {
            String protocol = protocolOf.get(name);
            if (protocol != null) { // a hub of a name nobody publishes is no live stream, and gets no series
                edge.merge(protocol, 1, Integer::sum);
                viewers.put(name, count);
            }
        });
        for (ProtocolCounters p : counters.protocols()) {
            edgeStreams.put(p.name(), edge.getOrDefault(p.name(), 0));
        }

        Map<String, Double> bitrate = new HashMap<>();
        Map<String, LongAdder> ingested = new HashMap<>(counters.ingestStreamBytes);
        bitrates.keySet().retainAll(ingested.keySet());
        ingested.forEach((name, bytes) -> {
            BitrateWindow w = bitrates.get(name);
            if (w == null || w.bytes != bytes) { // a republish brings a new counter
                w = new BitrateWindow(bytes);
                bitrates.put(name, w);
            }
            bitrate.put(name, w.sample(nowNanos));
        });
        Map<String, Double> measured = new HashMap<>(bitrate);
        measured.keySet().removeIf(name -> !bitrates.get(name).measured()); // one sample is no rate yet
        ingestBytesPerSecond = Map.copyOf(measured);

        Set<String> candidates = new HashSet<>(bitrate.keySet());
        candidates.addAll(viewers.keySet());
        for (StreamSeries s : List.copyOf(streamSeries.values())) {
            if (!candidates.contains(s.stream)) {
                unregister(s);
            }
        }
        if (streamSeries.size() < streamSeriesMax) {
            // free slots go to the busiest streams first; a stream keeps its series as long as it is live
            List<String> waiting = candidates.stream().filter(n -> !streamSeries.containsKey(n))
                    .sorted(Comparator.<String>comparingInt(n -> viewers.getOrDefault(n, 0)).reversed()
                            .thenComparing(Comparator.<String>comparingDouble(n -> bitrate.getOrDefault(n, 0.0))
                                    .reversed())
                            .thenComparing(Comparator.naturalOrder()))
                    .limit(streamSeriesMax - streamSeries.size()).toList();
            for (String name : waiting) {
                StreamSeries s = new StreamSeries(name);
                streamSeries.put(name, s);
                register(s);
            }
        }
        double otherViewers = 0;
        double otherBitrate = 0;
        for (String name : candidates) {
            double v = viewers.getOrDefault(name, 0);
            double b = bitrate.getOrDefault(name, 0.0);
            StreamSeries s = streamSeries.get(name);
            if (s != null) {
                s.viewers = v;
                s.bytesPerSecond = b;
            } else {
                otherViewers += v;
                otherBitrate += b;
            }
        }
        otherStreams.viewers = otherViewers;
        otherStreams.bytesPerSecond = otherBitrate;
    }

    private void register(StreamSeries s) {
        s.meters.add(Gauge.builder("cascade.stream.viewers", s, x -> x.viewers)
                .description("Viewers on this node of one stream (playing or waiting for the publisher); streams"
                        + " past metrics.stream.series.max are summed in stream=\"" + OTHER_STREAMS + "\"")
                .tags("stream", s.stream).strongReference(true).register(registry));
        s.meters.add(Gauge.builder("cascade.stream.ingest.bytes.per.second", s, x -> x.bytesPerSecond)
                .description("Media bytes per second of one stream ingested here, averaged over the last "
                        + BITRATE_WINDOW_SAMPLES * SAMPLE_PERIOD_MS / 1000 + " s")
                .tags("stream", s.stream).strongReference(true).register(registry));
    }

    private void unregister(StreamSeries s) {
        streamSeries.remove(s.stream);
        s.meters.forEach(registry::remove);
    }

    /**
     * Media bytes per second of a stream ingested here, over the last {@link #BITRATE_WINDOW_SAMPLES} samples (what
     * {@code cascade_stream_ingest_bytes_per_second} shows); null before the stream's first sample. From any thread.
     */
    Double ingestBytesPerSecond(String stream) {
        return ingestBytesPerSecond.get(stream);
    }

    /** Streams with their own series now (for tests). */
    Set<String> streamsWithSeries() {
        return Set.copyOf(streamSeries.keySet());
    }

    @Override
    public void close() {
        if (vertx != null && timer >= 0) {
            vertx.cancelTimer(timer);
        }
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception e) {
                log.debug("metrics: closing {}: {}", c, e.toString());
            }
        }
        closeables.clear();
    }

    /** The per-stream values one stream's gauges read; written by the sampler, read by scrapes. */
    private static final class StreamSeries {
        final String stream;
        final List<Meter> meters = new ArrayList<>(2);
        volatile double viewers;
        volatile double bytesPerSecond;

        StreamSeries(String stream) {
            this.stream = stream;
        }
    }

    /** The byte count of one publish at the last few samples. */
    private static final class BitrateWindow {
        final LongAdder bytes;
        private final ArrayDeque<long[]> samples = new ArrayDeque<>(BITRATE_WINDOW_SAMPLES + 1);

        BitrateWindow(LongAdder bytes) {
            this.bytes = bytes;
        }

        /** Whether two samples or more are kept: a rate, not the 0 of a first sample. */
        boolean measured() {
            return samples.size() >= 2;
        }

        /** Records the count now; returns bytes per second since the oldest sample kept (0 with only one). */
        double sample(long nowNanos) {
            samples.addLast(new long[] {nowNanos, bytes.sum()});
            if (samples.size() > BITRATE_WINDOW_SAMPLES + 1) {
                samples.removeFirst();
            }
            long[] first = samples.peekFirst();
            long[] last = samples.peekLast();
            long elapsed = last[0] - first[0];
            return elapsed <= 0 ? 0 : (last[1] - first[1]) * 1e9 / elapsed;
        }
    }
}
