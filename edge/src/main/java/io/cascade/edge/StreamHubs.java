package io.cascade.edge;

import io.cascade.cluster.Addresses;
import io.cascade.cluster.StreamEvent;
import io.cascade.metrics.NodeCounters;
import io.cascade.settings.Setting;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

import java.util.HashMap;
import java.util.Map;

/**
 * The hubs of this node, one per stream that has viewers here. The last viewer leaving starts a short linger,
 * so a viewer who reconnects at once finds the hub (and its GOP) still there.
 */
public final class StreamHubs {
    /** Long enough to bridge a player reconnect, short enough not to hold a stream nobody watches. */
    public static final long DEFAULT_LINGER_MS = 5_000;
    /** A hub holds a GOP and a cluster subscription: lingering past an hour is a leak, not a reconnect bridge. */
    public static final long MAX_LINGER_MS = 3_600_000;
    public static final Setting<Long> LINGER_MS = Setting.longInteger("edge.linger.ms", DEFAULT_LINGER_MS, 0,
            MAX_LINGER_MS, "how long a stream stays subscribed on an edge after its last viewer left");
    /** Distinct streams with viewers on one node; each hub holds a GOP, so this bounds memory on a play storm. */
    public static final int MAX_HUBS = 10_000;

    /**
     * When every hub asks the registry again after the cluster grew. A hub whose stream's owner was on the other
     * side of a partition waits for a start event sent long ago, or follows a publisher the healed registry no longer
     * names; the registry settles some seconds after the members join (Hazelcast merges it), hence two looks.
     */
    public static final long[] LOOK_AGAIN_AFTER_MS = {2_000, 8_000};

    private final Vertx vertx;
    private final long lingerMs;
    private final NodeCounters counters;
    private final String node;
    private final StreamOwners owners;
    private final Map<String, StreamHub> hubs = new HashMap<>();

    /**
     * @param node   this node's name: the ingesting node sends each stream to an address of this node's own
     * @param owners which node ingests a stream now: hubs subscribe to that node
     */
    public StreamHubs(Vertx vertx, String node, long lingerMs, NodeCounters counters, StreamOwners owners) {
        this.vertx = vertx;
        this.owners = owners;
        this.node = node;
        this.lingerMs = lingerMs;
        this.counters = counters;
        // one consumer per node for the start and stop of every stream, handed to the stream's hub if it has one
        vertx.eventBus().<StreamEvent>consumer(Addresses.STREAM_EVENTS, m -> {
            StreamHub hub = find(m.body().stream());
            if (hub != null) {
                hub.context().runOnContext(v -> hub.onEvent(m.body()));
            }
        });
    }

    /**
     * The hub of the stream, created on the given context when this node has none; null when the node already
     * serves {@link #MAX_HUBS} streams. Each successful call must be paired with one {@link #release}.
     */
    public synchronized StreamHub acquire(String name, Context context) {
        StreamHub hub = hubs.get(name);
        if (hub == null) {
            if (hubs.size() >= MAX_HUBS) {
                return null;
            }
            StreamHub created = new StreamHub(vertx, context, name, node, counters, owners);
            hubs.put(name, created);
            context.runOnContext(v -> created.open());
            hub = created;
        }
        hub.references++;
        return hub;
    }

    /**
     * The cluster grew: a partition healed, or a node joined or came back. Each hub looks up its stream's owner again
     * ({@link #LOOK_AGAIN_AFTER_MS}): one registry read per hub, only when membership changes.
     */
    public void clusterGrew() {
        for (long delay : LOOK_AGAIN_AFTER_MS) {
            vertx.setTimer(delay, id -> {
                for (StreamHub hub : hubsNow()) {
                    hub.context().runOnContext(v -> hub.lookAgain());
                }
            });
        }
    }

    private synchronized java.util.List<StreamHub> hubsNow() {
        return java.util.List.copyOf(hubs.values());
    }

    private synchronized StreamHub find(String name) {
        return hubs.get(name);
    }

    public synchronized void release(StreamHub hub) {
        if (--hub.references == 0) {
            vertx.setTimer(lingerMs, id -> lingerOver(hub));
        }
    }

    private synchronized void lingerOver(StreamHub hub) {
        if (hub.references == 0 && hubs.get(hub.name()) == hub) {
            hubs.remove(hub.name());
            hub.context().runOnContext(v -> hub.close());
        }
    }

    public synchronized int size() {
        return hubs.size();
    }

    /**
     * A copy of the viewers attached to each stream's hub on this node (playing, or waiting for the publisher),
     * lingering hubs included with 0: what the metrics exporter reports per stream.
     */
    public synchronized Map<String, Integer> viewerCounts() {
        Map<String, Integer> counts = new HashMap<>(hubs.size() * 2);
        hubs.forEach((name, hub) -> counts.put(name, hub.references));
        return counts;
    }
}
