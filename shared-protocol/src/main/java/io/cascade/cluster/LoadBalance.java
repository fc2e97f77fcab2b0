package io.cascade.cluster;

import java.net.URI;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which node a new client should use, from the nodes' {@link NodeLoad} reports: the least loaded node of the
 * wanted role that listens for the client's protocol, is neither draining nor full and reported recently. A node's
 * cost is its viewers ({@link #VIEWER_COST} each) and its egress against {@link #EGRESS_REFERENCE_BPS}, plus its CPU
 * share above a headroom ({@link #DEFAULT_CPU_HEADROOM}): nodes with CPU to spare fill by viewers and bits (CPU
 * readings below it are noise, not load), and a node short of CPU is avoided. A node that already serves the stream is
 * preferred while it costs at most {@link #SUBSCRIBED_SLACK} more than the cheapest: the cluster then does not feed a
 * stream to every edge for a few viewers.
 *
 * <p>Reports come within a second of a change, and a crowd asks within one: each pick is counted against its node
 * until a report of that node made after the pick comes (a report made before it does not count it yet), so a crowd
 * spreads instead of landing on the node that was cheapest a second ago. Thread-safe.
 */
public final class LoadBalance {
    /** A report older than this is from a node that stopped reporting (frozen, gone): picked for nothing. */
    public static final long STALE_MS = 5_000;
    /** Egress that counts as a full node: 1 Gbit/s. */
    static final double EGRESS_REFERENCE_BPS = 1e9;
    /** CPU share below which CPU does not count: below it a node is not CPU-bound, and readings are noise. */
    public static final double DEFAULT_CPU_HEADROOM = 0.9;
    /** What one viewer adds to a node's cost. */
    static final double VIEWER_COST = 0.001;
    /** How much costlier than the cheapest a node that has the stream may be and still be picked for it. */
    static final double SUBSCRIBED_SLACK = 0.05;
    /** Nodes whose picks are remembered at most: a cluster is far smaller. */
    static final int MAX_TALLIES = 10_000;
    /** Picks remembered per node at most (the newest): far more than a node takes between two reports. */
    static final int MAX_PICKS_PER_NODE = 10_000;

    /** When each node was picked, oldest first, for picks its reports may not count yet. */
    private final Map<String, ArrayDeque<Long>> picks = new HashMap<>();
    private final double cpuHeadroom;

    public LoadBalance() {
        this(DEFAULT_CPU_HEADROOM);
    }

    /** @param cpuHeadroom the CPU share above which CPU adds to a node's cost; 1 leaves CPU out */
    public LoadBalance(double cpuHeadroom) {
        this.cpuHeadroom = cpuHeadroom;
    }

    /** What a client comes for: the role of the nodes that serve it, and where they say it is served. */
    public enum Want {
        PLAY("edge"), PUBLISH("ingest");

        private final String role;

        Want(String role) {
            this.role = role;
        }

        /** The URL templates of {@code node} for this, per protocol. */
        public Map<String, String> templates(NodeLoad node) {
            return this == PLAY ? node.play() : node.publish();
        }

        /** Whether {@code node} takes clients who come for this over {@code protocol}. */
        boolean servedBy(NodeLoad node, String protocol) {
            return node.roles().contains(role) && templates(node).containsKey(protocol);
        }
    }

    /**
     * The node a new client of {@code protocol} for {@code stream} should use, or null when none can take it.
     *
     * @param except a node not to pick (the one asking, when it is the one to move away from), or null
     */
    public synchronized NodeLoad pick(List<NodeLoad> loads, Want want, String protocol, String stream, String except,
                                      long nowMillis) {
        NodeLoad cheapest = null;
        double cheapestCost = Double.MAX_VALUE;
        NodeLoad serving = null;
        double servingCost = Double.MAX_VALUE;
        for (NodeLoad l : loads) {
            if (!want.servedBy(l, protocol) || l.draining() || l.full() || l.node().equals(except)
                    || nowMillis - l.updatedMillis() > STALE_MS) {
                continue;
            }
            double c = cost(l, cpuHeadroom) + picksSince(l) * VIEWER_COST;
            if (c < cheapestCost) {
                cheapest = l;
                cheapestCost = c;
            }
            if (l.streams().contains(stream) && c < servingCost) {
                serving = l;
                servingCost = c;
            }
        }
        NodeLoad chosen = serving != null && servingCost <= cheapestCost + SUBSCRIBED_SLACK ? serving : cheapest;
        if (chosen != null) {
            count(chosen, nowMillis);
        }
        return chosen;
    }

    /**
     * Whether a pick could go differently with {@code now} than with {@code before}, two reports of one node: anything
     * but egress and CPU changed, or the cost those make moved by a viewer's worth or more (smaller moves are noise).
     * A node stores an unchanged report only now and then.
     */
    public boolean decidesDifferently(NodeLoad now, NodeLoad before) {
        return now.draining() != before.draining() || now.full() != before.full()
                || !now.roles().equals(before.roles()) || !now.viewers().equals(before.viewers())
                || !now.streams().equals(before.streams()) || !now.play().equals(before.play())
                || !now.publish().equals(before.publish())
                || Math.abs(cost(now, cpuHeadroom) - cost(before, cpuHeadroom)) >= VIEWER_COST;
    }

    /** A node's cost without the picks given out since its report. */
    public double cost(NodeLoad l) {
        return cost(l, cpuHeadroom);
    }

    private static double cost(NodeLoad l, double cpuHeadroom) {
        return l.totalViewers() * VIEWER_COST + l.egressBitsPerSecond() / EGRESS_REFERENCE_BPS
                + Math.max(0, l.cpu() - cpuHeadroom);
    }

    /** Picks of {@code l}'s node made after its report (which its viewer count therefore lacks). */
    private long picksSince(NodeLoad l) {
        ArrayDeque<Long> times = picks.get(l.node());
        if (times == null) {
            return 0;
        }
        while (!times.isEmpty() && times.peekFirst() <= l.updatedMillis()) {
            times.pollFirst(); // counted by this report, or by the next ones to come
        }
        return times.size();
    }

    private void count(NodeLoad l, long nowMillis) {
        ArrayDeque<Long> times = picks.get(l.node());
        if (times == null) {
            if (picks.size() >= MAX_TALLIES) {
                picks.clear();
            }
            times = new ArrayDeque<>();
            picks.put(l.node(), times);
        }
        if (times.size() >= MAX_PICKS_PER_NODE) {
            times.pollFirst();
        }
        times.addLast(nowMillis);
    }

    /** Where a client who comes for {@code want} finds {@code stream} on {@code node} over {@code protocol}. */
    public static String url(NodeLoad node, Want want, String protocol, String stream) {
        return want.templates(node).get(protocol).replace(NodeLoad.STREAM, stream);
    }

    /**
     * The scheme, host and port of that URL: what a redirect puts before the path and query the client asked for
     * (segments are the same on every edge, so only the node changes).
     */
    public static String base(NodeLoad node, Want want, String protocol) {
        URI u = URI.create(url(node, want, protocol, "x"));
        return u.getScheme() + "://" + u.getRawAuthority();
    }

    /** The protocols some node of the cluster serves for {@code want}, sorted: what a client may ask for. */
    public static Set<String> protocols(List<NodeLoad> loads, Want want) {
        Set<String> out = new TreeSet<>();
        loads.forEach(l -> out.addAll(want.templates(l).keySet()));
        return out;
    }
}
