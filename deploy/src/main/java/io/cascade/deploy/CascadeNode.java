package io.cascade.deploy;

import io.cascade.cluster.Codecs;
import io.cascade.cluster.HazelcastIngestPointStore;
import io.cascade.cluster.HazelcastStreamRegistry;
import io.cascade.cluster.IngestPointSnapshot;
import io.cascade.cluster.IngestPointStore;
import io.cascade.cluster.StreamRegistry;
import io.cascade.deploy.NodeConfig.Role;
import io.cascade.edge.StreamHubs;
import io.cascade.edge.http.HttpDelivery;
import io.vertx.core.json.JsonArray;
import io.cascade.origin.FileOutputControl;
import io.cascade.edge.files.FileOutputs;
import io.cascade.edge.files.FileOutputSpec;
import io.cascade.edge.rtmp.RtmpPlayback;
import io.cascade.edge.segments.PackageSettings;
import io.cascade.edge.segments.SegmentKeys;
import io.cascade.ingest.IngestStream;
import io.cascade.ingest.rtmp.RtmpPublishing;
import io.cascade.metrics.NodeCounters;
import io.cascade.origin.ApiServer;
import io.cascade.protocol.hls.HlsPlaylist;
import io.cascade.rtmp.RtmpPlayHandler;
import io.cascade.rtmp.RtmpPublishHandler;
import io.cascade.rtmp.RtmpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Cascade node: one Vert.x instance running the roles its configuration names, with the listeners each
 * needs. {@link #main} is the entry point of the runnable jar.
 */
public final class CascadeNode {
    private static final Logger log = LoggerFactory.getLogger(CascadeNode.class);
    /** Longest HTTP request line accepted (TESTING.md); longer ones get 414 and no state is created. */
    static final int MAX_REQUEST_LINE_BYTES = 4096;
    /** How long a stop may take before the process exits anyway. */
    static final long STOP_TIMEOUT_MS = 10_000;
    /** Vert.x keeps metrics backends in a static map by name: each node in a JVM needs its own name. */
    private static final AtomicLong METRICS_BACKENDS = new AtomicLong();

    private final NodeConfig config;
    private final String nodeId;
    private final Set<Role> roles;
    private final NodeCounters counters = new NodeCounters();
    private final JsonObject listenerAddresses = new JsonObject();
    private final int streamSeriesMax;
    private Vertx vertx;
    private HazelcastClusterManager clusterManager;
    private StreamRegistry registry;
    private HazelcastIngestPointStore ingestPoints;
    private final boolean ingestPointsRequired;
    /** How streams ingested here are cut into segments. */
    private final IngestStream.Segments segments;
    private StreamHubs hubs;
    private HttpDelivery httpDelivery;
    private FileOutputs fileOutputs;
    /** What AES-128 segment keys are derived from, the same on every node of the cluster. */
    private byte[] keySecret;
    /** Secrets the cluster makes up once and shares (one entry per purpose, so bounded by this class). */
    static final String CLUSTER_SECRETS_MAP = "cascade.secrets";
    static final String SEGMENT_KEY_SECRET = "hls.aes";
    private PrometheusMeterRegistry meters;
    private NodeMetrics metrics;
    private NodeHealth health;
    private int rtmpPort;
    private int httpPort;
    private int apiPort;

    public CascadeNode(NodeConfig config) {
        this.config = config;
        this.nodeId = config.nodeName();
        this.roles = config.roles();
        this.streamSeriesMax = config.integer("metrics.stream.series.max");
        this.ingestPointsRequired = config.bool("ingest.points.required");
        if (streamSeriesMax < 0) {
            throw new IllegalArgumentException("metrics.stream.series.max must be 0 or more, not " + streamSeriesMax);
        }
        this.segments = new IngestStream.Segments(config.integer("segment.target.ms"), config.integer("hls.playlist.length"));
        packageSettings(new byte[SegmentKeys.KEY_BYTES]); // a bad HLS setting stops the node here, not at the first viewer
    }

    public static void main(String[] args) throws Exception {
        CascadeNode node;
        try {
            node = new CascadeNode(NodeConfig.load(args, System.getenv()));
        } catch (IllegalArgumentException e) {
            System.err.println("cascade: " + e.getMessage());
            System.exit(2);
            return;
        }
        try {
            node.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.error("node failed to start: {}", e.getCause() != null ? e.getCause().toString() : e.toString());
            node.stop();
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(node::stop, "cascade-shutdown"));
    }

    public Future<Void> start() {
        // one registry per node, never a global one: tests run several nodes in one JVM
        meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        MicrometerMetricsOptions vertxMetrics = new MicrometerMetricsOptions().setEnabled(true)
                .setRegistryName("cascade-" + nodeId + "-" + METRICS_BACKENDS.incrementAndGet())
                .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true));
        VertxOptions options = new VertxOptions().setMetricsOptions(vertxMetrics);
        String clusterHost = ClusterSetup.host(config);
        if (!clusterHost.isEmpty()) {
            options.getEventBusOptions().setHost(clusterHost);
        }
        clusterManager = new HazelcastClusterManager(ClusterSetup.hazelcast(config, nodeId));
        return Vertx.builder().with(options).withClusterManager(clusterManager)
                .withMetrics(new MicrometerMetricsFactory(meters)).buildClustered()
                .compose(this::startRoles);
    }

    private Future<Void> startRoles(Vertx clustered) {
        vertx = clustered;
        // after Vert.x: it adds meter filters to the registry, which must come before any meter
        metrics = new NodeMetrics(meters, counters, streamSeriesMax);
        metrics.bindJvm();
        metrics.bindNode(nodeId, roles, this::clusterMembers);
        health = new NodeHealth(vertx, nodeId, this::clusterMembers);
        Codecs.register(vertx.eventBus());
        registry = new HazelcastStreamRegistry(vertx, clusterManager.getHazelcastInstance(), nodeId);
        // origin nodes keep the ingest points on disk: they run the API that changes them
        Path snapshot = roles.contains(Role.ORIGIN)
                ? Path.of(config.get("data.dir")).resolve(IngestPointSnapshot.FILE_NAME) : null;
        ingestPoints = new HazelcastIngestPointStore(vertx, clusterManager.getHazelcastInstance(), snapshot);
        if (roles.contains(Role.EDGE) || roles.contains(Role.ORIGIN)) {
            // origin nodes follow streams too: their file outputs (createHLSStream...) package what they receive
            hubs = new StreamHubs(vertx, nodeId, config.integer("edge.linger.ms"), counters,
                    name -> registry.find(name).map(r -> r == null ? null : r.ownerNode()));
        }
        log.info("cascade node {} starting, roles {}, cluster {} size {}", nodeId, roles, config.get("cluster.name"),
                clusterMembers());
        return ingestPoints.loadSnapshot()
                .compose(loaded -> segmentKeySecret())
                .compose(secret -> {
                    keySecret = secret;
                    startFileOutputs();
                    return startRtmp();
                })
                .compose(v -> startHttp())
                .compose(v -> startApi())
                .onSuccess(v -> {
                    metrics.startSampling(vertx, registry, hubs);
                    health.ready(listenerAddresses);
                    log.info("cascade node {} ready", nodeId);
                })
                .mapEmpty();
    }

    /**
     * Members of this node's cluster, itself included (a node without {@code cluster.members} is a cluster of
     * one); 0 before it joined.
     */
    int clusterMembers() {
        HazelcastClusterManager cm = clusterManager;
        return cm == null || cm.getHazelcastInstance() == null ? 0 : cm.getNodes().size();
    }

    private Future<Void> startRtmp() {
        int port = config.port("rtmp.port");
        if (port == 0 || !(roles.contains(Role.INGEST) || roles.contains(Role.EDGE))) {
            return Future.succeededFuture();
        }
        RtmpPublishHandler publishing = roles.contains(Role.INGEST)
                ? new RtmpPublishing(vertx, registry, nodeId, counters,
                Long.parseLong(config.get("cluster.feed.max.inflight.bytes")), ingestPointsRequired ? ingestPoints : null,
                segments)
                : RtmpServer.NO_PUBLISHING;
        RtmpPlayHandler playback = roles.contains(Role.EDGE)
                ? new RtmpPlayback(vertx, hubs, counters,
                config.integer("rtmp.play.wait.ms"), config.integer("rtmp.viewer.max.behind.ms"),
                config.integer("rtmp.flush.interval.ms"), ingestPointsRequired ? ingestPoints : null)
                : RtmpServer.NO_PLAYBACK;
        RtmpServer.Settings settings = new RtmpServer.Settings(config.get("bind.host"), port, publishing, playback,
                counters, config.integer("rtmp.viewer.queue.bytes"), config.integer("rtmp.socket.send.bytes"),
                RtmpServer.HANDSHAKE_DEADLINE_MS,
                RtmpServer.IDLE_TIMEOUT_MS);
        List<RtmpServer> instances = new ArrayList<>();
        int count = Math.max(1, Runtime.getRuntime().availableProcessors());
        return vertx.deployVerticle(() -> {
            RtmpServer s = new RtmpServer(settings);
            synchronized (instances) {
                instances.add(s);
            }
            return s;
        }, new DeploymentOptions().setInstances(count)).map(id -> {
            rtmpPort = instances.get(0).actualPort();
            listener("rtmp", config.get("bind.host"), rtmpPort, (roles.contains(Role.INGEST) ? "publish" : "")
                    + (roles.contains(Role.INGEST) && roles.contains(Role.EDGE) ? " + " : "")
                    + (roles.contains(Role.EDGE) ? "play" : "")
                    + (roles.contains(Role.INGEST) && ingestPointsRequired ? ", ingest points required" : "")
                    + ", " + count + " event loops");
            return null;
        });
    }

    private Future<Void> startHttp() {
        int port = config.port("http.port");
        if (port == 0) {
            return Future.succeededFuture();
        }
        Router router = Router.router(vertx);
        router.get("/metrics").handler(PrometheusScrapingHandler.create(meters));
        router.get("/healthz").handler(health.livenessHandler());
        router.get("/readyz").handler(health.readinessHandler());
        if (roles.contains(Role.EDGE)) {
            httpDelivery = new HttpDelivery(vertx, hubs, registry, packageSettings(keySecret),
                    config.integer("http.linger.ms"), counters);
            router.get("/time").handler(httpDelivery::time);
            router.route().handler(httpDelivery);
        }
        return vertx.createHttpServer(new HttpServerOptions().setMaxInitialLineLength(MAX_REQUEST_LINE_BYTES))
                .requestHandler(router).listen(port, config.get("bind.host"))
                .map(server -> {
                    httpPort = server.actualPort();
                    listener("http", config.get("bind.host"), httpPort, "/metrics /healthz /readyz"
                            + (httpDelivery == null ? "" : " /<stream>/index.m3u8 /<stream>/ts/index.m3u8 /<stream>/index.mpd"));
                    return null;
                });
    }

    /** File outputs (createHLSStream, createDASHStream, auto.hls.folder, auto.dash.folder) on origin nodes. */
    private void startFileOutputs() {
        if (!roles.contains(Role.ORIGIN)) {
            return;
        }
        fileOutputs = new FileOutputs(vertx, hubs, Path.of(config.get("data.dir")), keySecret, packageSettings(keySecret));
        if (!config.get("auto.hls.folder").isEmpty()) {
            fileOutputs.auto(FileOutputSpec.Kind.HLS, config.get("auto.hls.folder"));
        }
        if (!config.get("auto.dash.folder").isEmpty()) {
            fileOutputs.auto(FileOutputSpec.Kind.DASH, config.get("auto.dash.folder"));
        }
    }

    /** The API's view of the file outputs. */
    private FileOutputControl fileOutputControl() {
        if (fileOutputs == null) {
            return FileOutputControl.NONE;
        }
        FileOutputs outputs = fileOutputs;
        return new FileOutputControl() {
            @Override
            public Future<JsonArray> create(boolean dash, Map<String, String> params) {
                return outputs.create(dash ? FileOutputSpec.Kind.DASH : FileOutputSpec.Kind.HLS, params);
            }

            @Override
            public JsonArray list() {
                return outputs.list();
            }

            @Override
            public boolean remove(long id) {
                return outputs.remove(id);
            }
        };
    }

    private PackageSettings packageSettings(byte[] secret) {
        String type = config.get("hls.playlist.type");
        if (!type.equals("live") && !type.equals("event")) {
            throw new IllegalArgumentException("hls.playlist.type must be live or event, not '" + type + "'");
        }
        return new PackageSettings(config.integer("hls.playlist.length"),
                type.equals("event") ? HlsPlaylist.Type.EVENT : HlsPlaylist.Type.LIVE, config.integer("hls.dvr.segments"),
                Long.parseLong(config.get("hls.stream.max.bytes")), Long.parseLong(config.get("hls.node.max.bytes")),
                counters.httpPackagedBytes, new SegmentKeys(secret, config.integer("hls.aes.key.count")));
    }

    /**
     * The secret AES-128 segment keys are derived from: the operator's (hls.aes.secret), or one the cluster makes
     * up once and shares, so every edge derives the same keys.
     */
    private Future<byte[]> segmentKeySecret() {
        String configured = config.get("hls.aes.secret");
        if (!configured.isEmpty()) {
            return Future.succeededFuture(configured.getBytes(StandardCharsets.UTF_8));
        }
        return vertx.executeBlocking(() -> {
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            Map<String, String> secrets = clusterManager.getHazelcastInstance().getMap(CLUSTER_SECRETS_MAP);
            secrets.putIfAbsent(SEGMENT_KEY_SECRET, HexFormat.of().formatHex(random));
            return HexFormat.of().parseHex(secrets.get(SEGMENT_KEY_SECRET));
        }, false);
    }

    private Future<Void> startApi() {
        int port = config.port("api.port");
        if (port == 0 || !roles.contains(Role.ORIGIN)) {
            return Future.succeededFuture();
        }
        ApiServer api = new ApiServer(vertx, registry, ingestPoints, config.get("api.token"), fileOutputControl());
        return api.listen(config.get("api.host"), port).map(actual -> {
            apiPort = actual;
            listener("api", config.get("api.host"), apiPort, config.get("api.token").isEmpty()
                    ? "no token: loopback use only" : "token required");
            return null;
        });
    }

    private void listener(String name, String host, int port, String detail) {
        String line = String.format("listening %-5s %s:%d (%s)", name, host, port, detail);
        listenerAddresses.put(name, host + ":" + port);
        log.info(line);
    }

    /** Closes every listener and connection; safe to call more than once and from any non-event-loop thread. */
    public void stop() {
        Vertx v = vertx;
        if (v == null) {
            return;
        }
        vertx = null;
        log.info("cascade node {} stopping", nodeId);
        if (health != null) {
            health.stopping();
        }
        if (metrics != null) {
            metrics.close();
        }
        try {
            v.close().toCompletionStage().toCompletableFuture().get(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            log.info("cascade node {} stopped", nodeId);
        } catch (Exception e) {
            log.warn("cascade node {} did not stop cleanly: {}", nodeId, e.toString());
        }
        if (meters != null) {
            meters.close();
        }
    }

    /** Streams this node packages for HTTP now (0 without the edge role). */
    int packagedHttpStreams() {
        return httpDelivery == null ? 0 : httpDelivery.packagedStreams();
    }

    /** The cluster-wide stream registry as this node sees it. */
    public StreamRegistry registry() {
        return registry;
    }

    public NodeCounters counters() {
        return counters;
    }

    NodeMetrics metrics() {
        return metrics;
    }

    NodeHealth health() {
        return health;
    }

}
