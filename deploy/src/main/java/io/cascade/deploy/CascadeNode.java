package io.cascade.deploy;

import io.cascade.auth.Authorisation;
import io.cascade.cluster.Codecs;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import io.cascade.cluster.HazelcastIngestPointStore;
import io.cascade.cluster.HazelcastStreamRegistry;
import io.cascade.edge.StreamHubs;
import io.cascade.cluster.LoadBoard;
import io.cascade.cluster.IngestPointSnapshot;
import io.cascade.cluster.StreamRegistry;
import io.cascade.deploy.NodeConfig.Role;
import io.cascade.packaging.PackageSettings;
import io.cascade.packaging.SegmentKeys;
import io.cascade.ingest.IngestStream;
import io.cascade.metrics.NodeCounters;
import io.cascade.settings.SettingsException;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Cascade node: one Vert.x instance in a Hazelcast cluster, the roles its configuration names
 * ({@link RoleStarter}) and the listeners those roles need ({@link Listener}). {@link #main} is the entry point of
 * the runnable jar.
 */
public final class CascadeNode {
    private static final Logger log = LoggerFactory.getLogger(CascadeNode.class);
    /** How long a stop may take before the process exits anyway. */
    static final long STOP_TIMEOUT_MS = 10_000;
    /** After a drain's closes, how long the node waits for them to reach their clients before it stops. */
    private static final long DRAIN_FLUSH_MS = 500;
    /** Vert.x keeps metrics backends in a static map by name: each node in a JVM needs its own name. */
    private static final AtomicLong METRICS_BACKENDS = new AtomicLong();
    /** Secrets the cluster makes up once and shares (one entry per purpose, so bounded by this class). */
    static final String CLUSTER_SECRETS_MAP = "cascade.secrets";
    static final String SEGMENT_KEY_SECRET = "hls.aes";

    private final NodeConfig config;
    private final String nodeId;
    private final Set<Role> roles;
    private final NodeCounters counters;
    private final JsonObject listenerAddresses = new JsonObject();
    private final int streamSeriesMax;
    private Vertx vertx;
    private HazelcastClusterManager clusterManager;
    private StreamRegistry registry;
    private NodeServices services;
    private PrometheusMeterRegistry meters;
    private NodeMetrics metrics;
    private NodeHealth health;
    private NodeTls tls;

    public CascadeNode(NodeConfig config) {
        this.config = config;
        this.nodeId = config.nodeName();
        this.roles = config.roles();
        this.streamSeriesMax = config.value(NodeMetrics.STREAM_SERIES_MAX);
        this.counters = new NodeCounters(NodeMemory.budget(config));
        for (Listener l : Listener.ALL) {
            l.protocols().forEach(counters::protocol); // their series exist from startup, zeros included
        }
        RelaySchemes.PROTOCOLS.forEach(counters::protocol); // and those only relays speak (raw RTP, files)
    }

    public static void main(String[] args) throws Exception {
        poolAsyncCallbacks();
        CascadeNode node;
        try {
            node = new CascadeNode(NodeConfig.load(args, System.getenv()));
        } catch (IllegalArgumentException e) {
            exitUnstarted(e);
            return;
        }
        node.config.deprecatedUses().forEach(use -> log.warn("setting {}", use));
        try {
            node.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e.getCause() instanceof SettingsException unusable) {
                exitUnstarted(unusable);
                return;
            }
            log.error("node failed to start: {}", e.getCause() != null ? e.getCause().getMessage() : e.toString());
            node.stop();
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(node::drainThenStop, "cascade-shutdown"));
    }

    /** The JDK's property for the common fork-join pool's size (read once, when the pool is first used). */
    static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

    /**
     * On a machine of one or two CPUs the JDK's common pool has one thread or none, and then the JDK's
     * {@code CompletableFuture} and Hazelcast run every asynchronous callback on a thread started for it alone:
     * each of Hazelcast's asynchronous map writes started a thread, three or four a second on an idle node. A common
     * pool of two threads keeps them. Must run before anything uses the pool; an operator's own setting stays.
     */
    static void poolAsyncCallbacks() {
        if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
            System.setProperty(COMMON_POOL_PARALLELISM,
                    String.valueOf(Math.max(2, Runtime.getRuntime().availableProcessors() - 1)));
        }
    }

    /**
     * Exit 2: the node cannot start with these settings, and started nothing. One line per problem, each naming its
     * setting, and no stack trace: the operator's fix is a setting, not a bug report.
     */
    private static void exitUnstarted(IllegalArgumentException e) {
        for (String line : e.getMessage().split("\n")) {
            System.err.println("cascade: " + line);
        }
        System.exit(2);
    }

    public Future<Void> start() {
        try {
            // before Hazelcast: a node whose TLS listeners have no usable certificate, or a second node on the same
            // ports, must not join the cluster only to fail after
            tls = NodeTls.check(config, roles);
            ListenerPorts.checkFree(config, roles);
        } catch (SettingsException e) {
            return Future.failedFuture(e);
        }
        // one registry per node, never a global one: tests run several nodes in one JVM
        meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        MicrometerMetricsOptions vertxMetrics = new MicrometerMetricsOptions().setEnabled(true)
                .setRegistryName("cascade-" + nodeId + "-" + METRICS_BACKENDS.incrementAndGet())
                .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true));
        // Linux's epoll where Netty's native library loads (the JDK's selector elsewhere): fewer system calls and less
        // garbage per socket write, which a fan-out to hundreds of sockets does thousands of times a second
        VertxOptions options = new VertxOptions().setMetricsOptions(vertxMetrics).setPreferNativeTransport(true);
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
        health = new NodeHealth(vertx, nodeId, this::clusterMembers, counters.memory);
        NodeMemory.start(vertx, counters.memory);
        Codecs.register(vertx.eventBus());
        registry = new HazelcastStreamRegistry(vertx, clusterManager.getHazelcastInstance(), nodeId);
        // origin nodes keep the ingest points on disk: they run the API that changes them
        Path snapshot = roles.contains(Role.ORIGIN)
                ? Path.of(config.value(NodeSettings.DATA_DIR)).resolve(IngestPointSnapshot.FILE_NAME) : null;
        HazelcastIngestPointStore ingestPoints = new HazelcastIngestPointStore(vertx,
                clusterManager.getHazelcastInstance(), snapshot);
        log.info("cascade node {} starting, roles {}, cluster {} size {}", nodeId, roles, config.value(ClusterSetup.NAME),
                clusterMembers());
        return ingestPoints.loadSnapshot()
                .compose(loaded -> segmentKeySecret())
                .compose(secret -> {
                    services = new NodeServices(vertx, config, nodeId, roles, counters, meters, health, registry,
                            ingestPoints, secret, packageSettings(secret), tls);
                    logAuthorisation();
                    services.balancing = new NodeBalancing(services,
                            new LoadBoard(vertx, clusterManager.getHazelcastInstance()));
                    metrics.bindDrain(services.balancing::draining);
                    for (RoleStarter role : RoleStarter.ALL) {
                        if (roles.contains(role.role())) {
                            role.start(services);
                        }
                    }
                    services.relays = new NodeRelays(services, clusterManager.getHazelcastInstance());
                    metrics.bindRelays(services.relays::running);
                    // every node answers the API's questions about its clients, whichever node runs the API
                    services.streams = new NodeStreams(services, clusterManager.getHazelcastInstance(),
                            metrics::ingestBytesPerSecond);
                    Future<Void> listening = services.relays.start().compose(v -> services.streams.start());
                    if (roles.contains(Role.ORIGIN) || roles.contains(Role.INGEST)) {
                        // before the listeners: what a crash left is put in place before anything records again
                        io.cascade.packaging.recording.Recordings recordings = services.makeRecordings();
                        listening = listening.compose(v -> recordings.start());
                        metrics.bindRecordings(recordings);
                    }
                    for (Listener l : Listener.ALL) {
                        listening = listening.compose(v -> startListener(l));
                    }
                    return listening;
                })
                .onSuccess(v -> {
                    watchClusterGrowth();
                    metrics.startSampling(vertx, registry, services.hubs);
                    if (tls != null) {
                        tls.watch(vertx, config.value(NodeTls.RELOAD_MS));
                    }
                    services.balancing.start(listenerAddresses);
                    health.ready(listenerAddresses);
                    log.info("cascade node {} ready ({})", nodeId, vertx.isNativeTransportEnabled()
                            ? "epoll transport" : "JDK transport: " + vertx.unavailableNativeTransportCause());
                });
    }

    /**
     * Tells the hubs when the cluster grows: after a partition heals, the registry may name an owner whose start a
     * hub never heard of (see {@link StreamHubs#clusterGrew}). A member joining, and this node merging into the
     * other half's cluster (Hazelcast announces that as a lifecycle event, not a member).
     */
    private void watchClusterGrowth() {
        StreamHubs hubs = services.hubs;
        if (hubs == null) {
            return;
        }
        HazelcastInstance hz = clusterManager.getHazelcastInstance();
        hz.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
                hubs.clusterGrew();
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
            }
        });
        hz.getLifecycleService().addLifecycleListener(event -> {
            if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
                log.info("this node merged into the rest of the cluster after a partition");
                hubs.clusterGrew();
            }
        });
    }

    private Future<Void> startListener(Listener l) {
        if (!l.wanted(roles)) {
            return Future.succeededFuture();
        }
        Future<Void> all = Future.succeededFuture();
        for (Listener.Endpoint at : l.endpoints(config)) {
            all = all.compose(v -> startEndpoint(l, at));
        }
        return all;
    }

    private Future<Void> startEndpoint(Listener l, Listener.Endpoint at) {
        return l.start(services, at).transform(started -> {
            if (started.failed()) {
                Throwable e = started.cause();
                String why = e instanceof BindException ? "is in use (another node or program listens there)"
                        : "could not be opened: " + e.getMessage();
                return Future.failedFuture(new IllegalStateException(at.describe() + " " + why, e));
            }
            Listener.Bound b = started.result();
            String name = listenerAddresses.containsKey(l.name()) ? l.name() + "-" + b.port() : l.name();
            listenerAddresses.put(name, b.host() + ":" + b.port());
            log.info(String.format("listening %-5s %s:%d (%s)", l.name(), b.host(), b.port(), b.detail()));
            return Future.succeededFuture();
        });
    }

    /** One line saying how publishers and viewers are authorised, when they are (never the secret or the URL). */
    private void logAuthorisation() {
        Authorisation.Config auth = config.authorisation();
        if (auth.publish() != Authorisation.Mode.NONE || auth.play() != Authorisation.Mode.NONE) {
            log.info("authorisation: publish {}, play {}", auth.publish().name().toLowerCase(Locale.ROOT),
                    auth.play().name().toLowerCase(Locale.ROOT));
        }
    }

    /**
     * Members of this node's cluster, itself included (a node without {@code cluster.members} is a cluster of
     * one); 0 before it joined.
     */
    int clusterMembers() {
        HazelcastClusterManager cm = clusterManager;
        return cm == null || cm.getHazelcastInstance() == null ? 0 : cm.getNodes().size();
    }

    private PackageSettings packageSettings(byte[] secret) {
        return new PackageSettings(config.value(IngestStream.PLAYLIST_LENGTH), config.value(PackageSettings.PLAYLIST_TYPE),
                config.value(PackageSettings.DVR_SEGMENTS), config.value(PackageSettings.MAX_STREAM_BYTES),
                config.value(PackageSettings.MAX_NODE_PACKAGED_BYTES), counters.memory,
                new SegmentKeys(secret, config.value(SegmentKeys.KEY_COUNT)));
    }

    /**
     * The secret AES-128 segment keys are derived from: the operator's (hls.aes.secret), or one the cluster makes
     * up once and shares, so every edge derives the same keys.
     */
    private Future<byte[]> segmentKeySecret() {
        String configured = config.value(SegmentKeys.SECRET);
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

    /**
     * SIGTERM: drains first ({@code drain.grace.ms}: readiness down, HTTP viewers moved to other edges, then the
     * remaining viewers and publishers closed with their protocols' notices), then stops.
     */
    void drainThenStop() {
        NodeServices s = services;
        long grace = config.value(NodeBalancing.DRAIN_GRACE_MS);
        if (s != null && s.balancing != null && grace > 0 && vertx != null) {
            log.info("cascade node {} draining before it stops", nodeId);
            try {
                s.balancing.drain(true).toCompletionStage().toCompletableFuture()
                        .get(grace + STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                Thread.sleep(DRAIN_FLUSH_MS); // the closing notices reach their clients
            } catch (Exception e) {
                log.warn("cascade node {}: drain before stopping cut short: {}", nodeId, e.toString());
            }
        }
        stop();
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
        if (services != null && services.balancing != null) {
            services.balancing.stop();
        }
        if (services != null && services.recordings != null) {
            services.recordings.stopAll(STOP_TIMEOUT_MS); // each open file finished and in place
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

    /** Viewers on this node now, of every protocol that keeps a connection (0 without the edge role). */
    int viewersHere() {
        NodeServices s = services;
        return s == null || s.playback == null ? 0 : s.playback.viewers();
    }

    /** Streams this node packages for HTTP now (0 without the edge role). */
    int packagedHttpStreams() {
        return (int) counters.httpPackagedStreams.sum();
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

    /** The node's TLS certificate and its reloads; null when no listener uses TLS. */
    NodeTls tls() {
        return tls;
    }
}
