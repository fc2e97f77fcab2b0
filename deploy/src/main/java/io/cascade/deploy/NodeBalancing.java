package io.cascade.deploy;

import io.cascade.cluster.Addresses;
import io.cascade.cluster.LoadBalance;
import io.cascade.cluster.LoadBoard;
import io.cascade.cluster.NodeLoad;
import io.cascade.edge.fanout.Relocation;
import io.cascade.metrics.NodeCounters;
import io.cascade.settings.Setting;
import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * This node's part in load balancing: it measures its {@link NodeLoad} every {@link #REPORT_MS} and stores it on the
 * {@link LoadBoard} when it changed what a placement decides on, else every {@link #REFRESH_MS}; it takes drain orders
 * on its event-bus address ({@link Addresses#drain}), sends new viewers to the least-loaded edge ({@link Relocation}:
 * while draining, or with {@code balance.redirect}), and while draining reads as not ready.
 */
final class NodeBalancing {
    private static final Logger log = LoggerFactory.getLogger(NodeBalancing.class);
    static final Setting<String> PUBLIC_HOST = Setting.text("node.public.host", "",
            "the host name or address clients reach this node at, in the URLs `pickEdge` and redirects hand out;"
                    + " empty: `cluster.host` (loopback for a lone node)");
    static final Setting<Long> DRAIN_GRACE_MS = Setting.longInteger("drain.grace.ms", 30_000, 0, 3_600_000,
            "how long a drained node (API `drainNode`, or SIGTERM) keeps its viewers and publishers before it closes"
                    + " them; HTTP viewers move to other edges at their next playlist before that");
    static final Setting<Boolean> REDIRECT = Setting.flag("balance.redirect", false,
            "`true`: a new viewer's first request (HLS multivariant playlist, MPD, HTTP-FLV, WebSocket upgrade, RTSP"
                    + " DESCRIBE) is answered with a 302 to the least-loaded edge when that is another node");
    static final Setting<Double> CPU_HEADROOM = Setting.of("balance.cpu.headroom", "0.9", "a number 0..1",
            NodeBalancing::share, "the CPU share of its machine above which a node's CPU adds to its cost when"
                    + " viewers are placed (below it, viewers and egress decide); `1` leaves CPU out");
    /** Reports egress and CPU are averaged over (an exponential average): five seconds. */
    static final int SMOOTHING_REPORTS = 5;
    /** How often a drain looks whether any client is left. */
    static final long DRAIN_CHECK_MS = 250;
    /** How often the node measures its load, and stores it when it changed. */
    static final long REPORT_MS = 1_000;
    /**
     * How often an unchanged load is stored again, so the cluster knows the node is there: half the age at which
     * placements stop trusting a report, so one late store does not make the node look gone. Every store is a map
     * write and an event on every node, which an idle node should not pay each second for nothing new.
     */
    static final long REFRESH_MS = LoadBalance.STALE_MS / 2;
    /** The CPUs the JVM may use, read once: the share of them a node uses is its CPU load. */
    private static final int PROCESSORS = Math.max(1, Runtime.getRuntime().availableProcessors());
    /**
     * The JVM's CPU time so far in nanoseconds, or 0 where it cannot tell. Read as a time rather than the platform's
     * CPU load: that load is whatever happened between any two callers' reads, and in a container each read opens
     * control-group files.
     */
    private static final LongSupplier PROCESS_CPU_NANOS =
            ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                    ? () -> Math.max(0, os.getProcessCpuTime()) : () -> 0;

    private final NodeServices node;
    private final LoadBoard board;
    private final LoadBalance balance;
    private final String publicHost;
    /** The node's roles as reports name them: fixed for the node's life. */
    private final Set<String> roles;
    private volatile boolean draining;
    /** Every node's last report as followed on the board, taken at each own report: what redirects choose from. */
    private volatile List<NodeLoad> cluster = List.of();
    /** This node's last report, for the API's getServerInfo; null before the first. */
    private volatile NodeLoad lastReport;
    /** The last report stored on the board, and when: null before the first. */
    private NodeLoad lastStored;
    private long lastStoredNanos;
    private Map<String, String> play = Map.of();
    private Map<String, String> publish = Map.of();
    private long lastBytesOut;
    /** Egress and CPU averaged over about {@link #SMOOTHING_REPORTS} reports: both come in bursts. */
    private double egress;
    private double cpu;
    private long lastReportNanos;
    /** The JVM's CPU time at the last report, for the CPU share between reports. */
    private long lastCpuNanos;
    private long timer = -1;
    private long graceTimer = -1;
    private MessageConsumer<JsonObject> drainOrders;

    NodeBalancing(NodeServices node, LoadBoard board) {
        this.node = node;
        this.board = board;
        this.balance = new LoadBalance(node.config.value(CPU_HEADROOM));
        String configured = node.config.value(PUBLIC_HOST);
        this.publicHost = configured.isEmpty() ? ClusterSetup.host(node.config) : configured;
        this.roles = node.roles.stream().map(r -> r.name().toLowerCase(Locale.ROOT))
                .collect(Collectors.toUnmodifiableSet());
    }

    private static double share(String text) {
        double v;
        try {
            v = Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a number");
        }
        if (!(v >= 0 && v <= 1)) {
            throw new IllegalArgumentException("not within 0..1");
        }
        return v;
    }

    LoadBoard board() {
        return board;
    }

    LoadBalance balance() {
        return balance;
    }

    boolean draining() {
        return draining;
    }

    /** The load this node reported last (null before its first report). */
    NodeLoad lastReport() {
        return lastReport;
    }

    /** Starts reporting, with the addresses the listeners bound ({@code name -> host:port}), and taking orders. */
    void start(JsonObject listenerAddresses) {
        Map<String, String> p = new HashMap<>();
        Map<String, String> q = new HashMap<>();
        for (Listener l : Listener.ALL) {
            String at = listenerAddresses.getString(l.name());
            if (at != null) {
                String host = publicHost + ":" + at.substring(at.lastIndexOf(':') + 1);
                l.playUrls().forEach((protocol, url) -> p.put(protocol, url.replace(Listener.HOST, host)));
                l.publishUrls().forEach((protocol, url) -> q.put(protocol, url.replace(Listener.HOST, host)));
            }
        }
        play = Map.copyOf(p);
        publish = Map.copyOf(q);
        lastBytesOut = bytesOut();
        lastReportNanos = System.nanoTime();
        lastCpuNanos = PROCESS_CPU_NANOS.getAsLong();
        drainOrders = node.vertx.eventBus().consumer(Addresses.drain(node.nodeId), order -> {
            drain(order.body().getBoolean("drain", true));
            order.reply(new JsonObject().put("node", node.nodeId).put("draining", draining));
        });
        if (node.playback != null) {
            node.playback.relocateWith(this::relocate);
        }
        board.follow().onFailure(e -> log.warn("not following the cluster's load reports: {}", e.toString()));
        report();
        timer = node.vertx.setPeriodic(REPORT_MS, id -> report());
    }

    void stop() {
        if (timer >= 0) {
            node.vertx.cancelTimer(timer);
        }
        if (drainOrders != null) {
            drainOrders.unregister();
        }
    }

    /**
     * Takes this node out of service, or back in. Draining: readiness goes down and new HTTP viewers are sent to
     * other edges at once; after {@code drain.grace.ms} every remaining viewer is sent away with its protocol's notice
     * and every publisher's connection is closed, so encoders reconnect (through the load balancer) elsewhere.
     * Completes when the grace period is over (at once when undraining).
     */
    Future<Void> drain(boolean drain) {
        if (draining == drain) {
            return Future.succeededFuture();
        }
        draining = drain;
        node.health.draining(drain);
        report();
        if (!drain) {
            if (graceTimer >= 0) {
                node.vertx.cancelTimer(graceTimer);
                graceTimer = -1;
            }
            log.info("undrained: taking new viewers again");
            return Future.succeededFuture();
        }
        long grace = node.config.value(DRAIN_GRACE_MS);
        log.info("draining: not ready, new HTTP viewers are sent to other edges; the rest are closed in {} ms", grace);
        io.vertx.core.Promise<Void> over = io.vertx.core.Promise.promise();
        long endNanos = System.nanoTime() + grace * 1_000_000;
        graceTimer = node.vertx.setPeriodic(DRAIN_CHECK_MS, id -> {
            if (!draining) {
                node.vertx.cancelTimer(id);
                over.tryComplete();
            } else if (!anyClientLeft() || System.nanoTime() - endNanos >= 0) {
                node.vertx.cancelTimer(id);
                graceTimer = -1;
                sendEveryoneAway();
                over.tryComplete();
            }
        });
        return over.future();
    }

    /**
     * Whether a viewer (playing, waiting for its stream, or an HLS session) or a publisher is still on this node: a
     * drain with none left is over early.
     */
    private boolean anyClientLeft() {
        return node.counters.protocols().stream().anyMatch(p -> p.viewers.sum() > 0)
                || node.playback != null && node.playback.viewers() > 0
                || node.admission != null && node.admission.publishers() > 0;
    }

    private void sendEveryoneAway() {
        int viewers = node.playback == null ? 0 : node.playback.viewers();
        int publishers = node.admission == null ? 0 : node.admission.publishers();
        log.info("drain: closing the {} viewers and {} publishers left", viewers, publishers);
        if (node.playback != null) {
            node.playback.sendAllAway();
        }
        if (node.admission != null) {
            node.admission.endAllPublishers();
        }
    }

    /**
     * Draining: any viewer's request goes to the least-loaded other edge. With {@code balance.redirect}: a viewer's
     * first request goes to the least-loaded edge, this one included (it stays when that is this one).
     */
    private Future<String> relocate(String stream, String protocol, boolean first) {
        boolean balancing = first && node.config.value(REDIRECT);
        if (!draining && !balancing) {
            return Future.succeededFuture(null);
        }
        NodeLoad to = balance.pick(cluster, LoadBalance.Want.PLAY, protocol, stream, draining ? node.nodeId : null,
                System.currentTimeMillis());
        return Future.succeededFuture(to == null || to.node().equals(node.nodeId) ? null
                : LoadBalance.base(to, LoadBalance.Want.PLAY, protocol));
    }

    private void report() {
        long now = System.nanoTime();
        long out = bytesOut();
        long elapsedNanos = Math.max(1, now - lastReportNanos);
        double sample = (out - lastBytesOut) * 8 * 1e9 / elapsedNanos;
        egress += (sample - egress) / SMOOTHING_REPORTS;
        long cpuNanos = PROCESS_CPU_NANOS.getAsLong();
        cpu += (Math.min(1, (double) (cpuNanos - lastCpuNanos) / (elapsedNanos * PROCESSORS)) - cpu) / SMOOTHING_REPORTS;
        lastCpuNanos = cpuNanos;
        lastBytesOut = out;
        lastReportNanos = now;
        Map<String, Long> viewers = new HashMap<>();
        for (NodeCounters.ProtocolCounters p : node.counters.protocols()) {
            viewers.put(p.name(), p.viewers.sum());
        }
        Set<String> streams = node.hubs == null ? Set.of() : new TreeSet<>(node.hubs.viewerCounts().keySet());
        boolean full = !node.counters.memory.admitsPublisher();
        NodeLoad load = new NodeLoad(node.nodeId, roles, draining, full, viewers, (long) egress, cpu, play, publish,
                streams, System.currentTimeMillis());
        lastReport = load;
        if (lastStored == null || now - lastStoredNanos >= REFRESH_MS * 1_000_000
                || balance.decidesDifferently(load, lastStored)) {
            lastStored = load;
            lastStoredNanos = now;
            board.report(load).onFailure(e -> log.debug("load report not stored: {}", e.toString()));
        }
        cluster = List.copyOf(board.latest());
    }

    private long bytesOut() {
        return node.counters.protocols().stream().mapToLong(p -> p.bytesOut.sum()).sum();
    }
}
